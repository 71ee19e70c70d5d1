"""A form post that fails shows the form again: what the user typed, and one line in the web's words
(the form's field names, never a CLI flag like ``--found-at``, never a server path like /tmp/…)."""

from __future__ import annotations

import re

import pytest

ALERT = re.compile(r'<p class="flash flash-error" role="alert">([^<]+)</p>')
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _checked(html: str, name: str) -> set[str]:
    return {m.group(1) for m in re.finditer(rf'<input type="checkbox" name="{name}" value="([^"]+)" checked>', html)}


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1)) if select else None
    return chosen.group(1) if chosen else None


def _one_line_in_web_words(r, status: int) -> str:
    assert r.status_code == status, r.text[:500]
    (line,) = ALERT.findall(r.text)
    assert "\n" not in line and not FLAG.search(line) and "/tmp" not in r.text and "--" not in line, line
    body = re.sub(r"<(script|style)\b.*?</\1>", "", r.text, flags=re.S)
    assert not FLAG.search(re.sub(r"<!--.*?-->", "", body)), FLAG.findall(body)
    return line


def test_a_failed_trace_keeps_the_chain_of_custody_and_names_the_field(pages, seeded):
    client = pages["analyst"]
    data = {
        "csrf_token": client.csrf,
        "found_at": "last Tuesday",
        "source_url": "https://forum.example/t/9",
        "captured_by": "E. Vance",
        "note": "two lines,\nas typed",
    }
    r = client.post("/trace", data=data, files={"file": ("leak.jpg", seeded.leak, "image/jpeg")})
    line = _one_line_in_web_words(r, 400)
    assert line.startswith("“When it was found” &#39;last Tuesday&#39; is not an ISO 8601 date")
    for value in ('value="last Tuesday"', 'value="https://forum.example/t/9"', 'value="E. Vance"', ">two lines,\nas typed</textarea>"):
        assert value in r.text
    assert "Choose the file again" in r.text


def test_a_failed_upload_names_the_file_not_its_temporary_folder(pages):
    client = pages["analyst"]
    r = client.post(
        "/assets", data={"csrf_token": client.csrf, "title": "Rear bumper, rev D"}, files={"file": ("rear.png", b"not a picture at all", "image/png")}
    )
    assert r.status_code in (400, 415)
    line = _one_line_in_web_words(r, r.status_code)
    assert line.startswith("rear.png:") and 'value="Rear bumper, rev D"' in r.text


def test_a_failed_share_keeps_the_asset_the_recipients_and_the_note(pages, seeded):
    client = pages["analyst"]
    r = client.post(
        "/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id), "to": ["1", "999999"], "note": "Tender T-2027-14, round 2"}
    )
    line = _one_line_in_web_words(r, 404)
    assert "999999" in line
    assert _checked(r.text, "to") == {"1"} and _selected(r.text, "asset_id") == str(seeded.asset_id)
    assert 'value="Tender T-2027-14, round 2"' in r.text
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id), "note": "nobody picked"})
    assert _one_line_in_web_words(r, 400) == "Pick at least one recipient or group." and 'value="nobody picked"' in r.text


def test_a_failed_case_update_keeps_every_field(pages, api, seeded):
    client = pages["analyst"]
    before = api["auditor"].get(f"/api/v1/cases/{seeded.case_id}").json()
    data = {"csrf_token": client.csrf, "nda": "NDA-2027-14/B", "note": "called the CISO", "add_action": "restrict folders", "due": "2027-13-45"}
    r = client.post(f"/cases/{seeded.case_id}", data={**data, "status": "notified"})
    line = _one_line_in_web_words(r, 400)
    assert "2027-13-45" in line or "closed" in line  # the bad date (or, if another test closed the case, that)
    assert _selected(r.text, "status") == "notified"
    for value in ('value="NDA-2027-14/B"', ">called the CISO</textarea>", 'value="restrict folders"', 'value="2027-13-45"'):
        assert value in r.text
    r = client.post(f"/cases/{seeded.case_id}", data={**data, "penalty_currency": "EURO"})  # refused before the handler (too long)
    assert _one_line_in_web_words(r, 422) == "Invalid input: Currency: string should have at most 3 characters." and 'value="EURO"' in r.text
    assert api["auditor"].get(f"/api/v1/cases/{seeded.case_id}").json() == before  # nothing was written


@pytest.mark.parametrize(
    ("path", "data", "kept"),
    [
        (
            "/recipients",
            {"name": "Apex Plastics GmbH", "email": "bids@apex.example", "org": "Apex (2)"},
            ['value="bids@apex.example"', 'value="Apex (2)"'],
        ),
        ("/users", {"name": "newbie", "role": "auditor", "password": "short"}, ['value="newbie"', '<option value="auditor" selected>']),
        ("/tokens", {"owner": "nobody-here", "name": "nightly export", "reason": "ticket SEC-7"}, ['value="nightly export"', 'value="ticket SEC-7"']),
    ],
)
def test_the_other_forms_show_again_with_their_values(pages, path, data, kept):
    client = pages["analyst" if path == "/recipients" else "admin"]
    r = client.post(path, data={"csrf_token": client.csrf, **data})
    _one_line_in_web_words(r, r.status_code)
    assert r.status_code in (400, 404, 409)
    for value in kept:
        assert value in r.text
    assert "short" not in r.text  # a password is never shown again


def test_a_failed_post_whose_page_cannot_be_shown_is_still_an_error_page(pages):
    client = pages["analyst"]
    r = client.post("/cases/999999", data={"csrf_token": client.csrf, "nda": "x"})
    assert r.status_code == 404 and '<p class="code">404</p>' in r.text
