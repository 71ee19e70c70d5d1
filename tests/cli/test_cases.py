"""``leaktrace case``: open, update, show and list a case from the command line."""

from __future__ import annotations

from tests.conftest import record_finding


def _ready(cli, tmp_path, accused=("Borealis",)):
    cli("init")
    leak = tmp_path / "leak.jpg"
    leak.write_bytes(b"leak")
    return record_finding(cli.home, leak, ["Apex", "Borealis", "Castellan"], accused)


def test_case_lifecycle(cli, tmp_path):
    finding = _ready(cli, tmp_path)
    result, _ = cli("case", "open", "--finding", finding, "--nda", "NDA-2027-14")
    case_id = result.stdout.strip()
    assert case_id == "1"
    _, case = cli("case", "update", case_id, "--status", "notified", "--penalty-amount", "250.000,00", "--penalty-currency", "EUR", "--json")
    assert case["status"] == "notified"
    assert case["penalty"] == {"amount": "250000.00", "currency": "EUR", "minor": 25000000, "display": "250,000.00 EUR"}
    _, case = cli("case", "update", case_id, "--add-action", "Audit the ISMS", "--due", "2027-03-31", "--note", "Letter [sent]", "--json")
    action = case["actions"][0]["id"]
    result, _ = cli("case", "update", case_id, "--action-done", action, "--status", "closed")
    assert f"[x] action {action}: Audit the ISMS due 2027-03-31" in result.stdout and "note Letter [sent]" in result.stdout
    assert "responsible: Borealis; NDA: NDA-2027-14; penalty 250,000.00 EUR" in result.stdout
    result, _ = cli("case", "update", case_id, "--status", "remediation", expect=2)
    assert result.stderr == "error: case 1 is closed; reopen it first with --status open.\n"
    _, case = cli("case", "show", case_id, "--json")
    assert case["status"] == "closed" and case["responsible"]["name"] == "Borealis" and case["nda"] == "NDA-2027-14"
    assert [r["name"] for r in case["responsibles"]] == ["Borealis"]
    assert [e["field"] for e in case["events"]] == ["status", "penalty", "status", "action", "note", "status", "action"]
    _, rows = cli("case", "list", "--status", "closed", "--json")
    assert [r["id"] for r in rows] == [1]
    _, rows = cli("case", "list", "--status", "open", "--json")
    assert rows == []
    result, _ = cli("case", "list")
    assert "Borealis" in result.stdout and "250,000.00" in result.stdout  # the table may wrap "EUR" onto a line of its own


def test_colluders_and_a_penalty_without_an_accusing_finding(cli, tmp_path):
    finding = _ready(cli, tmp_path, accused=("Apex", "Borealis"))
    _, case = cli("case", "open", "--finding", finding, "--json")
    assert sorted(r["name"] for r in case["responsibles"]) == ["Apex", "Borealis"]
    result, _ = cli("case", "update", "1", "--add-responsible", "Castellan", expect=2)
    assert result.stderr == (
        f"error: case 1: finding {finding} does not accuse Castellan; holding a recipient responsible whom the finding does not accuse "
        "needs a written --override-reason.\n"
    )
    reason = "Castellan's intern forwarded the copy"
    _, case = cli("case", "update", "1", "--add-responsible", "Castellan", "--override-reason", reason, "--json")
    assert [r["name"] for r in case["responsibles"]][-1] == "Castellan"
    result, _ = cli("case", "update", "1", "--penalty-amount", "1000000", "--penalty-currency", "CNY", expect=2)
    assert result.stderr.count("\n") == 1 and f"finding {finding} does not accuse Castellan; a penalty needs" in result.stderr
    result, _ = cli("case", "update", "1", "--penalty-amount", "1000000", "--penalty-currency", "CNY", "--override-reason", reason)
    assert f"override (finding {finding} does not accuse Castellan): {reason}" in result.stdout and "penalty 1,000,000.00 CNY" in result.stdout
    _, entries = cli("audit", "list", "--limit", "1", "--json")
    assert entries[0]["details"]["override"] == {"reason": reason, "not_accused": ["Castellan"]}
    _, case = cli("case", "update", "1", "--remove-responsible", "Castellan", "--remove-responsible", "Apex", "--json")
    assert [r["name"] for r in case["responsibles"]] == ["Borealis"] and case["responsible"]["name"] == "Borealis"
    _, case = cli("case", "update", "1", "--responsible", "Apex", "--json")  # the one responsible recipient from now on
    assert [r["name"] for r in case["responsibles"]] == ["Apex"]


def test_bad_case_input_is_one_line(cli, tmp_path):
    finding = _ready(cli, tmp_path)
    _, case = cli("case", "open", "--finding", finding, "--json")
    for args, message in [
        (["case", "open", "--finding", "99"], "no finding numbered 99"),
        (["case", "update", "1", "--status", "shut"], "unknown case status 'shut'"),
        (["case", "update", "1", "--due", "2027-01-01"], "--due goes with --add-action"),
        (["case", "update", "1", "--responsible", "Nobody"], "Nobody"),
        (["case", "update", "1", "--penalty-amount", "250.000", "--penalty-currency", "EUR"], "reads two ways (250,000 or 250.000)"),
        (["case", "update", "1", "--penalty-amount", "10.5", "--penalty-currency", "JPY"], "JPY has no decimals"),
        (["case", "update", "1", "--penalty-amount", "100", "--penalty-currency", "ABC"], "currency 'ABC' is not an ISO 4217 code"),
        (["case", "update", "1", "--penalty-amount", "100"], "a penalty needs a currency"),
        (["case", "update", "1", "--remove-responsible", "Apex"], "Apex is not a responsible recipient of case 1"),
        (["case", "update", "1", "--note", "x", "--override-reason", "why not"], "nothing to override"),
        (["case", "open", "--finding", finding, "--responsible", "Apex"], "already has open case 1"),
        (["case", "show", "5"], "no case numbered 5"),
        (["case", "list", "--status", "shut"], "unknown case status"),
    ]:
        result, _ = cli(*args, expect=2)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and message in result.stderr, (args, result.stderr)
    _, again = cli("case", "show", case["id"], "--json")
    assert again == case
