"""/cases: the list (filtered by status), opening a case from a finding, the case page and its update form."""

from __future__ import annotations

import re

import pytest

from tests.conftest import photo, record_finding, save


def _recipients(seeded):
    from leaktrace import Workspace

    with Workspace(seeded.home) as ws:
        return ws.list_recipients()


@pytest.fixture(scope="module")
def finding_id(seeded, tmp_path_factory):
    """A finding of its own (no trace run) accusing Castellan, with no case yet."""
    leak = save(tmp_path_factory.mktemp("pages-cases") / "leak.png", photo(31, (24, 32)))
    return record_finding(seeded.home, leak, ["Apex Plastics GmbH", "Castellan Composites SpA"], ("Castellan Composites SpA",), actor="pages-test")


@pytest.fixture(scope="module")
def case_url(pages, finding_id):
    client = pages["analyst"]
    r = client.post("/cases", data={"csrf_token": client.csrf, "finding_id": str(finding_id), "nda": " NDA-PG-7 "}, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(r"/cases/\d+", r.headers["location"]), r.text
    return r.headers["location"]


def test_opening_a_case(pages, case_url, finding_id):
    html = pages["auditor"].get(case_url).text
    case_id = case_url.rsplit("/", 1)[1]
    assert f"<h1>Case {case_id} " in html and "NDA-PG-7" in html
    assert "<dt>responsible</dt><dd>Castellan Composites SpA</dd>" in html  # the one accused, by default
    assert "opened the case" in html and "Save changes" not in html  # auditors read only
    client = pages["analyst"]
    r = client.post("/cases", data={"csrf_token": client.csrf, "finding_id": str(finding_id)})
    assert r.status_code == 409 and f"already has open case {case_id}" in r.text


def test_updates_are_told_in_changes(pages, case_url):
    client = pages["analyst"]
    r = client.post(case_url, data={"csrf_token": client.csrf}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, case_url)
    assert 'class="flash flash-info">Nothing changed.' in client.get(case_url).text
    r = client.post(case_url, data={"csrf_token": client.csrf, "status": "open"})  # the status it has
    assert "Nothing changed." in r.text
    r = client.post(
        case_url, data={"csrf_token": client.csrf, "status": "notified", "note": "Called their CISO", "due": "2030-01-01"}
    )  # a due date without a step is ignored
    case_id = case_url.rsplit("/", 1)[1]
    assert f"Case {case_id} updated (2 changes on the timeline)." in r.text
    assert "Called their CISO" in r.text and "from <em>open</em> to <em>notified</em>" in r.text
    r = client.post(case_url, data={"csrf_token": client.csrf, "add_action": "Audit the supplier", "due": "2030-01-31"})
    assert f"Case {case_id} updated (1 change on the timeline)." in r.text and "(due 2030-01-31)" in r.text


def test_the_list_filters_by_status(pages, api, case_url):
    case_id = case_url.rsplit("/", 1)[1]
    link = f'<a href="/cases/{case_id}">{case_id}</a>'
    client = pages["auditor"]
    assert link in client.get("/cases").text
    status = api["auditor"].get(f"/api/v1/cases/{case_id}").json()["status"]
    for other in ("open", "notified", "closed"):
        html = client.get(f"/cases?status={other}").text
        assert (link in html) == (other == status), other
        assert f'href="/cases?status={other}" class="here"' in html
    r = client.get("/cases?status=bogus")
    assert r.status_code == 400 and "Unknown case status &#39;bogus&#39;" in r.text


def test_refusals(pages, case_url, seeded):
    client = pages["analyst"]
    assert client.get("/cases/987654").status_code == 404
    assert client.post("/cases", data={"csrf_token": client.csrf, "finding_id": "x"}).status_code == 422
    assert client.post("/cases", data={"csrf_token": client.csrf, "finding_id": "987654"}).status_code == 404
    assert client.post(case_url, data={"csrf_token": client.csrf, "status": "won"}).status_code == 400
    auditor = pages["auditor"]
    assert auditor.post(case_url, data={"csrf_token": auditor.csrf, "note": "x"}).status_code == 403
    assert auditor.post("/cases", data={"csrf_token": auditor.csrf, "finding_id": str(seeded.finding_id)}).status_code == 403


def test_the_evidence_rule_on_the_page(pages, case_url, seeded):
    client = pages["analyst"]
    html = client.get(case_url).text
    apex = next(r for r in _recipients(seeded) if r.name == "Apex Plastics GmbH")
    assert f'<option value="{apex.id}">Apex Plastics GmbH</option>' in html and 'name="override_reason"' in html
    r = client.post(case_url, data={"csrf_token": client.csrf, "add_responsible": str(apex.id)})
    assert r.status_code == 400 and "does not accuse Apex Plastics GmbH; holding a recipient responsible" in r.text
    r = client.post(case_url, data={"csrf_token": client.csrf, "penalty_amount": "250.000", "penalty_currency": "EUR"})
    assert r.status_code == 400 and "reads two ways (250,000 or 250.000): write 250,000.00 or 250.00." in r.text
    r = client.post(case_url, data={"csrf_token": client.csrf, "penalty_amount": "250.000,00", "penalty_currency": "EUR"})
    assert "<dt>penalty</dt><dd>250,000.00 EUR</dd>" in r.text and 'placeholder="now 250,000.00 EUR"' in r.text
    data = {"csrf_token": client.csrf, "add_responsible": str(apex.id), "override_reason": "Apex signed for the parcel"}
    r = client.post(case_url, data=data)
    assert "<dt>responsible</dt><dd>Castellan Composites SpA, Apex Plastics GmbH</dd>" in r.text
    assert "overrode the evidence rule</strong> (finding" in r.text and "does not accuse Apex Plastics GmbH): “Apex signed for the parcel”" in r.text
    assert "updated (2 changes on the timeline)" in r.text
    r = client.post(case_url, data={"csrf_token": client.csrf, "remove_responsible": str(apex.id), "penalty_currency": "EUR"})
    assert "<dt>responsible</dt><dd>Castellan Composites SpA</dd>" in r.text and "updated (1 change on the timeline)" in r.text
