"""groups: named sets of recipients in use; a share to a group reaches exactly its members in use at
share time and records each; an archived recipient is offered to no share but still traced."""

from __future__ import annotations

import cv2
import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict, NotFound
from leaktrace.services import audit, groups, recipients
from leaktrace.services import shares as shares_service
from tests.conftest import drawing, photo, save

NAMES = ["Apex", "Borealis", "Castellan", "Dunmore"]


@pytest.fixture
def ws(tmp_path):
    w = Workspace.init(tmp_path / "ws")
    for n in NAMES:
        w.add_recipient(n)
    yield w
    w.close()


def _entries(ws, *actions):
    return [e for e in reversed(audit.list_entries(ws.context)) if e.action in actions]


def test_create_add_remove_archive_each_leave_an_entry(ws):
    ctx = ws.context
    g = groups.create(ctx, "  Tender  T-14 ", description="round 1 bidders", members=["Apex", "2", "Apex"], actor="ana")
    assert (g.name, g.description, [m.name for m in g.members], g.archived_at) == ("Tender T-14", "round 1 bidders", ["Apex", "Borealis"], None)
    assert set(g.to_dict()) == {"id", "name", "description", "created_at", "archived_at", "members"}
    assert set(g.to_dict()["members"][0]) == {"id", "name", "email", "org", "created_at", "archived_at"}
    g = groups.add(ctx, "Tender T-14", ["Castellan", "Apex"])
    assert [m.name for m in g.members] == ["Apex", "Borealis", "Castellan"]
    with pytest.raises(Conflict, match="in group 'Tender T-14' already"):
        groups.add(ctx, str(g.id), ["Apex"])
    g = groups.remove(ctx, "Tender T-14", ["Borealis"])
    assert [m.name for m in g.members] == ["Apex", "Castellan"]
    with pytest.raises(NotFound, match="'Dunmore' is not in group"):
        groups.remove(ctx, "Tender T-14", ["Dunmore"])
    assert groups.get(ctx, g.id) == g and [x.name for x in groups.list_all(ctx)] == ["Tender T-14"]
    archived = groups.archive(ctx, "Tender T-14")
    assert archived.archived_at is not None
    assert groups.list_all(ctx) == [] and [x.name for x in groups.list_all(ctx, archived=True)] == ["Tender T-14"]
    with pytest.raises(Conflict, match="is archived"):
        groups.add(ctx, "Tender T-14", ["Dunmore"])
    entries = _entries(ws, "group.create", "group.add", "group.remove", "group.archive")
    assert [(e.action, e.subject_type, e.subject_id, e.details.get("members")) for e in entries] == [
        ("group.create", "group", str(g.id), [1, 2]),
        ("group.add", "group", str(g.id), [3]),
        ("group.remove", "group", str(g.id), [2]),
        ("group.archive", "group", str(g.id), None),
    ]
    assert entries[0].actor == "ana"
    assert audit.verify(ws.context).ok


@pytest.mark.parametrize(
    "name, members, error, words",
    [
        ("", [], BadInput, "a group needs a name."),
        ("42", [], BadInput, "group name '42' is a number; numbers are reserved for ids."),
        ("T", ["Nobody"], NotFound, "no recipient named or numbered 'Nobody'"),
    ],
)
def test_bad_groups_are_refused(ws, name, members, error, words):
    with pytest.raises(error) as caught:
        groups.create(ws.context, name, members=members)
    assert str(caught.value) == words
    assert groups.list_all(ws.context) == [] and not _entries(ws, "group.create")


def test_names_are_unique_and_archived_recipients_cannot_join(ws):
    groups.create(ws.context, "T")
    with pytest.raises(Conflict, match="already exists"):
        groups.create(ws.context, "T")
    recipients.archive(ws.context, "Dunmore", reason="left")
    with pytest.raises(BadInput, match="'Dunmore' is archived: restore it"):
        groups.create(ws.context, "U", members=["Apex", "Dunmore"])
    with pytest.raises(BadInput, match="'Dunmore' is archived"):
        groups.add(ws.context, "T", ["Dunmore"])
    with pytest.raises(NotFound, match="no recipient group named or numbered 'V'"):
        groups.get(ws.context, "V")


def _asset(ws, tmp_path, image=None):
    return ws.add_assets([save(tmp_path / "bumper.png", drawing() if image is None else image)])[0]["id"]


