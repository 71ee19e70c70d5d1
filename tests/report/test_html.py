"""The HTML report is one self-contained file, says the right thing, and escapes everything."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

from leaktrace.errors import BadInput
from leaktrace.report import RENDERERS, html, render
from tests.report.conftest import ACCUSED, HOSTILE, replace

BOUND = "the probability that this test accuses any innocent recipient is at most 1 in 1,000,000"


def _text(data) -> str:
    return render(data, "html").decode("utf-8")


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


def test_names_the_accused_with_the_share_date_and_states_the_bound(evidence):
    page = " ".join(_text(evidence).split())
    assert f"The copy that leaked was the one sent to {ACCUSED} on 4 March 2025." in page
    assert BOUND in page
    assert evidence.leak.sha256 in page and evidence.asset.sha256 in page
    assert evidence.key_fingerprint in page and evidence.digest() in page
    assert "17 April 2025, 14:03:22 UTC+02:00" in page


def test_nobody(nobody):
    page = " ".join(_text(nobody).split())
    assert "The evidence names nobody." in page and "This clears nobody" in page
    assert BOUND in page and "Accused</td>" not in page


def test_no_asset_and_no_alignment(evidence):
    page = _text(replace(evidence, asset=None, alignment=None, candidates=(), accused=(), shares=()))
    assert "matches none of the registered confidential assets" in page
    assert "<img" not in page
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
