"""reports: the evidence of a stored finding comes back from the store whole, says exactly what the
trace tested (shares before it, other traces of the leak, the sender's own handling of the copy,
the signed log head), refuses a tampered finding, and each report issued is audited with its maker."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime

import cv2
import numpy as np
import pytest
from sqlalchemy import text

from leaktrace import Workspace, __version__
from leaktrace.core import bound, merkle
from leaktrace.errors import BadInput, EvidenceTampered, NotFound
from leaktrace.records import Alignment, AssetMatch, Custody, Finding, LeakInfo, Match, RecipientScore
from leaktrace.services import audit, findings, reports
from tests.conftest import photo, record_finding, save

NAMES = ("Apex", "Borealis", "Castellan")
SCORES = {"Apex": 0.4, "Borealis": 11.5, "Castellan": -1.2}
EPSILON = 1e-6


def _store_finding(ws, asset, leak_path, *, hypotheses=2, custody=None, actor="ana"):
    """A finding (no trace run) that accuses Borealis of leaking ``asset``, with a known alignment."""
    ids = {r["name"]: r["id"] for r in ws.list_recipients()}
    h, w = asset["height"], asset["width"]
    mask = np.zeros((h, w), bool)
    mask[10 : h - 12, 20 : w - 8] = True
    homography = np.array([[0.75, 0, -15.0], [0, 0.75, -7.5], [0, 0, 1]])
    n_tests = len(NAMES) * hypotheses
    tau = bound.threshold(n_tests, EPSILON)
    scores = tuple(RecipientScore(n, ids[n], SCORES[n], min(1.0, hypotheses * bound.p_bound(SCORES[n])), n == "Borealis") for n in NAMES)
    data = leak_path.read_bytes()
    info = LeakInfo(str(leak_path), hashlib.sha256(data).hexdigest(), 96, 72)
    alignment = Alignment(homography, mask, False, 31, float(mask.mean()), 0.91, "features")
    kept = findings.alignment_record(ws.context, alignment, hypotheses=hypotheses, shape=(h, w))
    finding = Finding(
        info,
        AssetMatch(asset["id"], "Plan <rev B>", Match(31, float(mask.mean()), False)),
        kept,
        scores,
        EPSILON,
        tau,
        n_tests,
        None,
        0.5,
        custody=custody,
    )
    return findings.record(ws.context, finding, leak_path, actor=actor), alignment


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    ws = Workspace.init(tmp / "ws")
    for n in NAMES:
        ws.add_recipient(n)
    original = photo(7, (144, 192))
    (asset,) = ws.add_assets([save(tmp / "plan.png", original)], title="Plan <rev B>")
    copies = {r["recipient"]: r for r in ws.share(asset["id"], list(NAMES), tmp / "out", note="round 1", actor="lead")}
    leak = cv2.resize(cv2.imread(copies["Borealis"]["path"])[8:, 12:], (96, 72), interpolation=cv2.INTER_AREA)
    leak_path = tmp / "leak.jpg"
    cv2.imwrite(str(leak_path), leak, [cv2.IMWRITE_JPEG_QUALITY, 85])
    finding, alignment = _store_finding(ws, asset, leak_path)
    yield ws, asset, copies, finding.id, finding, original, leak_path, alignment, tmp
    ws.close()


def test_evidence_states_what_the_finding_stored(stored):
    ws, asset, copies, finding_id, finding, original, leak_path, alignment, _ = stored
    e = reports.evidence(ws.context, finding_id)
    assert (e.finding_id, e.actor, e.software_version) == (str(finding_id), "ana", __version__)
    assert e.key_fingerprint == ws.key_fingerprint() and ws.context.master_key.hex() not in repr(e.__dict__)
    assert (e.epsilon, e.n_tests, e.hypotheses) == (EPSILON, 6, 2)
    assert e.threshold == pytest.approx(bound.threshold(6, EPSILON)) == pytest.approx(np.sqrt(2 * np.log(6 / EPSILON)))
    assert e.created_at.utcoffset() is not None
    # the leak, as found, and the original (never a copy)
    assert (e.leak.path, e.leak.sha256, e.leak.width, e.leak.height) == (str(leak_path), finding.leak.sha256, 96, 72)
    assert e.leak.image.shape == (72, 96, 3)  # decoded from the stored blob, RGB
    decoded = cv2.imread(str(leak_path))[..., ::-1].astype(int)
    assert np.abs(e.leak.image.astype(int) - decoded).max() <= 2
    assert (e.asset.id, e.asset.title, e.asset.sha256, e.asset.width, e.asset.height) == (asset["id"], "Plan <rev B>", asset["sha256"], 192, 144)
    assert np.array_equal(e.asset.image, original)
    # the alignment comes back exactly, with its mask
    assert np.array_equal(e.alignment.homography, alignment.homography)
    assert np.array_equal(e.alignment.valid_mask, alignment.valid_mask)
    assert (e.alignment.method, e.alignment.inliers, e.alignment.agreement) == ("features", 31, pytest.approx(0.91))
    # every recipient, by score, with the accusation
    assert [(c.recipient, c.score, c.accused) for c in e.candidates] == [("Borealis", 11.5, True), ("Apex", 0.4, False), ("Castellan", -1.2, False)]
    assert e.candidates[0].p_value == pytest.approx(2 * np.exp(-(11.5**2) / 2))
    assert e.accused == ("Borealis",)


def test_evidence_holds_the_share_records_of_the_accused_only(stored):
    ws, asset, copies, finding_id, finding, *_ = stored
    e = reports.evidence(ws.context, finding_id)
    (share,) = e.shares
    assert (share.share_id, share.recipient, share.sent_by, share.note) == (1, "Borealis", "lead", "round 1")
    assert share.copy_sha256 == copies["Borealis"]["sha256"]
    assert share.size == copies["Borealis"]["size"] > 0 and share.in_store is False  # delivered, not retained
    # the leak, the original and the copies are listed by the report itself; the other inputs here
    assert dict(e.input_hashes) == {"valid region used as evidence (a PNG mask)": finding.alignment.valid_mask_sha256}


def test_html_report_is_audited_with_its_hash_its_time_and_its_maker(stored):
    ws, _, _, finding_id, finding, *_ = stored
    data = reports.report(ws.context, finding_id, "html", actor="legal")
    assert data.lstrip().lower().startswith(b"<!doctype html") and b"Borealis" in data
    assert b"Plan &lt;rev B&gt;" in data and b"Plan <rev B>" not in data
    entry = ws.list_audit(limit=1)[0]
    assert (entry["action"], entry["actor"], entry["subject_type"], entry["subject_id"]) == ("report", "legal", "finding", str(finding_id))
    details = entry["details"]
    assert (details["format"], details["sha256"], details["bytes"]) == ("html", hashlib.sha256(data).hexdigest(), len(data))
    # the report's own time, not the trace's, in the entry and in the report
    report_at = datetime.fromisoformat(details["report_at"])
    assert report_at > datetime.fromisoformat(finding.created_at) and report_at.utcoffset() is not None
    page = data.decode()
    assert "This report made</th><td>" in page and "by legal</td>" in page and "by ana</td>" in page
    # the signed head the report printed is the one recorded
    assert details["checkpoint"]["root_hash"] in page and len(details["evidence_digest"]) == 64


def test_a_finding_without_an_asset_has_no_asset_evidence(tmp_path):
    with Workspace.init(tmp_path / "ws") as ws:
        leak = save(tmp_path / "leak.png", photo(2, (24, 32)))
        fid = record_finding(ws.home, leak, ["Apex"])
        e = reports.evidence(ws.context, fid)
        assert e.asset is None and e.shares == () and e.accused == ()
        assert dict(e.input_hashes) == {} and e.leak.sha256 == hashlib.sha256(leak.read_bytes()).hexdigest()
        assert e.leak.image.shape == (24, 32, 3)
        assert [c.recipient for c in e.candidates] == ["Apex"]


def test_unknown_formats_and_findings_are_refused_before_anything_is_audited(stored):
    ws, _, _, finding_id, *_ = stored
    before = len(ws.list_audit())
    assert reports.FORMATS == ("html", "pdf")
    with pytest.raises(BadInput) as caught:
        reports.report(ws.context, finding_id, "docx")
    assert str(caught.value) == "unknown report format 'docx'; choose one of html, pdf."
    with pytest.raises(NotFound, match="no finding numbered 999"):
        reports.report(ws.context, 999, "html")
    with pytest.raises(NotFound):
        reports.evidence(ws.context, "F-1")
    assert len(ws.list_audit()) == before


def test_an_open_case_is_named_in_the_evidence(stored):
    ws, _, _, finding_id, *_ = stored
    assert reports.evidence(ws.context, finding_id).case_ref is None
    case = ws.open_case(finding_id, actor="lead")
    assert reports.evidence(ws.context, finding_id).case_ref == f"case {case['id']}"


def test_a_share_made_after_the_trace_is_not_evidence(stored):
    ws, asset, copies, finding_id, *_, tmp = stored
    ws.share(asset["id"], ["Borealis"], tmp / "later", note="round 2", actor="lead")
    e = reports.evidence(ws.context, finding_id)
    assert [s.note for s in e.shares] == ["round 1"]


# --------------------------------------------------------------------------- what a careful report adds


@pytest.fixture
def traced(tmp_path):
    """A fresh workspace: three recipients, one share, a stored finding accusing Borealis (with custody)."""
    ws = Workspace.init(tmp_path / "ws", key_custodians="M. Keller (CISO), A. Okafor ,")
    for n in NAMES:
        ws.add_recipient(n)
    (asset,) = ws.add_assets([save(tmp_path / "plan.png", photo(7, (144, 192)))], title="Plan <rev B>")
    copies = {r["recipient"]: r for r in ws.share(asset["id"], list(NAMES), tmp_path / "out", note="round 1", actor="lead")}
    leak = cv2.resize(cv2.imread(copies["Borealis"]["path"])[8:, 12:], (96, 72), interpolation=cv2.INTER_AREA)
    leak_path = tmp_path / "leak.jpg"
    cv2.imwrite(str(leak_path), leak, [cv2.IMWRITE_JPEG_QUALITY, 85])
    custody = Custody("https://social.example/p/1", "2027-01-04T08:00:00+00:00", "S. Brandt", None)
    finding, _ = _store_finding(ws, asset, leak_path, custody=custody)
    yield ws, asset, copies, finding, leak_path, tmp_path
    ws.close()


def test_the_report_names_the_key_custodians_and_the_leaks_custody(traced):
    ws, _, _, finding, *_ = traced
    e = reports.evidence(ws.context, finding.id)
    assert e.key_custodians == ("M. Keller (CISO)", "A. Okafor") and e.retain_copies is False
    assert e.custody == Custody("https://social.example/p/1", "2027-01-04T08:00:00+00:00", "S. Brandt", None)
    page = " ".join(reports.report(ws.context, finding.id, "html", actor="legal").decode().split())
    assert "M. Keller (CISO) and A. Okafor" in page and "https://social.example/p/1" in page
    assert "The leak derives from the copy made for Borealis on" in page and "copy sent" not in page


def test_a_report_made_from_the_command_line_is_made_by_the_os_account(traced):
    ws, _, _, finding, *_ = traced
    data = reports.report(ws.context, finding.id, "html")
    entry = ws.list_audit(limit=1)[0]
    assert entry["action"] == "report" and entry["actor"] == audit.default_actor() and "@" in entry["actor"]
    assert f"by {audit.default_actor()}</td>" in data.decode()


def test_other_traces_of_the_same_leak_are_disclosed_before_and_after(traced):
    ws, asset, _, finding, leak_path, _ = traced
    later, _ = _store_finding(ws, asset, leak_path, hypotheses=1, actor="bob")
    e = reports.evidence(ws.context, finding.id)
    (other,) = e.other_traces
    assert (other.finding_id, other.actor, other.accused, other.n_tests) == (str(later.id), "bob", ("Borealis",), 3)
    assert other.traced_at >= e.created_at and other.asset == f"Plan <rev B> (asset {asset['id']})"
    (earlier,) = reports.evidence(ws.context, later.id).other_traces
    assert earlier.finding_id == str(finding.id)
    unrelated = save(leak_path.parent / "other.png", photo(3, (24, 32)))
    record_finding(ws.home, unrelated, list(NAMES))  # another leak file: not listed
    assert len(reports.evidence(ws.context, finding.id).other_traces) == 1


def test_every_handling_of_the_accused_copy_is_listed_from_the_log(traced):
    ws, _, copies, finding, *_ = traced
    ws.regenerate_copy(1, "Borealis", reason="legal hold LH-3", actor="admin")
    ws.regenerate_copy(1, "Apex", reason="not the accused", actor="admin")
    e = reports.evidence(ws.context, finding.id)
    actions = [(c.action, c.actor, c.recipient, c.reason) for c in e.copy_events]
    assert ("copy.deliver", "lead", "Borealis", None) in actions
    assert ("copy.regenerate", "admin", "Borealis", "legal hold LH-3") in actions
    assert all(c.recipient == "Borealis" for c in e.copy_events)  # Apex's copy is not this evidence
    assert {c.copy_sha256 for c in e.copy_events} == {copies["Borealis"]["sha256"]}


def test_the_report_carries_the_signed_head_and_a_valid_inclusion_proof_of_the_trace(traced):
    ws, _, _, finding, *_ = traced
    data = reports.report(ws.context, finding.id, "html", actor="legal").decode()
    trace_entry = next(e for e in ws.list_audit() if e["action"] == "trace" and e["subject_id"] == str(finding.id))
    report_entry = ws.list_audit(limit=1)[0]
    size, root = report_entry["details"]["checkpoint"]["tree_size"], report_entry["details"]["checkpoint"]["root_hash"]
    assert root in data and str(size) in data and trace_entry["hash"] in data
    path = [h for h in data.split('<ol class="path">')[1].split("</ol>")[0].split("<code>")[1:]]
    path = [bytes.fromhex(h.split("</code>")[0]) for h in path]
    assert merkle.verify_inclusion(bytes.fromhex(trace_entry["hash"]), trace_entry["id"] - 1, size, bytes.fromhex(root), path)
    assert "leaktrace audit verify --against CHECKPOINT_FILE" in data


def test_a_tampered_finding_is_refused_before_anything_is_drawn(traced):
    ws, _, _, finding, *_ = traced
    with ws.context.engine.begin() as connection:  # the forgery of the issue: an innocent recipient accused
        connection.execute(text("UPDATE finding_scores SET score = 12.5, accused = true WHERE recipient_name = 'Apex'"))
    before = len(ws.list_audit())
    with pytest.raises(EvidenceTampered) as caught:
        reports.report(ws.context, finding.id, "pdf", actor="legal")
    assert f"finding {finding.id}" in str(caught.value) and "\n" not in str(caught.value) and caught.value.exit_code == 2
    assert len(ws.list_audit()) == before  # no report entry, no checkpoint


def test_the_json_of_a_finding_carries_a_log10_bound_that_never_underflows(traced):
    ws, asset, _, _, leak_path, _ = traced
    ids = {r["name"]: r["id"] for r in ws.list_recipients()}
    scores = tuple(
        RecipientScore(n, ids[n], 40.0 if n == "Borealis" else 0.1, 0.0 if n == "Borealis" else 1.0, n == "Borealis")
        for n in ("Borealis", "Apex", "Castellan")
    )
    stored = findings.get(ws.context, _store_finding(ws, asset, leak_path)[0].id)
    stored = findings.record(ws.context, dataclasses.replace(stored, id=None, candidates=scores), leak_path, actor="ana")
    top = findings.get(ws.context, stored.id).candidates[0].to_dict()
    assert top["p_value"] == 0.0 and top["log10_p_bound"] == pytest.approx(np.log10(2) - 800 / np.log(10), abs=1e-4)  # 2 alignments
    page = reports.report(ws.context, stored.id, "html", actor="legal").decode()
    assert "&lt; 10⁻³⁰⁰" in page and "probability below 10⁻³⁰⁰" in page


# --------------------------------------------------------------------------- what the report rests on is checked


def _edit(ws, sql: str) -> None:
    """A hand edit straight in the database, behind leaktrace's back."""
    with ws.context.engine.begin() as connection:
        connection.execute(text(sql))


