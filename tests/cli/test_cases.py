"""``leaktrace case``: open, update, show and list a case from the command line."""

from __future__ import annotations

from tests.conftest import record_finding


def _ready(cli, tmp_path):
    cli("init")
    leak = tmp_path / "leak.jpg"
    leak.write_bytes(b"leak")
    return record_finding(cli.home, leak, ["Apex", "Borealis"], ("Borealis",))


def test_case_lifecycle(cli, tmp_path):
    finding = _ready(cli, tmp_path)
    result, _ = cli("case", "open", "--finding", finding, "--nda", "NDA-2027-14")
    case_id = result.stdout.strip()
    assert case_id == "1"
    _, case = cli("case", "update", case_id, "--status", "notified", "--penalty-amount", "10000", "--penalty-currency", "EUR", "--json")
    assert case["status"] == "notified" and case["penalty"] == {"amount": "10000", "currency": "EUR"}
    _, case = cli("case", "update", case_id, "--add-action", "Audit the ISMS", "--due", "2027-03-31", "--note", "Letter [sent]", "--json")
    action = case["actions"][0]["id"]
    result, _ = cli("case", "update", case_id, "--action-done", action, "--status", "closed")
    assert f"[x] action {action}: Audit the ISMS due 2027-03-31" in result.stdout and "note Letter [sent]" in result.stdout
    result, _ = cli("case", "update", case_id, "--status", "remediation", expect=2)
    assert result.stderr == "error: case 1 is closed; reopen it first with --status open.\n"
    _, case = cli("case", "show", case_id, "--json")
    assert case["status"] == "closed" and case["responsible"]["name"] == "Borealis" and case["nda"] == "NDA-2027-14"
    assert [e["field"] for e in case["events"]] == ["status", "penalty", "status", "action", "note", "status", "action"]
    _, rows = cli("case", "list", "--status", "closed", "--json")
    assert [r["id"] for r in rows] == [1]
    _, rows = cli("case", "list", "--status", "open", "--json")
    assert rows == []
    result, _ = cli("case", "list")
    assert "Borealis" in result.stdout and "EUR" in result.stdout


def test_bad_case_input_is_one_line(cli, tmp_path):
    finding = _ready(cli, tmp_path)
    _, case = cli("case", "open", "--finding", finding, "--json")
    for args, message in [
        (["case", "open", "--finding", "99"], "no finding numbered 99"),
        (["case", "update", "1", "--status", "shut"], "unknown case status 'shut'"),
        (["case", "update", "1", "--due", "2027-01-01"], "--due goes with --add-action"),
        (["case", "update", "1", "--responsible", "Nobody"], "Nobody"),
        (["case", "show", "5"], "no case numbered 5"),
        (["case", "list", "--status", "shut"], "unknown case status"),
    ]:
        result, _ = cli(*args, expect=2)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and message in result.stderr
    _, again = cli("case", "show", case["id"], "--json")
    assert again == case
