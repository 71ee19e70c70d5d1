"""schemas: each XPublic is generated from its record, so the REST body is exactly the record's to_dict()."""

from __future__ import annotations

import dataclasses
import json

import pytest
from pydantic import ValidationError

from leaktrace import records
from leaktrace.web import schemas

PAIRS = [
    (schemas.RecipientPublic, records.Recipient),
    (schemas.AssetPublic, records.Asset),
    (schemas.AssetAdded, records.AssetAdded),
    (schemas.SharePublic, records.Share),
    (schemas.CopyPublic, records.Copy),
    (schemas.FindingPublic, records.Finding),
    (schemas.CasePublic, records.Case),
    (schemas.AuditEntryPublic, records.AuditEntry),
    (schemas.AuditVerifyPublic, records.AuditCheck),
    (schemas.UserPublic, records.User),
    (schemas.TokenPublic, records.Token),
]


@pytest.mark.parametrize("model, record", PAIRS, ids=lambda x: x.__name__)
def test_a_public_model_has_the_records_keys_and_nothing_else(model, record):
    keys = [f.name for f in dataclasses.fields(record)] + list(record.derived)
    assert list(model.model_fields) + list(model.model_computed_fields) == keys
    assert all(info.is_required() for info in model.model_fields.values())
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate({**{k: None for k in keys}, "not_a_field": 1})


def _samples(ws):
    """One record of every kind, read from the seeded workspace as the routes read them."""
    finding = ws.show_finding(ws.list_findings()[-1].id)
    share = ws.list_shares()[0]
    return {
        schemas.RecipientPublic: ws.list_recipients()[0],
        schemas.AssetPublic: ws.list_assets()[0],
        schemas.SharePublic: share,
        schemas.CopyPublic: share.copies[0],
        schemas.FindingPublic: finding,
        schemas.CasePublic: ws.show_case(ws.list_cases()[-1].id),
        schemas.AuditEntryPublic: ws.list_audit(limit=1)[0],
        schemas.AuditVerifyPublic: ws.verify_audit(),
        schemas.UserPublic: ws.list_users()[0],
    }


def test_real_records_pass_through_their_models_unchanged(app, seeded):
    for model, record in _samples(app.state.workspace).items():
        body = record.to_dict()
        assert json.loads(model.model_validate(body).model_dump_json()) == json.loads(json.dumps(body)), model.__name__


def test_list_models_and_the_share_answer(app):
    ws = app.state.workspace
    body = schemas.page(ws.list_recipients())
    assert body["count"] == len(body["data"]) == len(ws.list_recipients())
    assert schemas.RecipientsPublic.model_validate(body).model_dump() == body
    copy = ws.list_shares()[0].copies[0]
    sent = schemas.CopySent.model_validate(dataclasses.replace(copy, path=copy.filename).to_dict()).model_dump()
    assert sent["download"] == f"/api/v1/copies/{copy.sha256}" and sent["path"] == copy.filename


def test_the_openapi_document_names_every_field(api):
    spec = api["auditor"].get("/openapi.json").json()["components"]["schemas"]
    assert set(spec["FindingPublic"]["required"]) >= {"id", "leak", "candidates", "accused", "epsilon", "threshold", "leak_sha256"}
    assert set(spec["CasePublic"]["required"]) >= {"id", "status", "finding", "actions", "events", "actions_open"}
    assert spec["CopySent"]["properties"]["download"]["type"] == "string"