def _refused(ws, finding_id) -> str:
    """The one-line refusal of a report of ``finding_id`` (HTML and PDF), with nothing written to the log."""
    before = len(ws.list_audit())
    for fmt in ("html", "pdf"):
        with pytest.raises(EvidenceTampered) as caught:
            reports.report(ws.context, finding_id, fmt, actor="legal")
        assert "\n" not in str(caught.value) and caught.value.exit_code == 2
    with pytest.raises(EvidenceTampered):
        reports.evidence(ws.context, finding_id)  # never handed out unchecked either
    assert len(ws.list_audit()) == before  # no report entry, no checkpoint
    return str(caught.value)


@pytest.mark.parametrize(
    ("record", "sql"),
    [
        ("asset 1", "UPDATE assets SET title = 'Plan <rev C>' WHERE id = 1"),
        ("share 1", "UPDATE shares SET note = 'sent at the supplier''s request' WHERE id = 1"),
        ("share 1", "UPDATE shares SET created_by = 'someone else' WHERE id = 1"),
        ("recipient 2", "UPDATE recipients SET name = 'Apex' || ' Ltd' WHERE name = 'Borealis'"),
    ],
    ids=["asset title", "share note", "share sender", "recipient name"],
)
def test_a_hand_edit_of_any_sealed_record_the_report_reads_refuses_it_naming_the_record(traced, record, sql):
    ws, _, _, finding, *_ = traced
    reports.report(ws.context, finding.id, "html", actor="legal")  # sound before the edit
    _edit(ws, sql)
    message = _refused(ws, finding.id)
    assert message.startswith(f"{record} was changed after audit entry ") and "The report rests on it" in message


