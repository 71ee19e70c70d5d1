"""cases: opened on a finding, changed field by field on a timeline, transitions checked, all audited."""

from __future__ import annotations

import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict, NotFound
from tests.conftest import record_finding


@pytest.fixture()
def ws(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    leak = tmp_path / "leak.jpg"
    leak.write_bytes(b"leaked bytes")
    ws = Workspace(tmp_path / "ws")
    ws.finding = record_finding(ws.home, leak, ["Apex", "Borealis"], ("Borealis",))
    ws.unclear = record_finding(ws.home, leak, ["Apex", "Borealis"], ("Apex", "Borealis"))
    yield ws
    ws.close()


def test_open_defaults_the_responsible_to_the_one_accused(ws):
    case = ws.open_case(ws.finding, nda="NDA-7", actor="ana")
    assert case["status"] == "open" and case["responsible"]["name"] == "Borealis" and case["nda"] == "NDA-7"
    assert case["finding"]["accused"] == ["Borealis"] and case["opened_by"] == "ana"
    assert [(e["kind"], e["new"], e["actor"]) for e in case["events"]] == [("opened", "open", "ana")]
    with pytest.raises(Conflict, match="already has open case"):
        ws.open_case(ws.finding)
    two = ws.open_case(ws.unclear)
    assert two["responsible"] is None
    for bad in (999, "x"):
        with pytest.raises(NotFound):
            ws.open_case(bad)


def test_updates_make_a_timeline_and_one_audit_entry_each(ws):
    case_id = ws.open_case(ws.finding, actor="ana")["id"]
    ws.update_case(case_id, status="notified", penalty_amount="10,000", penalty_currency="eur", actor="ana")
    case = ws.update_case(case_id, add_action="Audit the supplier's ISMS", due="2027-03-31", note="Called legal", actor="bo")
    action = case["actions"][0]
    assert (action["text"], action["due"], action["done"]) == ("Audit the supplier's ISMS", "2027-03-31", False)
    assert case["penalty"] == {"amount": "10000", "currency": "EUR"} and case["actions_open"] == 1
    case = ws.update_case(case_id, action_done=action["id"], status="remediation", responsible="Apex", actor="bo")
    assert case["actions"][0]["done"] and case["actions"][0]["done_at"] and case["responsible"]["name"] == "Apex"
    changes = [(e["field"], e["old"], e["new"], e["actor"]) for e in case["events"]]
    assert changes == [
        ("status", None, "open", "ana"),
        ("penalty", None, "10000 EUR", "ana"),
        ("status", "open", "notified", "ana"),
        ("action", None, f"#{action['id']} Audit the supplier's ISMS (due 2027-03-31)", "bo"),
        ("note", None, "Called legal", "bo"),
        ("responsible", "Borealis", "Apex", "bo"),
        ("status", "notified", "remediation", "bo"),
        ("action", f"#{action['id']} open", f"#{action['id']} done", "bo"),
    ]
    audited = [e["action"] for e in ws.list_audit() if e["subject_type"] == "case"]
    assert audited == ["case.update", "case.update", "case.update", "case.open"]
    before = ws.show_case(case_id)
    assert ws.update_case(case_id, status="remediation", nda=None) == before  # nothing changed, nothing recorded
    assert len(ws.list_audit()) == 4 + 2  # two traces recorded by the fixture


def test_transitions_and_bad_values_change_nothing(ws):
    case_id = ws.open_case(ws.finding)["id"]
    before = ws.show_case(case_id)
    for change, message in [
        ({"status": "escalated"}, "unknown case status 'escalated'"),
        ({"status": "penalty_applied"}, "has no penalty yet"),
        ({"penalty_amount": "lots", "penalty_currency": "EUR"}, "is not a number"),
        ({"penalty_amount": "100"}, "needs a currency"),
        ({"penalty_amount": "100", "penalty_currency": "euro"}, "three-letter code"),
        ({"add_action": "x", "due": "31.03.2027"}, "YYYY-MM-DD"),
        ({"due": "2027-03-31"}, "--due goes with --add-action"),
        ({"note": "  ", "status": "notified"}, "a note needs a text"),
    ]:
        with pytest.raises(BadInput, match=message):
            ws.update_case(case_id, **change)
    with pytest.raises(NotFound):
        ws.update_case(case_id, action_done=99)
    with pytest.raises(NotFound):
        ws.update_case(case_id, responsible="Nobody")
    assert ws.show_case(case_id) == before
    ws.update_case(case_id, penalty_amount="2500.50", penalty_currency="CHF", status="penalty_applied")
    ws.update_case(case_id, status="closed")
    with pytest.raises(BadInput, match="reopen it first with --status open"):
        ws.update_case(case_id, status="remediation")
    assert ws.update_case(case_id, status="open")["status"] == "open"


def test_list_filters_by_status(ws):
    first = ws.open_case(ws.finding)["id"]
    second = ws.open_case(ws.unclear)["id"]
    ws.update_case(first, status="closed")
    assert [c["id"] for c in ws.list_cases()] == [second, first]
    assert [c["id"] for c in ws.list_cases(status="closed")] == [first]
    with pytest.raises(BadInput, match="unknown case status"):
        ws.list_cases(status="shut")
    assert ws.open_case(ws.finding)["id"] > second  # a closed case does not block a new one
