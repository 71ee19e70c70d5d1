"""``leaktrace trace``: the --json finding, the plain-words report of every kind of finding, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from leaktrace import Workspace
from leaktrace.cli.app import app
from leaktrace.cli.traces import print_finding
from leaktrace.records import AssetMatch, AssetRef, Finding, FindingAlignment, LeakInfo, Match, RecipientScore
from tests.conftest import DATA, photo, save

NAMES = ["Apex", "Borealis", "Castellan", "Dufour"]


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A workspace with one asset shared to 4 recipients, and a leak: Castellan's copy, cropped, shrunk, JPEG 80."""
    tmp = tmp_path_factory.mktemp("cli-trace")
    with Workspace.init(tmp / "ws") as ws:
        for n in NAMES:
            ws.add_recipient(n)
        (asset,) = ws.add_assets([save(tmp / "plan.png", photo(8, (256, 384)))], title="Plan")
        copies = ws.share(asset["id"], NAMES, tmp / "out")
    image = cv2.imread(copies[2]["path"])
    leak = cv2.resize(image[16:, :352], None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(tmp / "leak.jpg"), leak, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return tmp, asset, leak.shape


def _run(home, *args, code=0):
    result = CliRunner().invoke(app, [*map(str, args), "--home", str(home)])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def test_trace_json_names_the_leaker(shared):
    tmp, asset, (h, w, _) = shared
    finding = json.loads(_run(tmp / "ws", "trace", tmp / "leak.jpg", "--json").stdout)
    # the README's keys (a document only gains keys); it is the stored finding's document
    assert {"leak", "asset", "candidates", "accused", "false_accusation_bound", "elapsed_s", "finding_id"} <= set(finding)
    assert finding == json.loads(_run(tmp / "ws", "finding", "show", finding["finding_id"], "--json").stdout)
    assert finding["leak"]["path"] == str(tmp / "leak.jpg") and (finding["leak"]["width"], finding["leak"]["height"]) == (w, h)
    assert finding["asset"]["id"] == asset["id"] and finding["asset"]["title"] == "Plan"
    assert finding["accused"] == ["Castellan"] and finding["false_accusation_bound"] == 1e-6
    scores = {c["recipient"]: c["score"] for c in finding["candidates"]}
    assert set(scores) == set(NAMES) and [c["recipient"] for c in finding["candidates"]][0] == "Castellan"
    tau = np.sqrt(2 * np.log(len(NAMES) / 1e-6))  # 5.51 for 4 recipients
    assert scores["Castellan"] > tau + 2 and all(abs(scores[n]) < tau for n in NAMES if n != "Castellan")
    assert all(set(c) == {"recipient", "recipient_id", "score", "p_value", "accused", "log10_p_bound", "statistic"} for c in finding["candidates"])
    assert [c["recipient"] for c in finding["candidates"] if c["accused"]] == finding["accused"]
    assert isinstance(finding["finding_id"], int)


def test_trace_text_and_the_asset_option(shared):
    tmp, asset, _ = shared
    text = _run(tmp / "ws", "trace", tmp / "leak.jpg", "--asset", asset["id"]).stdout
    assert text.startswith(f"Leak {tmp / 'leak.jpg'} (")
    assert f"Asset {asset['id']} 'Plan' (" in text and "Accused: Castellan." in text
    assert "among the 4 recipients is at most 1 in 1,000,000." in text
    assert "Stored as finding " in text.splitlines()[-1]


def test_bad_leaks_and_assets_exit_2(shared):
    tmp, *_ = shared
    for args, words in (
        ([DATA / "truncated.jpg"], "truncated.jpg"),
        ([tmp / "missing.jpg"], "missing.jpg"),
        ([tmp / "leak.jpg", "--asset", "99"], "no asset numbered 99"),
        ([tmp / "leak.jpg", "--asset", "plan"], "plan"),
    ):
        result = _run(tmp / "ws", "trace", *args, "--json", code=2)
        assert result.stderr.startswith("error: ") and words in result.stderr and result.stderr.count("\n") == 1
        assert result.stdout == ""


# ----------------------------------------------------------------- print_finding, on records built by hand

LEAK = LeakInfo("found/leak.jpg", "ab" * 32, 640, 480)
ASSET = AssetMatch(3, "Bumper", Match(57, 0.62, False))


def _alignment(hypotheses=1, method="features", inliers=57):
    return FindingAlignment(
        ((0.5, 0.0, 0.0), (0.0, 0.5, 0.0), (0.0, 0.0, 1.0)), False, method, 0.9, 0.62, inliers, hypotheses, (0, 0, 64, 48), "cd" * 32
    )


def _finding(**change):
    base = dict(
        leak=LEAK,
        asset=ASSET,
        alignment=_alignment(),
        candidates=(RecipientScore("Dufour", 2, 23.4, 0.0, True), RecipientScore("Apex", 1, 0.3, 0.96, False)),
        epsilon=1e-6,
        threshold=5.46,
        n_tests=2,
        reason=None,
        elapsed_s=1.234,
        id=12,
    )
    base.update(change)
    return Finding(**base)


def test_print_an_accusation(capsys):
    print_finding(_finding())
    out = capsys.readouterr().out
    assert out.startswith("Leak found/leak.jpg (640x480, sha256 abababababab…)\n")
    assert "Asset 3 'Bumper' (57 matching features, 62% of it visible)\n" in out
    assert "< 1e-300" in out and "9.6e-01" in out and "YES" in out
    assert (
        "Accused: Dufour. A recipient is accused only if its score exceeds 5.46; the probability that this test "
        "accuses any innocent among the 2 recipients is at most 1 in 1,000,000."
    ) in out
    assert out.endswith("Traced in 1.23 s. Stored as finding 12.\n")


def test_print_nobody_named(capsys):
    print_finding(
        _finding(
            candidates=(RecipientScore("Apex", 1, 1.5, 0.32, False),),
            id=None,
            asset=AssetMatch(3, "Bumper", Match(57, 0.62, True)),
            alignment=_alignment(hypotheses=2),
        )
    )
    out = capsys.readouterr().out
    assert "62% of it visible, mirrored)" in out
    assert "The image fits 2 alignments equally well" in out
    assert "The evidence names nobody: no score reaches the threshold 5.46" in out and "Accused" not in out
    assert out.endswith("Traced in 1.23 s.\n")


def test_print_a_document_page(capsys):
    page = AssetMatch(9, "Tender package T-2027-14, page 3", Match(57, 0.62, False), page=3, document=AssetRef(5, "Tender package T-2027-14"))
    print_finding(_finding(asset=page))
    assert "Asset 9: page 3 of Tender package T-2027-14 (asset 5); 57 matching features, 62% of it visible\n" in capsys.readouterr().out


@pytest.mark.parametrize(
    "method, words",
    [
        ("search", "Asset 3 'Bumper' (found in the original by a search at every scale, 62% of it visible)\n"),
        ("full-frame", "Asset 3 'Bumper' (aligned as the whole original, resized, 62% of it visible)\n"),
        ("frame", "Asset 3 'Bumper' (aligned on the picture's frame inside the leak, 62% of it visible)\n"),
        ("rotated", "Asset 3 'Bumper' (found in a rotated view of the original, 62% of it visible)\n"),
        ("a-future-method", "Asset 3 'Bumper' (aligned by image agreement, 62% of it visible)\n"),
    ],
)
def test_a_trace_without_feature_matches_says_what_registered_it(capsys, method, words):
    print_finding(_finding(asset=AssetMatch(3, "Bumper", Match(0, 0.62, False)), alignment=_alignment(method=method, inliers=0)))
    out = capsys.readouterr().out
    assert words in out and "matching features" not in out and "Accused: Dufour." in out


def test_a_geometric_page_match_names_its_page_not_0_features(capsys):
    page = AssetMatch(9, "Tender package, page 3", Match(0, 0.4, True), page=3, document=AssetRef(5, "Tender package"))
    print_finding(_finding(asset=page, alignment=_alignment(method="search", inliers=0)))
    out = capsys.readouterr().out
    assert "Asset 9: page 3 of Tender package (asset 5); found in the original by a search at every scale, 40% of it visible, mirrored\n" in out
    assert "0 matching" not in out


def test_a_leak_that_could_not_be_aligned_says_so(capsys):
    unaligned = _finding(
        asset=AssetMatch(3, "Bumper", Match(0, 0.0, False)),
        alignment=None,
        candidates=(),
        threshold=None,
        reason="the leak could not be aligned to the asset",
    )
    print_finding(unaligned)
    out = capsys.readouterr().out
    assert "Asset 3 'Bumper' (not aligned)\n" in out and "matching features" not in out and "0% of it visible" not in out
    assert "No recipient could be tested (the leak could not be aligned to the asset): nobody is accused. Stored as finding 12." in out


@pytest.fixture(scope="module")
def document_leak(tmp_path_factory):
    """A two-page PDF shared to Apex and Borealis, and a leak: Borealis's copy's page 2, rendered as a PNG."""
    from leaktrace.documents import render
    from tests.web.conftest import tiny_pdf

    tmp = tmp_path_factory.mktemp("cli-trace-document")
    (tmp / "sketch.pdf").write_bytes(tiny_pdf(2))
    with Workspace.init(tmp / "ws") as ws:
        for n in ("Apex", "Borealis"):
            ws.add_recipient(n)
        (doc,) = ws.add_assets([tmp / "sketch.pdf"], title="Sketch")
        copies = ws.share(doc.id, ["Apex", "Borealis"], tmp / "out")
        page = ws.show_asset(doc.id).page_assets[1]
    save(tmp / "page-2.png", render.render_page(Path(copies[1].path).read_bytes(), 1, page.dpi))
    return tmp, doc, page


def test_trace_of_a_document_page_names_the_page_and_its_document(document_leak):
    tmp, doc, page = document_leak
    finding = json.loads(_run(tmp / "ws", "trace", tmp / "page-2.png", "--json").stdout)
    assert finding["asset"]["id"] == page.id and finding["asset"]["page"] == 2
    assert finding["asset"]["document"] == {"id": doc.id, "title": "Sketch"}
    assert {c["recipient"] for c in finding["candidates"]} == {"Apex", "Borealis"}
    text = _run(tmp / "ws", "trace", tmp / "page-2.png").stdout.splitlines()
    assert text[1].startswith(f"Asset {page.id}: page 2 of Sketch (asset {doc.id}); ")


def test_print_no_asset_and_no_recipient(capsys):
    print_finding(_finding(asset=None, alignment=None, candidates=(), threshold=None, reason="no registered asset matches this image"))
    assert capsys.readouterr().out.splitlines()[-1] == "No registered asset matches this image: nobody is accused. Stored as finding 12."
    print_finding(_finding(candidates=(), reason="the asset was never shared", id=None))
    assert capsys.readouterr().out.splitlines()[-1] == "No recipient could be tested (the asset was never shared): nobody is accused."


def test_trace_records_the_chain_of_custody(shared):
    tmp, *_ = shared
    custody = ["--source-url", "https://forum.example/t/123#p7", "--found-at", "2026-01-05T14:30+01:00", "--captured-by", "J. Doe"]
    finding = json.loads(_run(tmp / "ws", "trace", tmp / "leak.jpg", *custody, "--note", "[red]saved[/red] from the thread", "--json").stdout)
    expected = {
        "source_url": "https://forum.example/t/123#p7",
        "found_at": "2026-01-05T13:30:00+00:00",
        "captured_by": "J. Doe",
        "note": "[red]saved[/red] from the thread",
    }
    assert finding["custody"] == expected and finding["accused"] == ["Castellan"]
    shown = json.loads(_run(tmp / "ws", "finding", "show", finding["finding_id"], "--json").stdout)
    assert shown["custody"] == expected
    text = _run(tmp / "ws", "finding", "show", finding["finding_id"]).stdout.splitlines()
    assert text[2:6] == [
        "Source: https://forum.example/t/123#p7",
        "Found: 2026-01-05T13:30:00+00:00",
        "Captured by: J. Doe",
        "Custody note: [red]saved[/red] from the thread",  # as typed, never read as markup
    ]
    traced = _run(tmp / "ws", "trace", tmp / "leak.jpg", "--found-at", "2026-01-05", "--asset", "1").stdout.splitlines()
    assert traced[1] == "Found: 2026-01-05T00:00:00+00:00" and traced[2].startswith("Asset 1 'Plan'")
    plain = json.loads(_run(tmp / "ws", "trace", tmp / "leak.jpg", "--json").stdout)
    assert plain["custody"] is None


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--found-at", "last tuesday"],
            "--found-at 'last tuesday' is not an ISO 8601 date or date and time (e.g. 2027-01-05 or 2027-01-05T14:30+01:00).",
        ),
        (["--found-at", "2999-01-01T00:00Z"], "--found-at 2999-01-01T00:00Z is in the future (it is now "),
        (["--found-at", "2999-01-01"], "--found-at 2999-01-01 is in the future (today is "),
        (
            ["--found-at", "2026-01-05T14:30"],
            "--found-at 2026-01-05T14:30 has no time zone; add Z (UTC) or an offset such as +01:00, or give a date alone.",
        ),
        (["--source-url", "https:///leak.jpg"], "--source-url 'https:///leak.jpg' names no host."),
        (["--captured-by", "x" * 201], "--captured-by is 201 characters long; at most 200 are kept."),
    ],
)
def test_bad_custody_exits_2_in_one_line_and_stores_nothing(shared, args, message):
    tmp, *_ = shared
    before = len(json.loads(_run(tmp / "ws", "finding", "list", "--json").stdout))
    result = _run(tmp / "ws", "trace", tmp / "leak.jpg", *args, "--json", code=2)
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1 and result.stdout == ""
    assert len(json.loads(_run(tmp / "ws", "finding", "list", "--json").stdout)) == before
