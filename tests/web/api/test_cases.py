"""/api/v1/cases: open, follow, change; every change lands on the timeline; the evidence rule holds here too."""

from __future__ import annotations

import pytest

from tests.conftest import photo, record_finding, save

APEX, BOREALIS, CASTELLAN = "Apex Plastics GmbH", "Borealis Moulding AB", "Castellan Composites SpA"


@pytest.fixture(scope="module")
def colluders(seeded, tmp_path_factory):
    """A finding of its own (no trace run) accusing Apex and Castellan together, with no case yet."""
    leak = save(tmp_path_factory.mktemp("api-cases") / "leak.png", photo(33, (24, 32)))
    return record_finding(seeded.home, leak, [APEX, BOREALIS, CASTELLAN], (APEX, CASTELLAN), actor="api-test")


def test_open_update_and_timeline(api, seeded):
    r = api["analyst"].post("/api/v1/cases", json={"finding_id": seeded.finding_id})
    assert r.status_code == 409  # the seeded case is still open
    case = api["auditor"].get(f"/api/v1/cases/{seeded.case_id}").json()
    assert case["responsible"]["name"] == "Borealis Moulding AB" and case["status"] in {"open", "notified", "remediation"}
    r = api["analyst"].patch(
        f"/api/v1/cases/{seeded.case_id}",
        json={"penalty_amount": "250000.00", "penalty_currency": "eur", "add_action": "Restrict tender folder access", "due": "2027-01-31"},
    )
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["penalty"] == {"amount": "250000.00", "currency": "EUR", "minor": 25000000, "display": "250,000.00 EUR"}
    assert [r["name"] for r in case["responsibles"]] == ["Borealis Moulding AB"]
    action = case["actions"][-1]
    assert action["text"] == "Restrict tender folder access" and action["due"] == "2027-01-31"
    case = (
        api["analyst"]
        .patch(f"/api/v1/cases/{seeded.case_id}", json={"status": "penalty_applied", "action_done": action["id"], "note": "paid"})
        .json()
    )
    assert case["status"] == "penalty_applied" and case["actions"][-1]["done"]
    assert {e["kind"] for e in case["events"]} >= {"opened", "change", "action", "action_done", "note"}
    assert all(e["actor"] in {"setup", "analyst"} for e in case["events"])
    listed = api["auditor"].get("/api/v1/cases?status=penalty_applied").json()
    assert seeded.case_id in [c["id"] for c in listed["data"]]


def test_bad_changes(api, seeded):
    assert api["analyst"].patch(f"/api/v1/cases/{seeded.case_id}", json={}).status_code == 400
    assert api["analyst"].patch(f"/api/v1/cases/{seeded.case_id}", json={"status": "lost"}).status_code == 422
    assert api["analyst"].patch(f"/api/v1/cases/{seeded.case_id}", json={"due": "2027-01-01"}).status_code == 400
    assert api["analyst"].get("/api/v1/cases?status=lost").status_code == 400


def test_colluders_and_the_evidence_rule(api, colluders):
    client = api["analyst"]
    r = client.post("/api/v1/cases", json={"finding_id": colluders, "responsible": [BOREALIS]})
    assert r.status_code == 400 and r.json() == {
        "error": f"finding {colluders} does not accuse {BOREALIS}; holding a recipient responsible whom the finding does not accuse "
        "needs a written --override-reason.",
        "status": 400,
    }
    r = client.post("/api/v1/cases", json={"finding_id": colluders})
    assert r.status_code == 201, r.text
    case = r.json()
    assert sorted(x["name"] for x in case["responsibles"]) == [APEX, CASTELLAN] and case["responsible"] == case["responsibles"][0]
    url = f"/api/v1/cases/{case['id']}"
    for body, message in [
        (
            {"penalty_amount": "250.000", "penalty_currency": "EUR"},
            "penalty amount '250.000' reads two ways (250,000 or 250.000): write 250,000.00 or 250.00.",
        ),
        ({"penalty_amount": "10.5", "penalty_currency": "JPY"}, "penalty amount '10.5' has 1 decimal place; JPY has no decimals."),
        ({"penalty_currency": "EUX"}, "currency 'EUX' is not an ISO 4217 code such as EUR, USD, CNY or JPY."),
        ({"add_responsible": [BOREALIS]}, f"case {case['id']}: finding {colluders} does not accuse {BOREALIS}; holding a recipient"),
        ({"note": "x", "override_reason": "why not"}, f"case {case['id']}: nothing to override"),
    ]:
        r = client.patch(url, json=body)
        assert r.status_code == 400 and set(r.json()) == {"error", "status"} and r.json()["status"] == 400, r.text
        assert r.json()["error"].startswith(message), r.json()
    case = client.patch(url, json={"penalty_amount": "1,000,000.00", "penalty_currency": "cny", "status": "penalty_applied"}).json()
    assert case["penalty"]["display"] == "1,000,000.00 CNY" and case["status"] == "penalty_applied"
    reason = "Borealis received Castellan's copy by e-mail"
    r = client.patch(url, json={"add_responsible": [BOREALIS], "override_reason": reason})
    assert r.status_code == 200, r.text
    case = r.json()
    assert [x["name"] for x in case["responsibles"]][-1] == BOREALIS
    assert [(e["kind"], e["old"], e["new"], e["actor"]) for e in case["events"] if e["kind"] == "override"] == [
        ("override", f"finding {colluders} does not accuse {BOREALIS}", reason, "analyst")
    ]
    entry = api["admin"].get("/api/v1/audit?limit=1").json()["data"][0]
    assert (entry["subject_type"], entry["subject_id"]) == ("case", str(case["id"])) and entry["details"]["override"]["reason"] == reason
    case = client.patch(url, json={"remove_responsible": [APEX, BOREALIS]}).json()
    assert [x["name"] for x in case["responsibles"]] == [CASTELLAN]
