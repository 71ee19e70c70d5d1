"""``leaktrace report``: the evidence report of a stored finding, as HTML and PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from pypdf import PdfReader

from leaktrace.cli.reports import report_format
from leaktrace.errors import BadInput
from leaktrace.services.audit import default_actor
from tests.conftest import photo, save


def test_report_of_a_trace_in_html_and_pdf(cli, tmp_path):
    cli("init")
    for n in ("Apex", "Borealis", "Castellan"):
        cli("recipient", "add", n)
    _, (asset,) = cli("asset", "add", save(tmp_path / "draft.png", photo(6, (320, 480))), "--json")
    _, copies = cli("share", asset["id"], "--to", "Apex", "--to", "Borealis", "--to", "Castellan", "--out", tmp_path / "out", "--json")
    image = cv2.imread(copies[1]["path"])
    cv2.imwrite(str(tmp_path / "leak.jpg"), image[20:, 30:], [cv2.IMWRITE_JPEG_QUALITY, 80])
    _, finding = cli("trace", tmp_path / "leak.jpg", "--json")
    assert finding["accused"] == ["Borealis"]
    top = finding["candidates"][0]  # the p-bound's log10 beside it, which never underflows
    assert top["log10_p_bound"] == pytest.approx(np.log10(max(top["p_value"], 1e-300)), abs=1e-3) or top["p_value"] < 1e-300
    _, shown = cli("finding", "show", finding["finding_id"], "--json")
    assert [c["log10_p_bound"] for c in shown["candidates"]] == pytest.approx([c["log10_p_bound"] for c in finding["candidates"]], abs=1e-4)
    _, html = cli("report", finding["finding_id"], "--format", "html", "--out", tmp_path / "r.html", "--json")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html["bytes"] == len(text.encode()) and "Borealis" in text and 'src="http' not in text
    _, pdf = cli("report", finding["finding_id"], "--out", tmp_path / "r.pdf", "--json")
    reader = PdfReader(io.BytesIO((tmp_path / "r.pdf").read_bytes()))
    body = " ".join(page.extract_text() for page in reader.pages)
    assert 4 <= len(reader.pages) <= 9 and "Borealis" in body and finding["leak"]["sha256"][:16] in body.replace("\n", "")
    flat = " ".join(body.split())
    assert "The leak derives from the copy made for Borealis" in flat and "copy sent" not in flat
    _, entries = cli("audit", "list", "--json")
    reports = [e for e in entries if e["action"] == "report"]
    assert len(reports) == 2 and all(e["actor"] == default_actor() for e in reports)  # the OS account@host, never LOGNAME
    assert all(e["details"]["report_at"] > finding["created_at"] for e in reports)
    _, verdict = cli("audit", "verify", "--json")
    assert verdict["ok"] is True


def test_report_of_unknown_finding_or_format(cli, tmp_path):
    cli("init")
    result, _ = cli("report", "42", "--out", tmp_path / "r.pdf", expect=2)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    result, _ = cli("report", "1", "--format", "docx", "--out", tmp_path / "r.docx", expect=2)


def test_report_of_a_tampered_finding_is_refused_in_one_line(cli, tmp_path):
    import sqlite3

    from tests.conftest import record_finding

    cli("init")
    leak = save(tmp_path / "leak.png", photo(2, (24, 32)))
    finding_id = record_finding(cli.home, leak, ["Apex", "Borealis"], ("Borealis",))
    (db,) = cli.home.glob("*.db")
    with sqlite3.connect(db) as connection:  # the forgery: an innocent recipient accused in the database
        connection.execute("UPDATE finding_scores SET score = 12.5, accused = 1 WHERE recipient_name = 'Apex'")
    result, _ = cli("report", finding_id, "--out", tmp_path / "r.pdf", expect=2)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and f"finding {finding_id}" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize(
    "fmt, name, expected",
    [
        (None, "r.html", "html"),
        (None, "R.HTM", "html"),
        (None, "finding-1.pdf", "pdf"),
        ("html", "r.html", "html"),
        ("PDF", "r.pdf", "pdf"),
        ("html", "evidence", "html"),  # no known extension: --format decides
        ("pdf", "r.bin", "pdf"),
    ],
)
def test_the_format_comes_from_format_or_the_file_name(fmt, name, expected):
    assert report_format(fmt, Path(name)) == expected


@pytest.mark.parametrize(
    "fmt, name, words",
    [
        ("pdf", "r.html", "--format pdf contradicts the file name r.html (which says html)"),
        ("html", "out/r.pdf", "--format html contradicts the file name out/r.pdf (which says pdf)"),
        (None, "r.docx", "r.docx: cannot tell the report's format from '.docx'"),
        (None, "report", "report: cannot tell the report's format from no extension"),
    ],
)
def test_a_format_that_cannot_be_told_or_contradicts_the_file_name_is_refused(fmt, name, words):
    with pytest.raises(BadInput, match=re.escape(words)):
        report_format(fmt, Path(name))


def test_report_infers_the_format_from_out_before_opening_the_workspace(cli, tmp_path):
    from tests.conftest import record_finding

    cli("init")
    finding_id = record_finding(cli.home, save(tmp_path / "leak.png", photo(2, (24, 32))), ["Apex", "Borealis"], ("Borealis",))
    _, info = cli("report", finding_id, "--out", tmp_path / "r.html", "--json")
    assert info["format"] == "html" and (tmp_path / "r.html").read_bytes().lstrip().lower().startswith(b"<!doctype html")
    for args in (["--format", "pdf", "--out", tmp_path / "x.html"], ["--out", tmp_path / "x.txt"], ["--out", tmp_path / "x"]):
        result, _ = cli("report", finding_id, *args, expect=2)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and result.stdout == ""
        assert not args[-1].exists()
    result, _ = cli("report", "42", "--out", tmp_path / "r.htm", expect=2)  # the format is fine: the finding is not
    assert "42" in result.stderr
