"""/api/v1/traces: a leak upload gives the `trace --json` document, stored as a finding."""

from tests.web.conftest import leak_from


def test_trace_accuses_the_leaker(api, seeded):
    copy = seeded.copy_files["Castellan Composites SpA"].read_bytes()  # as the supplier received it
    r = api["analyst"].post("/api/v1/traces", files={"file": ("found.jpg", leak_from(copy, quality=70), "image/jpeg")})
    assert r.status_code == 201, r.text
    f = r.json()
    assert set(f) >= {"leak", "asset", "candidates", "accused", "false_accusation_bound", "elapsed_s", "finding_id"}
    assert f["accused"] == ["Castellan Composites SpA"]
    assert f["asset"]["id"] == seeded.asset_id and f["leak"]["path"] == "found.jpg"
    assert f["candidates"][0]["recipient"] == "Castellan Composites SpA" and f["candidates"][0]["score"] > 8
    assert all(c["score"] < 5 for c in f["candidates"][1:])
    stored = api["auditor"].get(f"/api/v1/findings/{f['finding_id']}").json()
    assert stored["actor"] == "analyst" and stored["accused"] == f["accused"]


def test_an_unrelated_image_names_nobody(api, tmp_path):
    from tests.conftest import photo, save

    path = save(tmp_path / "other.png", photo(99))
    r = api["analyst"].post("/api/v1/traces", files={"file": ("other.png", path.read_bytes(), "image/png")})
    assert r.status_code == 201 and r.json()["accused"] == []
    # The asset may be named: against a smooth synthetic original (here another test's upload) the
    # feature-free fallback can fit an unrelated image (core.align._register.MIN_AGREEMENT); its
    # recipients then score as innocents, a miss at worst, never an accusation.


def test_a_trace_records_the_chain_of_custody(api, seeded):
    custody = {"source_url": "https://forum.example/t/9", "found_at": "2026-01-05", "captured_by": "J. Doe", "note": "first post of the thread"}
    r = api["analyst"].post("/api/v1/traces", data=custody, files={"file": ("found.jpg", seeded.leak, "image/jpeg")})
    assert r.status_code == 201, r.text
    expected = dict(custody, found_at="2026-01-05T00:00:00+00:00")
    assert r.json()["custody"] == expected and r.json()["accused"] == ["Borealis Moulding AB"]
    assert api["auditor"].get(f"/api/v1/findings/{r.json()['finding_id']}").json()["custody"] == expected
    entry = api["auditor"].get("/api/v1/audit?limit=1").json()["data"][0]
    assert (entry["action"], entry["actor"], entry["details"]["custody"]) == ("trace", "analyst", expected)


def test_bad_custody_is_a_400_in_one_line_before_anything_is_traced(api, seeded):
    before = api["auditor"].get("/api/v1/findings").json()["count"]
    for data, words in (
        ({"found_at": "next week"}, "--found-at 'next week' is not an ISO 8601 date"),
        ({"found_at": "2999-01-01T00:00Z"}, "--found-at 2999-01-01T00:00Z is in the future"),
        ({"found_at": "2026-01-05T14:30"}, "has no time zone"),
        ({"captured_by": "a\nb"}, "--captured-by holds a control character (U+000A) at position 2."),
    ):
        r = api["analyst"].post("/api/v1/traces", data=data, files={"file": ("found.jpg", seeded.leak, "image/jpeg")})
        assert r.status_code == 400 and words in r.json()["error"] and "\n" not in r.json()["error"], (data, r.text)
    assert api["auditor"].get("/api/v1/findings").json()["count"] == before
