"""cases: opened on a finding, changed field by field on a timeline, transitions checked, all audited;
the responsible recipients and the penalty follow the evidence unless a written reason overrides it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict, EvidenceTampered, NotFound
from tests.conftest import record_finding


@pytest.fixture()
def ws(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    leak = tmp_path / "leak.jpg"
    leak.write_bytes(b"leaked bytes")
    ws = Workspace(tmp_path / "ws")
    names = ["Apex", "Borealis", "Castellan"]
    ws.finding = record_finding(ws.home, leak, names, ("Borealis",))
    ws.colluders = record_finding(ws.home, leak, names, ("Apex", "Borealis"))
    ws.nobody = record_finding(ws.home, leak, names)
    yield ws
    ws.close()


def _case_entries(ws, case_id):
    return [e for e in ws.list_audit() if e["subject_type"] == "case" and e["subject_id"] == str(case_id)]


def test_open_holds_every_accused_recipient_responsible(ws):
    case = ws.open_case(ws.finding, nda="NDA-7", actor="ana")
    assert case["status"] == "open" and case["responsible"]["name"] == "Borealis" and case["nda"] == "NDA-7"
    assert [r["name"] for r in case["responsibles"]] == ["Borealis"]
    assert case["finding"]["accused"] == ["Borealis"] and case["opened_by"] == "ana"
    assert [(e["kind"], e["new"], e["actor"]) for e in case["events"]] == [("opened", "open", "ana")]
    with pytest.raises(Conflict, match="already has open case"):
        ws.open_case(ws.finding)
    two = ws.open_case(ws.colluders)  # two colluders accused: both responsible
    assert sorted(r.name for r in two.responsibles) == ["Apex", "Borealis"] and two.responsible == two.responsibles[0]
    [entry] = _case_entries(ws, two.id)
    assert sorted(r["name"] for r in entry["details"]["responsibles"]) == ["Apex", "Borealis"]
    none = ws.open_case(ws.nobody)
    assert none["responsible"] is None and none["responsibles"] == []
    for bad in (999, "x"):
        with pytest.raises(NotFound):
            ws.open_case(bad)


def test_open_naming_someone_the_finding_does_not_accuse_needs_a_reason(ws):
    with pytest.raises(BadInput) as refused:
        ws.open_case(ws.finding, responsible=["Borealis", "Castellan"])
    assert str(refused.value) == (
        f"finding {ws.finding} does not accuse Castellan; holding a recipient responsible whom the finding does not accuse "
        "needs a written --override-reason."
    )
    assert ws.list_cases() == []
    case = ws.open_case(ws.finding, responsible=["Borealis", "Castellan", "Borealis"], override_reason="  Castellan  forwarded it ", actor="ana")
    assert [r.name for r in case.responsibles] == ["Borealis", "Castellan"]
    assert [(e.kind, e.field, e.old, e.new) for e in case.events] == [
        ("opened", "status", None, "open"),
        ("override", "evidence", f"finding {ws.finding} does not accuse Castellan", "Castellan forwarded it"),
    ]
    [entry] = _case_entries(ws, case.id)
    assert entry["details"]["override"] == {"reason": "Castellan forwarded it", "not_accused": ["Castellan"]}
    with pytest.raises(BadInput, match="nothing to override"):
        ws.open_case(ws.colluders, override_reason="just in case")


def test_updates_make_a_timeline_and_one_audit_entry_each(ws):
    case_id = ws.open_case(ws.finding, actor="ana")["id"]
    ws.update_case(case_id, status="notified", penalty_amount="10,000.00", penalty_currency="eur", actor="ana")
    case = ws.update_case(case_id, add_action="Audit the supplier's ISMS", due="2027-03-31", note="Called legal", actor="bo")
    action = case["actions"][0]
    assert (action["text"], action["due"], action["done"]) == ("Audit the supplier's ISMS", "2027-03-31", False)
    assert case["penalty"] == {"amount": "10000.00", "currency": "EUR", "minor": 1000000, "display": "10,000.00 EUR"}
    assert case["actions_open"] == 1
    case = ws.update_case(case_id, action_done=action["id"], status="remediation", responsible="Borealis", actor="bo")
    assert case["actions"][0]["done"] and case["actions"][0]["done_at"] and case["responsible"]["name"] == "Borealis"
    changes = [(e["field"], e["old"], e["new"], e["actor"]) for e in case["events"]]
    assert changes == [
        ("status", None, "open", "ana"),
        ("penalty", None, "10,000.00 EUR", "ana"),
        ("status", "open", "notified", "ana"),
        ("action", None, f"#{action['id']} Audit the supplier's ISMS (due 2027-03-31)", "bo"),
        ("note", None, "Called legal", "bo"),
        ("status", "notified", "remediation", "bo"),  # responsible="Borealis" is who it was: no change
        ("action", f"#{action['id']} open", f"#{action['id']} done", "bo"),
    ]
    assert [e["action"] for e in _case_entries(ws, case_id)] == ["case.update", "case.update", "case.update", "case.open"]
    assert _case_entries(ws, case_id)[2]["details"]["penalty"] == {"minor": 1000000, "currency": "EUR"}
    before, entries = ws.show_case(case_id), len(ws.list_audit())
    assert ws.update_case(case_id, status="remediation", nda=None) == before  # nothing changed, nothing recorded
    assert len(ws.list_audit()) == entries
    assert ws.verify_audit()["ok"]


def test_transitions_and_bad_values_change_nothing(ws):
    case_id = ws.open_case(ws.finding)["id"]
    before = ws.show_case(case_id)
    for change, message in [
        ({"status": "escalated"}, "unknown case status 'escalated'"),
        ({"status": "penalty_applied"}, "has no penalty yet"),
        ({"penalty_amount": "lots", "penalty_currency": "EUR"}, "is not a number"),
        ({"penalty_amount": "250.000", "penalty_currency": "EUR"}, r"reads two ways \(250,000 or 250.000\): write 250,000.00 or 250.00"),
        ({"penalty_amount": "10.5", "penalty_currency": "JPY"}, "has 1 decimal place; JPY has no decimals"),
        ({"penalty_amount": "0", "penalty_currency": "EUR"}, "is zero"),
        ({"penalty_amount": "100"}, "needs a currency"),
        ({"penalty_amount": "100", "penalty_currency": "euro"}, "not an ISO 4217 code"),
        ({"penalty_currency": "XYZ"}, "currency 'XYZ' is not an ISO 4217 code"),
        ({"add_action": "x", "due": "31.03.2027"}, "YYYY-MM-DD"),
        ({"due": "2027-03-31"}, "--due goes with --add-action"),
        ({"note": "  ", "status": "notified"}, "a note needs a text"),
        ({"remove_responsible": "Apex"}, f"Apex is not a responsible recipient of case {case_id}"),
        ({"note": "x", "override_reason": "because"}, "nothing to override"),
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


@pytest.mark.parametrize(
    ("text", "code", "minor", "amount", "display"),
    [
        ("250.000,00", "EUR", 25_000_000, "250000.00", "250,000.00 EUR"),
        ("250,000.00", "EUR", 25_000_000, "250000.00", "250,000.00 EUR"),
        ("250000", "eur", 25_000_000, "250000.00", "250,000.00 EUR"),
        ("1 000 000", "CNY", 100_000_000, "1000000.00", "1,000,000.00 CNY"),
        ("100,000", "JPY", 100_000, "100000", "100,000 JPY"),
        ("12.5", "KWD", 12_500, "12.500", "12.500 KWD"),
    ],
)
def test_penalties_are_stored_exactly_in_minor_units(ws, text, code, minor, amount, display):
    case = ws.update_case(ws.open_case(ws.finding).id, penalty_amount=text, penalty_currency=code)
    assert case.penalty.minor == minor and (case.penalty.amount, case.penalty.display) == (amount, display)
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        assert db.execute("SELECT penalty_minor, penalty_currency FROM cases WHERE id = ?", (case.id,)).fetchone() == (minor, code.upper())


def test_the_currency_may_come_first_and_a_new_currency_needs_the_amount_again(ws):
    case_id = ws.open_case(ws.finding).id
    case = ws.update_case(case_id, penalty_currency="cny")
    assert case.penalty is None and (case.events[-1].field, case.events[-1].new) == ("penalty_currency", "CNY")
    case = ws.update_case(case_id, penalty_amount="1.000.000")
    assert case.penalty.display == "1,000,000.00 CNY" and (case.events[-1].old, case.events[-1].new) == (None, "1,000,000.00 CNY")
    with pytest.raises(BadInput, match=r"penalty is 1,000,000.00 CNY: give --penalty-amount in EUR too"):
        ws.update_case(case_id, penalty_currency="EUR")
    case = ws.update_case(case_id, penalty_currency="EUR", penalty_amount="130000")
    assert (case.events[-1].old, case.events[-1].new) == ("1,000,000.00 CNY", "130,000.00 EUR")


def test_a_penalty_needs_a_finding_that_accuses_every_responsible_recipient(ws):
    case_id = ws.open_case(ws.nobody, actor="ana").id  # the finding accuses nobody, so nobody is responsible
    with pytest.raises(BadInput, match=f"case {case_id} needs a responsible recipient: a penalty is against someone"):
        ws.update_case(case_id, penalty_amount="1000000", penalty_currency="CNY")
    with pytest.raises(BadInput) as refused:
        ws.update_case(case_id, responsible="Apex")
    assert str(refused.value).startswith(f"case {case_id}: finding {ws.nobody} does not accuse Apex; holding a recipient responsible")
    ws.update_case(case_id, responsible="Apex", override_reason="Apex admitted it in writing", actor="ana")
    with pytest.raises(BadInput) as refused:  # holding Apex responsible was overridden; the penalty is an act of its own
        ws.update_case(case_id, penalty_amount="1000000", penalty_currency="CNY")
    assert str(refused.value) == (
        f"case {case_id}: finding {ws.nobody} does not accuse Apex; "
        "a penalty needs a finding that accuses every responsible recipient, or a written --override-reason."
    )
    assert "\n" not in str(refused.value)
    before = ws.show_case(case_id)
    reason = "Apex's CEO signed a statement of the leak on 2027-02-01"
    case = ws.update_case(case_id, penalty_amount="1000000", penalty_currency="CNY", override_reason=reason, actor="bo")
    assert case.penalty.display == "1,000,000.00 CNY"
    assert [(e.kind, e.field, e.old, e.new, e.actor) for e in case.events[len(before.events) :]] == [
        ("override", "evidence", f"finding {ws.nobody} does not accuse Apex", reason, "bo"),
        ("change", "penalty", None, "1,000,000.00 CNY", "bo"),
    ]
    entry = _case_entries(ws, case_id)[0]
    assert entry["action"] == "case.update" and entry["actor"] == "bo"
    assert entry["details"]["override"] == {"reason": reason, "not_accused": ["Apex"]}
    assert {"kind": "override", "field": "evidence", "old": f"finding {ws.nobody} does not accuse Apex", "new": reason} in entry["details"]["changes"]
    with pytest.raises(BadInput, match="does not accuse Apex; a penalty needs"):  # so is applying it
        ws.update_case(case_id, status="penalty_applied")
    assert ws.update_case(case_id, status="penalty_applied", override_reason="as above").status == "penalty_applied"
    with pytest.raises(BadInput, match="needs a responsible recipient \\(it has a penalty of 1,000,000.00 CNY\\)"):
        ws.update_case(case_id, remove_responsible="Apex")
    assert ws.verify_audit()["ok"]


def test_an_accusing_finding_needs_no_override(ws):
    case_id = ws.open_case(ws.colluders).id
    case = ws.update_case(case_id, penalty_amount="250.000,00", penalty_currency="EUR", status="penalty_applied")
    assert case.status == "penalty_applied" and all(e.kind != "override" for e in case.events)
    with pytest.raises(BadInput, match=f"finding {ws.colluders} does not accuse Castellan"):
        ws.update_case(case_id, add_responsible="Castellan")


def test_responsibles_are_added_removed_and_replaced_one_event_each(ws):
    case_id = ws.open_case(ws.colluders, actor="ana").id
    case = ws.update_case(case_id, remove_responsible=["Apex"], actor="ana")
    assert [r.name for r in case.responsibles] == ["Borealis"]
    case = ws.update_case(case_id, add_responsible="Apex", actor="ana")  # accused: no reason needed
    assert [r.name for r in case.responsibles] == ["Borealis", "Apex"]
    assert ws.update_case(case_id, add_responsible=["Apex", "Borealis"]) == case  # already responsible: nothing changes
    case = ws.update_case(case_id, add_responsible=["Castellan"], remove_responsible="Borealis", override_reason="Castellan had the copy")
    assert [r.name for r in case.responsibles] == ["Apex", "Castellan"]
    case = ws.update_case(case_id, responsible="Apex")  # --responsible: that one recipient only
    assert [r.name for r in case.responsibles] == ["Apex"] and case.responsible.name == "Apex"
    assert [(e.kind, e.old, e.new) for e in case.events if e.field in {"responsible", "evidence"}] == [
        ("change", "Apex, Borealis", "Borealis"),
        ("change", "Borealis", "Borealis, Apex"),
        ("override", f"finding {ws.colluders} does not accuse Castellan", "Castellan had the copy"),
        ("change", "Borealis, Apex", "Apex, Castellan"),
        ("change", "Apex, Castellan", "Apex"),
    ]
    assert [e["action"] for e in _case_entries(ws, case_id)] == ["case.update"] * 4 + ["case.open"]
    assert ws.verify_audit()["ok"]


def test_a_finding_changed_behind_leaktraces_back_carries_no_penalty(ws):
    case_id = ws.open_case(ws.finding).id
    with sqlite3.connect(ws.home / "leaktrace.db") as db:  # forge an accusation of Castellan
        db.execute("UPDATE finding_scores SET accused = 1, score = 12.5 WHERE finding_id = ? AND recipient_name = 'Castellan'", (ws.finding,))
        db.execute("UPDATE findings SET accused = ? WHERE id = ?", (json.dumps(["Borealis", "Castellan"]), ws.finding))
    with pytest.raises(EvidenceTampered, match=f"finding {ws.finding}"):
        ws.update_case(case_id, add_responsible="Castellan")
    with pytest.raises(EvidenceTampered):
        ws.update_case(case_id, penalty_amount="1000", penalty_currency="EUR")
    with pytest.raises(EvidenceTampered):
        ws.open_case(ws.finding)
    assert ws.update_case(case_id, note="supplier called").events[-1].new == "supplier called"  # a note needs no evidence


def test_list_filters_by_status(ws):
    first = ws.open_case(ws.finding)["id"]
    second = ws.open_case(ws.colluders)["id"]
    ws.update_case(first, status="closed")
    assert [c["id"] for c in ws.list_cases()] == [second, first]
    assert [c["id"] for c in ws.list_cases(status="closed")] == [first]
    with pytest.raises(BadInput, match="unknown case status"):
        ws.list_cases(status="shut")
    assert ws.open_case(ws.finding)["id"] > second  # a closed case does not block a new one