def test_a_hand_edit_of_the_findings_case_or_of_another_trace_listed_refuses_the_report(traced):
    ws, asset, _, finding, leak_path, _ = traced
    case = ws.open_case(finding.id, actor="lead")
    other, _ = _store_finding(ws, asset, leak_path, hypotheses=1, actor="bob")
    reports.report(ws.context, finding.id, "html", actor="legal")
    _edit(ws, f"UPDATE cases SET status = 'closed' WHERE id = {case['id']}")  # to hide the case from the report
    assert _refused(ws, finding.id).startswith(f"case {case['id']} was changed after audit entry ")
    _edit(ws, f"UPDATE cases SET status = 'open' WHERE id = {case['id']}")  # put back as sealed: the report is sound again
    reports.report(ws.context, finding.id, "html", actor="legal")
    _edit(ws, f"UPDATE findings SET actor = 'ana' WHERE id = {other.id}")  # the other trace listed, its runner changed
    assert _refused(ws, finding.id).startswith(f"finding {other.id} was changed after audit entry ")


def _overwrite_blob(ws, sha256: str, data: bytes) -> None:
    """Swap the stored file ``sha256`` for other bytes (its name, the SHA-256, kept)."""
    path = ws.context.blobs.path(sha256)
    path.chmod(0o600)
    path.write_bytes(data)
    path.chmod(0o400)


