"""The HTML report is one self-contained file, says the right thing, and escapes everything."""

from __future__ import annotations

import re
import time
from datetime import datetime
from html import unescape

import pytest

from leaktrace.errors import BadInput
from leaktrace.records import Custody
from leaktrace.report import RENDERERS, html, render
from tests.report.conftest import ACCUSED, CHECKPOINT, HOSTILE, INCLUSION, make_evidence, replace

BOUND = "the probability that this trace names any recipient whose copy the leak does not derive from is at most 1 in 1,000,000"


def _text(data) -> str:
    return render(data, "html").decode("utf-8")


def _flat(data) -> str:
    """The page's text as a reader sees it: tags dropped, whitespace collapsed."""
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", _text(data)).split()).replace(" .", ".").replace(" ,", ","))


def test_self_contained(evidence):
    page = _text(evidence)
    assert 'src="http' not in page and "<link" not in page and "@import" not in page
    assert "url(" not in page and "<script" not in page.replace("&lt;script", "")
    images = re.findall(r'<img [^>]*src="([^"]*)"', page)
    assert len(images) == 2
    assert all(src.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")) for src in images)


def test_hostile_names_are_escaped(evidence):
    page = _text(evidence)
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Bumper &amp; grille &lt;draft&gt;" in page and "Tender round 1 &lt;NDA T-2027&gt;" in page
    assert "S. Brandt &lt;OSINT&gt;" in page and "legal hold &lt;LH-3&gt;" in page


def test_says_the_leak_derives_from_the_copy_made_for_the_recipient_never_that_it_was_sent(evidence):
    page = _flat(evidence)
    assert f"The leak derives from the copy made for {ACCUSED} on 4 March 2025." in page
    assert "copy sent" not in page.lower() and "one sent" not in page.lower() and "sent to" not in page.lower()
    assert BOUND in page
    assert evidence.leak.sha256 in page and evidence.asset.sha256 in page
    assert evidence.key_fingerprint in page and evidence.digest() in page
    assert "not about a person" in page


def test_two_copies_for_the_same_recipient_are_one_fingerprint(evidence):
    later = replace(evidence.shares[0], share_id=9, sent_at=evidence.shares[0].sent_at.replace(day=11))
    page = _flat(replace(evidence, shares=(evidence.shares[0], later)))
    assert f"The leak derives from one of the copies made for {ACCUSED} on 4 March 2025 and 11 March 2025." in page
    assert "Every copy of this original made for the same recipient carries the same fingerprint." in page


def test_colluders_are_each_named_without_saying_who_did_what():
    names = ("Apex Plastics GmbH", ACCUSED, "Jansen BV")
    data = make_evidence(names=names)
    second = replace(data.candidates[1], accused=True, score=12.0, p_value=1e-30)
    data = replace(data, candidates=(data.candidates[0], second, data.candidates[2]), accused=(ACCUSED, second.recipient))
    page = _flat(data)
    assert f"The leak derives from the copy made for {ACCUSED} on 4 March 2025 and the copy made for {second.recipient}." in page
    assert "The test does not say by whom or how." in page


def test_the_bound_is_stated_with_its_three_conditions_and_the_custodians_named(evidence):
    page = _flat(evidence)
    assert f"Provided the three conditions below hold, {BOUND}." in page
    assert "The master key was secret to its custodians: M. Keller (CISO) and A. Okafor." in page
    assert "The asset and the alignment were chosen before any recipient was tested." in page
    assert "The bound covers this one trace: 6 tests (6 recipients × 1 alignment) at ε = 10⁻⁶." in page
    # the two other traces of the same leak count too: 3 traces at ε each
    assert "The same leak file was traced 2 other times (section 5)" in page and "at most 3.0 × 10⁻⁶" in page
    page = _flat(replace(evidence, key_custodians=(), other_traces=()))
    assert "The master key was secret to its custodians: not recorded (the workspace names no key custodians)." in page
    assert "No other trace of this leak file is stored (section 5)." in page
    page = _flat(replace(evidence, hypotheses=2, n_tests=12))
    assert "12 tests (6 recipients × 2 alignments)" in page
    # an asset with a geometric carrier: four statistics per recipient and alignment, named in words
    page = _flat(replace(evidence, hypotheses=2, n_tests=48))
    assert "48 tests (6 recipients × 2 alignments × 4 statistics)" in page
    assert "one in its grey levels, one in where its lines are" in page and "four tests, each counted: 48 tests in all" in page
    assert "This asset's copies carry a second fingerprint, in where its lines are" in page
    assert "four tests" not in _flat(evidence) and "second fingerprint" not in _flat(evidence)
    # a count that is no such product (a revision family: each member's recipients) claims none
    page = _flat(replace(evidence, hypotheses=2, n_tests=30))
    assert "30 tests (of 6 recipients, as the trace counted them" in page and "× 2 alignments" not in page


def test_a_p_bound_that_underflows_reads_below_ten_to_the_minus_300_never_zero():
    data = make_evidence(leaker_score=40.0)
    top = data.candidates[0]
    assert top.p_value == 0.0 and top.log10_p == pytest.approx(-347.44, abs=0.01)
    page = _flat(data)
    assert "< 10⁻³⁰⁰" in page and "a score this high would have a probability below 10⁻³⁰⁰." in page
    assert re.search(r"\b40\.00 0\b", page) is None and "probability at most 0" not in page


def test_earlier_and_later_traces_of_the_same_leak_are_disclosed(evidence):
    page = _flat(evidence)
    assert "Other traces of the same leak" in page
    assert (
        "F-40 16 April 2025, 09:00:00 UTC (before this one) j.moreau no asset matched Named nobody (no registered asset matches this image)" in page
    )
    assert f"F-45 20 April 2025, 11:00:00 UTC (after this one) p.ruiz Bumper & grille <draft> (asset 3) Named {ACCUSED}; 6 tests" in page
    assert "No other trace of this leak file (the same SHA-256) is stored" in _flat(replace(evidence, other_traces=()))


def test_the_report_time_and_maker_are_not_the_trace_time_and_runner(evidence):
    page = _flat(evidence)
    assert "Trace run 17 April 2025, 14:03:22 UTC+02:00 by j.moreau" in page
    assert "This report made 2 May 2025, 08:30:05 UTC by legal.office@ws-17" in page
    assert evidence.digest() != replace(evidence, report_at=evidence.report_at.replace(day=3)).digest()
    assert evidence.digest() != replace(evidence, report_by="someone else").digest()


def test_chain_of_custody_is_shown_and_missing_fields_say_not_recorded(evidence):
    page = _flat(evidence)
    assert "Where it was found https://social.example/p/8841" in page
    assert "When it was found 16 April 2025, 07:45:00 UTC" in page
    assert "Captured by S. Brandt <OSINT>" in page and "Note screenshot of the post" in page
    page = _flat(replace(evidence, custody=Custody(source_url="https://x.example/1")))
    assert "When it was found not recorded Captured by not recorded Note not recorded" in page
    assert _flat(replace(evidence, custody=None)).count("not recorded") >= 4


def test_limitations_name_what_is_not_proven_and_the_senders_own_holders(evidence):
    page = _flat(evidence)
    section = page[page.index("Limitations: what this report does not prove") : page.index("The method in one page")]
    assert "Who published the leak." in section
    assert f"That {ACCUSED} or their staff did it." in section and "Anyone with access to that copy could have" in section
    assert "Anything about the sender's own systems." in section
    assert "Holders of the master key M. Keller (CISO) and A. Okafor" in section
    assert "Copies kept after delivery No: this workspace keeps only each copy's hash and size" in section
    assert f"{ACCUSED}'s copy (share 7) Not held in the sender's store at the time of this report." in section
    # every delivery, download and re-making of the accused's copy, from the log, with who, when and why
    assert "4 4 March 2025, 09:13:00 UTC Handed over for delivery, written into the sender's folder (share 7" in section
    assert (
        "11 18 April 2025, 10:00:00 UTC (after the trace) Re-made from the key and the original; byte for byte the file recorded (share 7" in section
    )
    assert "a.okafor legal hold <LH-3>" in section
    page = _flat(replace(evidence, copy_events=(), retain_copies=True, key_custodians=()))
    assert "The audit log records no delivery, download, re-making or removal of the named recipient's copy" in page
    assert "Holders of the master key not recorded" in page and "Copies kept after delivery Yes" in page


def test_each_copy_is_listed_with_its_hash_and_size(evidence):
    page = _flat(evidence)
    (share,) = evidence.shares
    assert f"SHA-256 of the copy {share.copy_sha256} 48,213 bytes · the file is no longer held by the sender" in page
    assert "Not recorded" in _flat(replace(evidence, shares=(replace(share, size=None, in_store=None),)))


def test_the_signed_head_and_the_inclusion_proof_are_printed_with_how_to_check_them(evidence):
    page = _flat(evidence)
    for value in (CHECKPOINT.root_hash, CHECKPOINT.key_id, CHECKPOINT.signature, CHECKPOINT.public_key, INCLUSION.entry_hash, *INCLUSION.path):
        assert value in page
    assert "Entries (tree size) 12" in page and "The trace that stored this finding is entry 9" in page
    assert "leaktrace audit verify --against CHECKPOINT_FILE" in page and "RFC 9162" in page
    assert '"tree_size": 12' in unescape(_text(evidence))  # the head as a checkpoint file, ready to save
    page = _flat(replace(evidence, checkpoint=None, inclusion=None))
    assert "No signed head of the audit log was available" in page


def test_nobody(nobody):
    page = _flat(nobody)
    assert "The evidence names nobody." in page and "This clears nobody" in page
    assert "That anyone is innocent. Naming nobody clears nobody:" in page and "or their staff did it" not in page
    assert BOUND in page and "Named</td>" not in _text(nobody) and "Handling of the named recipient's copy" not in page


def test_no_asset_and_no_alignment(evidence):
    page = _text(replace(evidence, asset=None, alignment=None, candidates=(), accused=(), shares=()))
    assert "matches none of the registered confidential assets" in page
    assert "<img" not in page
    flat = _flat(replace(evidence, asset=None, alignment=None, candidates=(), accused=(), shares=()))
    assert "No recipient was tested, so this trace cannot name anyone." in flat and "The three conditions" not in flat
    assert "0 recipients were tested" not in flat and "score T is at least –" not in flat
    assert "or come from a confidential image that was never registered" in flat
    page = _text(replace(evidence, alignment=None, candidates=(), accused=(), shares=()))
    assert "could not be placed on the original" in page and page.count("<img") == 1


def test_several_alignments_are_explained(evidence):
    page = " ".join(_text(replace(evidence, hypotheses=2, n_tests=12)).split())
    assert "under each of 2 alignments" in page and "12 tests in all" in page


def test_unknown_format_and_bad_data(evidence):
    assert set(RENDERERS) == {"html", "pdf"}
    with pytest.raises(BadInput, match="docx"):
        render(evidence, "docx")
    with pytest.raises(BadInput, match="timezone"):
        replace(evidence, created_at=datetime(2025, 1, 1))
    with pytest.raises(BadInput, match="uint8"):
        replace(evidence, leak=replace(evidence.leak, image=evidence.leak.image.astype(float)))


def test_digest_is_stable_and_sensitive(evidence):
    assert evidence.digest() == replace(evidence).digest()
    assert evidence.digest() != replace(evidence, actor="someone else").digest()


def test_render_is_fast(evidence):
    start = time.perf_counter()
    html.render(evidence)
    assert time.perf_counter() - start < 3.0


def test_traces_against_the_same_original_are_disclosed_with_their_leak_file(evidence):
    page = _flat(evidence)
    section = page[page.index("Other traces against the same original") : page.index("The share record")]
    assert "whose leak matched this original (Bumper & grille <draft>, asset 3), from any leak file" in section
    other = evidence.asset_traces[0]  # F-38, traced from a file one byte longer
    assert other.finding_id == "F-38" and other.leak_sha256 != evidence.leak.sha256
    assert f"F-38 15 April 2025, 16:30:00 UTC (before this one) r.haas Another file, SHA-256 {other.leak_sha256} Named nobody; 6 tests" in section
    assert f"F-45 20 April 2025, 11:00:00 UTC (after this one) p.ruiz This leak file Named {ACCUSED}" in section
    # the bound counts F-40, F-45 and F-38 once each, with this trace: 4 ε
    assert "at most 3.0 × 10⁻⁶. This original was traced 2 other times from any leak file (section 5)" in page and "at most 4.0 × 10⁻⁶" in page
    page = _flat(replace(evidence, asset_traces=()))
    assert "No other trace against this original (Bumper & grille <draft>, asset 3) is stored" in page
    assert (
        "(section 5); counting every stored trace of it, the probability that any of them named a recipient whose copy the leak does not derive from is at most 3.0 × 10⁻⁶. No other trace against this original is stored (section 5)."
        in page
    )
    assert "No other trace of this leak file is stored (section 5). No other trace" in _flat(replace(evidence, asset_traces=(), other_traces=()))
    page = _flat(replace(evidence, asset=None, alignment=None, candidates=(), accused=(), shares=(), asset_traces=()))
    assert "No registered original matched this leak, so there is no trace against the same original to list." in page


def test_every_share_sender_is_named_among_the_holders_of_copies(evidence):
    page = _flat(evidence)
    section = page[page.index("The sender's own holders of the key and of copies") : page.index("The method in one page")]
    assert "Makers of the shares in section 6 m.keller (share 7)." in section
    assert "Whoever made a share had that copy in hand" in section and f"sharing the original to {ACCUSED} again gives the sender" in section
    again = replace(evidence.shares[0], share_id=9, sent_by="eve", sent_at=evidence.shares[0].sent_at.replace(day=11))
    third = replace(evidence.shares[0], share_id=12, sent_at=evidence.shares[0].sent_at.replace(day=20))
    page = _flat(replace(evidence, shares=(evidence.shares[0], again, third)))
    assert "Makers of the shares in section 6 m.keller (shares 7 and 12) and eve (share 9)." in page
    assert "Makers of the shares" not in _flat(replace(evidence, shares=()))


def test_an_empty_checkpoint_dir_says_the_newest_entries_are_vouched_for_by_this_system_alone(evidence, nobody):
    for data in (evidence, nobody):
        section = _flat(data)
        section = section[section.index("Limitations: what this report does not prove") : section.index("The sender's own holders")]
        assert "That no entry was removed from the end of the audit log. Whoever can write to this system's database can delete" in section
        assert "its checkpoint_dir setting is empty" in section and "leaktrace audit checkpoint --out FILE" in section
        assert "are vouched for by this system alone" in section
    for folder in ("/mnt/legal-worm", None):  # exported elsewhere, or not recorded: nothing claimed
        assert "That no entry was removed from the end of the audit log." not in _flat(replace(evidence, checkpoint_dir=folder))
    page = _flat(replace(evidence, checkpoint_dir="/mnt/legal-worm"))
    assert "into the folder /mnt/legal-worm (its checkpoint_dir setting)" in page


def test_a_document_pages_word_tests_are_named_in_words(evidence):
    """A page tested on its lines and its words: the report says what each of the tests read, and how many."""
    names = ("geometric", "outline", "words", "geometric+words")
    page = _flat(replace(evidence, hypotheses=1, n_tests=24, statistics=4, statistic_names=names))
    assert "24 tests (6 recipients × 1 alignment × 4 statistics)" in page
    assert "Each copy of this document page carries its fingerprint in where its lines are" in page
    assert "on where each word sits on its line, and on the line positions and the words together: four tests, each counted" in page
    assert "second fingerprint" not in page
    with_images = ("luminance", "geometric", "outline", "combined", "words", "geometric+words")
    page = _flat(replace(evidence, hypotheses=1, n_tests=36, statistics=6, statistic_names=with_images))
    assert "both fingerprints together; and, as every word of the page's text is also moved" in page and "six tests, each counted" in page
