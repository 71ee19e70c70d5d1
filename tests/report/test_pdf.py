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
    assert 3 <= pages <= 8
    flat = " ".join(text.split())
    assert ACCUSED in flat
    assert "the probability that this test accuses any innocent recipient is at most 1 in 1,000,000" in flat
    assert evidence.leak.sha256 in re.sub(r"\s", "", text)
    assert f"page 1 of {pages}" in flat and "Finding F-42" in flat
    assert elapsed < 15.0  # a few seconds on a laptop; generous for loaded CI machines


def test_pdf_of_nobody(nobody):
    pages, text = _read(render(nobody, "pdf"))
    assert "The evidence names nobody." in " ".join(text.split()) and pages >= 3