@pytest.mark.parametrize("what", ["leak file", "valid-region mask", "original (asset 1)"])
def test_a_swapped_stored_file_refuses_the_report_naming_it(traced, what):
    ws, asset, _, finding, leak_path, tmp = traced
    sha = {"leak file": finding.leak.sha256, "valid-region mask": finding.alignment.valid_mask_sha256, "original (asset 1)": asset["sha256"]}[what]
    path = ws.context.blobs.path(sha)
    swapped = {  # a file that decodes, and passes for the real one
        "leak file": leak_path.read_bytes() + b"\0",
        "valid-region mask": ws.context.blobs.get(sha) + b"\0",
        "original (asset 1)": save(tmp / "other.png", photo(8, (144, 192))).read_bytes(),
    }[what]
    _overwrite_blob(ws, sha, swapped)
    message = _refused(ws, finding.id)
    assert message == (
        f"the stored {what} of finding {finding.id} no longer has its recorded SHA-256 {sha} (the file was replaced or altered); "
        "no report is issued from it."
    )
    path.chmod(0o600)
    path.unlink()
    assert "is missing from the blob store" in _refused(ws, finding.id)


def test_the_report_entry_records_the_custodians_retention_and_checkpoint_folder_it_printed(traced):
    ws, _, _, finding, *_ = traced
    reports.report(ws.context, finding.id, "html", actor="legal")
    entry = ws.list_audit(limit=1)[0]
    details = entry["details"]
    assert entry["action"] == "report"
    assert details["key_custodians"] == ["M. Keller (CISO)", "A. Okafor"]
    assert (details["retain_copies"], details["checkpoint_dir"]) == (False, "")