def test_a_share_to_a_group_reaches_exactly_its_members_in_use_and_records_each(ws, tmp_path):
    asset = _asset(ws, tmp_path)
    groups.create(ws.context, "Bidders", members=["Apex", "Borealis", "Castellan"])
    recipients.archive(ws.context, "Borealis", reason="withdrew")  # a member archived later: left out
    rows = shares_service.share(ws.context, asset, ["Castellan", "Dunmore"], tmp_path / "out", groups=["Bidders", "Bidders"])
    assert [r.recipient for r in rows] == ["Castellan", "Dunmore", "Apex"]  # named first, then the group's; each once
    (entry,) = _entries(ws, "share")
    assert [c["recipient_id"] for c in entry.details["copies"]] == [3, 4, 1]
    groups.remove(ws.context, "Bidders", ["Apex"])  # a later change to the group never changes the share
    assert [c.recipient for c in ws.list_shares()[-1].copies] == ["Castellan", "Dunmore", "Apex"]
    portal = shares_service.share(ws.context, asset, [], None, groups=["Bidders"], portal=True)
    assert [r.recipient for r in portal] == ["Castellan"]


@pytest.mark.parametrize(
    "setup, words",
    [
        (lambda ctx: None, "no recipient group named or numbered 'Ghosts' (see 'leaktrace group list')."),
        (lambda ctx: groups.create(ctx, "Ghosts"), "group 'Ghosts' has no recipient in use to share with (add some with 'leaktrace group add')."),
        (
            lambda ctx: (groups.create(ctx, "Ghosts", members=["Apex"]), recipients.archive(ctx, "Apex", reason="gone")),
            "group 'Ghosts' has no recipient in use to share with (add some with 'leaktrace group add').",
        ),
        (
            lambda ctx: (groups.create(ctx, "Ghosts", members=["Apex"]), groups.archive(ctx, "Ghosts")),
            "group 'Ghosts' is archived: share to its recipients by name, or to another group.",
        ),
    ],
)
def test_a_share_to_an_unknown_empty_or_archived_group_is_refused_in_one_line(ws, tmp_path, setup, words):
    asset = _asset(ws, tmp_path)
    setup(ws.context)
    with pytest.raises((BadInput, NotFound)) as caught:
        shares_service.share(ws.context, asset, [], tmp_path / "out", groups=["Ghosts"])
    assert str(caught.value) == words and "\n" not in words
    assert ws.list_shares() == [] and not (tmp_path / "out").exists()


def test_all_and_named_shares_skip_or_refuse_archived_recipients(ws, tmp_path):
    asset = _asset(ws, tmp_path)
    recipients.archive(ws.context, "Castellan", reason="contract ended")
    rows = ws.share(asset, ["all"], tmp_path / "out")
    assert [r.recipient for r in rows] == ["Apex", "Borealis", "Dunmore"]
    with pytest.raises(BadInput, match="recipient 'Castellan' is archived: restore it"):
        ws.share(asset, ["Castellan"], tmp_path / "out2")
    with pytest.raises(BadInput, match="name at least one recipient with --to, or a group with --to-group."):
        shares_service.share(ws.context, asset, [], tmp_path / "out3")


def test_a_leak_of_an_archived_recipients_copy_is_still_traced_to_it(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    try:
        asset = ws.add_assets([save(tmp_path / "asset.png", photo(4, (360, 540)))])[0]["id"]
        for name in ("Apex", "Borealis", "Castellan"):
            ws.add_recipient(name)
        ws.share(asset, ["Apex", "Borealis", "Castellan"], tmp_path / "out")
        recipients.archive(ws.context, "Borealis", reason="contract ended")
        copy = next((tmp_path / "out").glob("*borealis*"))
        leak = cv2.imread(str(copy))[40:320, 60:480]
        leak = save(tmp_path / "leak.jpg", cv2.cvtColor(leak, cv2.COLOR_BGR2RGB), flag=cv2.IMWRITE_JPEG_QUALITY, quality=85)
        finding = ws.trace(leak)
        assert finding.accused == ("Borealis",)
        assert sorted(c.recipient for c in finding.candidates) == ["Apex", "Borealis", "Castellan"]  # every recipient of the asset tested
        assert ws.verify_audit().ok
    finally:
        ws.close()


def test_the_python_api_has_the_same_verbs(ws, tmp_path):
    asset = _asset(ws, tmp_path)
    g = ws.create_group("Bidders", members=["Apex", "Borealis"], actor="py")
    assert ws.add_to_group("Bidders", ["Castellan"]).members[-1].name == "Castellan"
    assert [m.name for m in ws.remove_from_group(g.id, ["Apex"]).members] == ["Borealis", "Castellan"]
    assert ws.edit_recipient("Castellan", org="Castellan SpA").org == "Castellan SpA"
    assert ws.archive_recipient("Castellan", reason="gone").archived_at
    assert [r.name for r in ws.list_recipients(archived=True)] == ["Castellan"] and len(ws.list_recipients()) == 4
    assert [r.recipient for r in ws.share(asset, ["Dunmore"], tmp_path / "out", groups=["Bidders"])] == ["Dunmore", "Borealis"]
    assert ws.restore_recipient("Castellan").archived_at is None
    assert ws.show_group("Bidders") == ws.list_groups()[0]
    assert ws.archive_group("Bidders").archived_at and ws.list_groups() == [] and len(ws.list_groups(archived=True)) == 1
