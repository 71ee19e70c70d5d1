"""records: the interface records are their JSON documents (fields = keys), read by attribute or by key."""

from __future__ import annotations

import dataclasses
import json

import pytest

from leaktrace import records
from leaktrace.records import (
    Asset,
    AssetAdded,
    AssetMatch,
    AssetRef,
    Case,
    CaseEvent,
    CaseFinding,
    Copy,
    Finding,
    FindingAlignment,
    LeakInfo,
    Match,
    Penalty,
    Recipient,
    RecipientRef,
    RecipientScore,
    RemediationStep,
    Share,
    Token,
    User,
)

AT = "2027-01-05T09:00:00+00:00"


def _case(done=(True, False)) -> Case:
    steps = tuple(RemediationStep(i + 1, f"step {i + 1}", None, d, AT if d else None) for i, d in enumerate(done))
    return Case(
        3,
        7,
        "open",
        (RecipientRef(2, "Borealis"), RecipientRef(4, "Apex")),
        "NDA-1",
        Penalty("1000.00", "EUR", 100000, "1,000.00 EUR"),
        "ana",
        AT,
        AT,
        CaseFinding(7, ("Borealis",), "ab" * 32, AssetRef(1, "Bumper")),
        steps,
        (CaseEvent(1, AT, "ana", "opened", "status", None, "open"),),
    )


def _finding(**change) -> Finding:
    alignment = FindingAlignment(((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)), False, "features", 0.9, 0.6, 40, 1, (0, 0, 10, 10), "cd" * 32)
    scores = (RecipientScore("Borealis", 2, 11.123456, 1e-20, True), RecipientScore("Apex", 1, 0.5, 0.88, False))
    base = dict(
        leak=LeakInfo("leak.jpg", "ab" * 32, 64, 48),
        asset=AssetMatch(1, "Bumper", Match(40, 0.612345, False)),
        alignment=alignment,
        candidates=scores,
        epsilon=1e-6,
        threshold=5.9,
        n_tests=2,
        reason=None,
        elapsed_s=0.123456,
        id=5,
        created_at=AT,
        actor="ana",
        software_version="0.1.0",
    )
    return Finding(**{**base, **change})


def test_to_dict_is_the_fields_with_nested_records_as_dicts_and_tuples_as_lists():
    share = Share(1, 2, "round 1", "ana", AT, (Copy("Apex", 1, "ab" * 32, 1, "plan--apex.png", 48.1, 0.998),))
    assert share.to_dict() == {
        "id": 1,
        "asset_id": 2,
        "note": "round 1",
        "created_by": "ana",
        "created_at": AT,
        "copies": [
            {
                "recipient": "Apex",
                "recipient_id": 1,
                "sha256": "ab" * 32,
                "share_id": 1,
                "filename": "plan--apex.png",
                "psnr": 48.1,
                "ssim": 0.998,
                "path": None,
                "size": None,
                "delivered_at": None,
                "stored": False,
                "psnr_luminance": None,
                "revoked_at": None,
            }
        ],
        "delivery": None,
        "terms": None,
        "expires_at": None,
    }
    json.dumps(share.to_dict())  # JSON types only


def test_rounded_fields_and_derived_keys():
    f = _finding().to_dict()
    assert f["elapsed_s"] == 0.123 and f["candidates"][0]["score"] == 11.1235  # the record keeps the full value
    assert _finding().elapsed_s == 0.123456
    assert (f["leak_sha256"], f["leak_path"], f["n_tested"]) == ("ab" * 32, "leak.jpg", 2)
    assert f["alignment"]["homography"] == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert f["asset"] == {"id": 1, "title": "Bumper", "match": {"inliers": 40, "coverage": 0.6123, "mirrored": False}, "page": None, "document": None}
    assert _case().to_dict()["actions_open"] == 1 and _case(()).actions_open == 0
    asset = Asset(1, "Bumper", "b.png", "ab" * 32, "PNG", 480, 320, (19, 29), 1.234567, AT, (8, 12), 0.15, 0.499991)
    assert asset.to_dict()["strength"] == 1.2346 and asset.to_dict()["carrier"] == [19, 29]
    assert asset.to_dict()["geometric_carrier"] == [8, 12] and asset.to_dict()["max_displacement_px"] == 0.5