def test_a_trace_of_the_same_leak_with_one_byte_appended_is_disclosed_as_a_trace_against_the_same_original(traced):
    ws, asset, _, finding, leak_path, tmp = traced
    tweaked = tmp / "leak-again.jpg"
    tweaked.write_bytes(leak_path.read_bytes() + b"\0")  # decodes the same, another SHA-256
    again, _ = _store_finding(ws, asset, tweaked, hypotheses=1, actor="bob")
    unrelated = record_finding(ws.home, save(tmp / "x.png", photo(3, (24, 32))), list(NAMES))  # no asset: not against this original
    e = reports.evidence(ws.context, finding.id)
    assert e.other_traces == ()  # not the same file
    (other,) = e.asset_traces
    assert (other.finding_id, other.actor, other.accused, other.leak_sha256) == (str(again.id), "bob", ("Borealis",), again.leak.sha256)
    assert other.leak_sha256 != finding.leak.sha256 and other.traced_at >= e.created_at and str(unrelated) != other.finding_id
    page = " ".join(reports.report(ws.context, finding.id, "html", actor="legal").decode().split())
    section = page[page.index("Other traces against the same original") : page.index("The share record")]
    assert f'<td class="num">{again.id}</td>' in section and "(after this one)</span></td><td>bob</td>" in section
    assert f"Another file, SHA-256 <code>{again.leak.sha256}</code>" in section and "Named Borealis; 3 tests" in section
    assert "This original was traced 1 other time from any leak file (section 5)" in page
    (back,) = reports.evidence(ws.context, again.id).asset_traces  # and the other way round
    assert back.finding_id == str(finding.id)


