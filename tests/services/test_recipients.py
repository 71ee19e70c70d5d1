"""recipients: unique tidy names that are never numbers, a private key reference each, creation order;
edited and archived with an audit entry each, the seal renewed, a hand edit still named."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict
from leaktrace.services import recipients
from leaktrace.store.models import Recipient


@pytest.fixture()
def ctx(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    yield ws.context
    ws.close()


def test_add_returns_the_stored_row(ctx):
    before = datetime.now(UTC)
    r = recipients.add(ctx, "  Apex \t Plastics\nGmbH ", email="tender@apex.example", org="Apex")
    assert set(r) == {"id", "name", "email", "org", "created_at", "archived_at"}
    assert r["archived_at"] is None
    assert (r["id"], r["name"], r["email"], r["org"]) == (1, "Apex Plastics GmbH", "tender@apex.example", "Apex")
    created = datetime.fromisoformat(r["created_at"])
    assert created.utcoffset().total_seconds() == 0 and before <= created <= datetime.now(UTC)
    assert recipients.add(ctx, "Borealis")["email"] is None


def test_every_recipient_gets_its_own_random_key_reference(ctx):
    for name in ("A", "B", "C"):
        recipients.add(ctx, name)
    with ctx.sessions() as session:
        refs = session.scalars(select(Recipient.key_ref)).all()
    assert len(refs) == len(set(refs)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", ref) for ref in refs)
    assert all("key_ref" not in row for row in recipients.list_all(ctx))  # never shown


@pytest.mark.parametrize(
    "name, words",
    [
        ("", "a recipient needs a name."),
        (" \n\t ", "a recipient needs a name."),
        ("42", "recipient name '42' is a number; numbers are reserved for ids."),
        (" 7 ", "recipient name '7' is a number; numbers are reserved for ids."),
    ],
)
def test_names_that_cannot_be_told_from_ids_are_refused(ctx, name, words):
    with pytest.raises(BadInput) as caught:
        recipients.add(ctx, name)
    assert str(caught.value) == words
    assert recipients.list_all(ctx) == []


def test_a_duplicate_name_is_a_conflict_even_with_other_spacing(ctx):
    recipients.add(ctx, "Apex Plastics GmbH")
    with pytest.raises(Conflict) as caught:
        recipients.add(ctx, "Apex  Plastics GmbH ")
    assert str(caught.value) == "a recipient named 'Apex Plastics GmbH' already exists."
    assert caught.value.http_status == 409
    assert [r["name"] for r in recipients.list_all(ctx)] == ["Apex Plastics GmbH"]
    assert recipients.add(ctx, "Apex 2")["id"] == 2  # a name with a number in it is a name


def test_list_is_in_creation_order(ctx):
    names = ["Zeta", "Alpha", "Mu"]
    for n in names:
        recipients.add(ctx, n, org=n.upper())
    rows = recipients.list_all(ctx)
    assert [(r["id"], r["name"], r["org"]) for r in rows] == [(1, "Zeta", "ZETA"), (2, "Alpha", "ALPHA"), (3, "Mu", "MU")]


def test_each_recipient_added_leaves_an_audit_entry(ctx):
    from leaktrace.services import audit

    apex = recipients.add(ctx, " Apex  Plastics GmbH", email="tender@apex.example", org="Apex", actor="ana")
    borealis = recipients.add(ctx, "Borealis")
    with pytest.raises(Conflict):
        recipients.add(ctx, "Borealis", actor="ana")  # refused: no entry
    entries = [e for e in reversed(audit.list_entries(ctx)) if e.action != "workspace.init"]
    plain = [{k: v for k, v in e.details.items() if k != "seal"} for e in entries]  # the seal is the store's
    assert [(e.actor, e.action, e.subject_type, e.subject_id, d) for e, d in zip(entries, plain, strict=True)] == [
        ("ana", "recipient.add", "recipient", str(apex.id), {"name": "Apex Plastics GmbH", "email": "tender@apex.example", "org": "Apex"}),
        (audit.default_actor(), "recipient.add", "recipient", str(borealis.id), {"name": "Borealis", "email": None, "org": None}),
    ]
    assert audit.verify(ctx).ok


def _entries(ctx, *actions):
    from leaktrace.services import audit

    return [e for e in reversed(audit.list_entries(ctx)) if e.action in actions]


def test_edit_changes_only_the_fields_given_with_before_and_after(ctx):
    from leaktrace.services import audit

    apex = recipients.add(ctx, "Apex", email="old@apex.example", org="Apex")
    edited = recipients.edit(ctx, "Apex", name="  Apex   Plastics ", org="", actor="ana")
    assert (edited.id, edited.name, edited.email, edited.org) == (apex.id, "Apex Plastics", "old@apex.example", None)
    assert recipients.get(ctx, apex.id) == edited
    (entry,) = _entries(ctx, "recipient.edit")
    assert (entry.actor, entry.subject_type, entry.subject_id) == ("ana", "recipient", str(apex.id))
    assert entry.details["before"] == {"name": "Apex", "org": "Apex"} and entry.details["after"] == {"name": "Apex Plastics", "org": None}
    assert "seal" in entry.details  # the record as it now stands
    check = audit.verify(ctx)
    assert check.ok, check.reason


@pytest.mark.parametrize(
    "change, error, words",
    [
        ({"name": "Borealis"}, Conflict, "a recipient named 'Borealis' already exists."),
        ({"name": " "}, BadInput, "a recipient needs a name."),
        ({"name": "12"}, BadInput, "recipient name '12' is a number; numbers are reserved for ids."),
        ({"name": "Apex"}, BadInput, "recipient 'Apex' already has these details: nothing to change (give --name, --email or --org)."),
        ({}, BadInput, "recipient 'Apex' already has these details: nothing to change (give --name, --email or --org)."),
        ({"org": "x" * 201}, BadInput, "a recipient's organisation may have at most 200 characters."),
    ],
)
def test_an_edit_add_would_refuse_is_refused_and_leaves_no_entry(ctx, change, error, words):
    recipients.add(ctx, "Apex")
    recipients.add(ctx, "Borealis")
    with pytest.raises(error) as caught:
        recipients.edit(ctx, "Apex", **change)
    assert str(caught.value) == words
    assert not _entries(ctx, "recipient.edit")
    assert [r.name for r in recipients.list_all(ctx)] == ["Apex", "Borealis"]


def test_archive_and_restore_are_audited_and_filter_the_lists(ctx):
    from leaktrace.services import audit

    recipients.add(ctx, "Apex")
    borealis = recipients.add(ctx, "Borealis")
    with pytest.raises(BadInput, match="say why"):
        recipients.archive(ctx, "Borealis", reason="  ")
    archived = recipients.archive(ctx, str(borealis.id), reason="contract ended", actor="ana")
    assert archived.archived_at is not None and datetime.fromisoformat(archived.archived_at).utcoffset().total_seconds() == 0
    assert [r.name for r in recipients.list_all(ctx, archived=False)] == ["Apex"]
    assert [r.name for r in recipients.list_all(ctx, archived=True)] == ["Borealis"]
    assert [r.name for r in recipients.list_all(ctx)] == ["Apex", "Borealis"]  # everyone, for the evidence
    with pytest.raises(Conflict, match="archived already"):
        recipients.archive(ctx, "Borealis", reason="again")
    restored = recipients.restore(ctx, "Borealis")
    assert restored.archived_at is None
    with pytest.raises(Conflict, match="is not archived"):
        recipients.restore(ctx, "Borealis")
    entries = _entries(ctx, "recipient.archive", "recipient.restore")
    assert [(e.action, e.details.get("reason")) for e in entries] == [("recipient.archive", "contract ended"), ("recipient.restore", None)]
    check = audit.verify(ctx)
    assert check.ok and check.records >= 2, check.reason


def test_a_hand_edit_of_an_edited_recipient_is_still_named(tmp_path):
    import sqlite3

    ws = Workspace.init(tmp_path / "ws")
    try:
        apex = ws.add_recipient("Apex", org="Apex")
        recipients.edit(ws.context, "Apex", org="Apex AG")
        recipients.archive(ws.context, "Apex", reason="merged")
        assert ws.verify_audit().ok
        with sqlite3.connect(ws.home / "leaktrace.db") as db:
            db.execute("UPDATE recipients SET org = 'Someone else' WHERE id = ?", (apex.id,))
        check = ws.verify_audit()
        assert not check.ok and check.record == f"recipient {apex.id}", check
    finally:
        ws.close()


def test_the_name_of_a_recipient_with_copies_is_frozen_its_details_are_not(ctx, tmp_path):
    from leaktrace.services import assets, shares
    from tests.conftest import photo, save

    recipients.add(ctx, "Apex")
    recipients.edit(ctx, "Apex", name="Apex Plastics")  # before any copy: a typo fixed
    asset = assets.add(ctx, [save(tmp_path / "a.png", photo(9, (96, 128)))])[0]
    shares.share(ctx, asset.id, ["Apex Plastics"], tmp_path / "out")
    with pytest.raises(Conflict, match="its name no longer changes"):
        recipients.edit(ctx, "Apex Plastics", name="Apex Plastics AG")
    assert recipients.edit(ctx, "Apex Plastics", org="Apex Group").org == "Apex Group"
    assert recipients.get(ctx, "Apex Plastics").name == "Apex Plastics"
