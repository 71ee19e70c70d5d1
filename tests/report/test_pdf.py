"""The PDF parses, has a sensible number of pages, and carries the verdict, the bound and the hashes."""

from __future__ import annotations

import io
import re
import time

import pytest

from leaktrace.report import render
from tests.report.conftest import ACCUSED

pypdf = pytest.importorskip("pypdf")


def _read(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_content(evidence):
    start = time.perf_counter()
    pdf = render(evidence, "pdf")
    elapsed = time.perf_counter() - start
    assert pdf[:5] == b"%PDF-"
    pages, text = _read(pdf)
    assert 5 <= pages <= 9
    flat = " ".join(text.split())
    assert f"The leak derives from the copy made for {ACCUSED}" in flat and "copy sent" not in flat
    assert "names any recipient whose copy the leak does not derive from is at most 1 in 1,000,000" in flat
    assert "Limitations: what this report does not prove" in flat and "M. Keller (CISO) and A. Okafor" in flat
    assert "leaktrace audit verify --against CHECKPOINT_FILE" in flat
    assert evidence.leak.sha256 in re.sub(r"\s", "", text)
    assert f"page 1 of {pages}" in flat and "Finding F-42" in flat and "report of 2 May 2025, 08:30:05 UTC" in flat
    assert elapsed < 15.0  # a few seconds on a laptop; generous for loaded CI machines


def test_pdf_of_nobody(nobody):
    pages, text = _read(render(nobody, "pdf"))
    assert "The evidence names nobody." in " ".join(text.split()) and pages >= 4