def test_every_share_sender_is_named_among_the_senders_holders_of_copies(traced):
    ws, asset, _, _, leak_path, tmp = traced
    ws.share(asset["id"], ["Borealis"], tmp / "again", note="re-sent", actor="eve")  # the supplier's exact copy, in eve's hands
    finding, _ = _store_finding(ws, asset, leak_path)
    e = reports.evidence(ws.context, finding.id)
    assert [(s.share_id, s.sent_by) for s in e.shares] == [(1, "lead"), (2, "eve")]
    assert e.shares[0].copy_sha256 == e.shares[1].copy_sha256  # byte for byte the same copy
    page = " ".join(reports.report(ws.context, finding.id, "html", actor="legal").decode().split())
    section = page[page.index("The sender's own holders of the key and of copies") : page.index("The method in one page")]
    assert "Makers of the shares in section 6</th><td>lead (share 1) and eve (share 2)." in section
    assert "Whoever made a share had that copy in hand" in section and "sharing the original to Borealis again gives the sender" in section


def test_without_a_checkpoint_folder_the_newest_entries_are_said_to_rest_on_this_system_alone(traced, tmp_path_factory):
    ws, _, _, finding, *_ = traced
    page = " ".join(reports.report(ws.context, finding.id, "html", actor="legal").decode().split())
    assert "That no entry was removed from the end of the audit log." in page
    assert "are vouched for by this system alone" in page and "<code>leaktrace audit checkpoint --out FILE</code>" in page
    folder = tmp_path_factory.mktemp("worm")
    with Workspace.init(tmp_path_factory.mktemp("kept") / "ws", checkpoint_dir=str(folder)) as kept:
        leak = save(folder.parent / "leak.png", photo(2, (24, 32)))
        fid = record_finding(kept.home, leak, ["Apex"])
        page = " ".join(reports.report(kept.context, fid, "html", actor="legal").decode().split())
        assert "That no entry was removed from the end of the audit log." not in page
        assert f"into the folder {folder} (its <code>checkpoint_dir</code> setting)" in page
        assert kept.list_audit(limit=1)[0]["details"]["checkpoint_dir"] == str(folder)