def test_a_record_reads_like_its_document():
    r = Recipient(1, "Apex", None, "Apex AG", AT)
    assert r["name"] == r.name == "Apex" and "org" in r and "key_ref" not in r
    assert set(r) == {"id", "name", "email", "org", "created_at", "archived_at"} and len(r) == 6 and dict(r) == r.to_dict()
    with pytest.raises(KeyError):
        r["key_ref"]
    c = _case()
    assert c["responsible"] == {"id": 2, "name": "Borealis"} and c["actions_open"] == 1 and len(c) == len(c.to_dict())
    assert c.responsible == c.responsibles[0] and c["responsibles"] == [{"id": 2, "name": "Borealis"}, {"id": 4, "name": "Apex"}]
    assert c["penalty"] == {"amount": "1000.00", "currency": "EUR", "minor": 100000, "display": "1,000.00 EUR"}
    assert dataclasses.replace(c, responsibles=()).to_dict()["responsible"] is None


def test_records_are_frozen_and_equal_by_value():
    r = Recipient(1, "Apex", None, None, AT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.name = "Other"  # type: ignore[misc]
    assert r == Recipient(1, "Apex", None, None, AT) and r != Recipient(2, "Apex", None, None, AT)


def test_asset_added_is_an_asset_plus_the_file_and_the_duplicate_flag():
    added = AssetAdded(1, "Bumper", "b.png", "ab" * 32, "PNG", 480, 320, (19, 29), 1.0, AT, None, None, None, "/in/b.png", True)
    assert isinstance(added, Asset)
    assert {"id", "path", "sha256", "width", "height"} <= set(added)  # the README's ``asset add --json``
    assert (added["path"], added["duplicate"]) == ("/in/b.png", True)


def test_the_token_secret_is_not_in_the_repr():
    t = Token(1, "ana", "ci", False, AT, None, "lt_secret")
    assert t.to_dict()["token"] == "lt_secret" and "lt_secret" not in repr(t)
    assert User(1, "ana", "analyst", False, AT).tokens == 0


@pytest.mark.parametrize(
    "cls", [c for c in vars(records).values() if isinstance(c, type) and issubclass(c, records.Record) and c is not records.Record]
)
def test_every_record_documents_itself_and_its_fields_are_json_keys(cls):
    assert cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "(") or cls in (Penalty, RemediationStep, records.AuditHead)
    names = [f.name for f in dataclasses.fields(cls)] + list(cls.derived)
    assert len(names) == len(set(names))


def test_a_finding_is_the_trace_document_and_the_stored_one():
    f = _finding().to_dict()
    # ``trace --json`` (README): these keys, under the names it has always had
    assert {"leak", "asset", "candidates", "accused", "false_accusation_bound", "elapsed_s", "finding_id"} <= set(f)
    assert (f["finding_id"], f["false_accusation_bound"], f["accused"]) == (5, 1e-6, ["Borealis"])
    # ``finding show --json``
    assert {
        "id",
        "created_at",
        "actor",
        "software_version",
        "alignment",
        "epsilon",
        "threshold",
        "n_tests",
        "reason",
        "leak_sha256",
        "leak_path",
        "n_tested",
    } <= set(f)
    assert [c["accused"] for c in f["candidates"]] == [True, False]
    json.dumps(f)  # JSON types only


def test_accused_follows_the_candidates_and_an_unstored_finding_has_no_id():
    nobody = _finding(candidates=(RecipientScore("Apex", 1, 0.5, 0.88, False),), id=None, created_at=None, actor=None, software_version=None)
    assert nobody.accused == () and nobody.to_dict()["finding_id"] is None and nobody.n_tested == 1
    unmatched = _finding(asset=None, alignment=None, candidates=(), threshold=None, n_tests=0, reason="no registered asset matches")
    assert unmatched.to_dict()["asset"] is None and unmatched.to_dict()["threshold"] is None
