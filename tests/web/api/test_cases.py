"""/api/v1/cases: open, follow, change; every change lands on the timeline."""


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
    assert case["penalty"] == {"amount": "250000", "currency": "EUR"}
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
