"""core.words: a text page's word shifts, located on the original and recovered from a rendering."""

from __future__ import annotations

import io

import numpy as np
import pikepdf
import pytest

from leaktrace.core import detect, geometry, words
from leaktrace.core.pixels import luminance
from leaktrace.documents import reading, render
from leaktrace.documents._content import displace_page
from leaktrace.documents.strokes import walk_page

HELVETICA = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
WORDS = "tender supplier bumper tooling price series validation the of and drawing delivery quality part".split()


def text_page(seed: int = 0, lines: int = 30) -> bytes:
    """An A5 page of ``lines`` lines of 10 pt Helvetica words."""
    rng = np.random.default_rng(seed)
    body = b" ".join(b"(%s) '" % " ".join(rng.choice(WORDS, 7)).encode() for _ in range(lines))
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(420, 595))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=HELVETICA))
    page.obj.Contents = pdf.make_stream(b"BT /F1 10 Tf 14 TL 40 570 Td " + body + b" ET")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def shifted(data: bytes, signs: np.ndarray, amplitude_pt: float) -> bytes:
    pdf = pikepdf.Pdf.open(io.BytesIO(data))
    displace_page(pdf, pdf.pages[0], lambda p: np.zeros_like(p), word_shift=lambda o, a: amplitude_pt * signs)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def word_map(data: bytes, dpi: float) -> words.WordMap:
    pdf = pikepdf.Pdf.open(io.BytesIO(data))
    walk = walk_page(pdf, pdf.pages[0])
    frame = render.pixel_frame(reading.page_box(pdf.pages[0]), dpi)
    chars, boxes = render.text_chars(data, 0)
    a, b = render.to_pixels(frame, boxes[:, [0, 1]]), render.to_pixels(frame, boxes[:, [2, 3]])
    shape = render.rendered_shape(reading.page_box(pdf.pages[0]), dpi)
    return words.locate(
        render.to_pixels(frame, walk.points),
        walk.words,
        render.along_rows(frame, walk.word_axes),
        chars,
        np.hstack([np.minimum(a, b), np.maximum(a, b)]),
        shape,
    )


def statistic_weights(leak: np.ndarray, original: np.ndarray, wm: words.WordMap) -> np.ndarray:
    y0, y1 = luminance(original).astype(np.float32), luminance(leak).astype(np.float32)
    parts = geometry.linearised(y1, y0, np.ones(y0.shape, bool))
    return words.project(parts, wm, to_reference=np.eye(3))


@pytest.fixture(scope="module")
def page():
    data = text_page()
    wm = word_map(data, 96)
    signs = np.random.default_rng(7).choice(np.array([-1, 1], np.int8), wm.n)
    leak = render.render_page(shifted(data, signs, 0.2), 0, 96)
    return data, wm, signs, statistic_weights(leak, render.render_page(data, 0, 96), wm)


def test_every_word_of_the_page_is_located(page):
    _, wm, _, _ = page
    assert wm.n == 30 * 7
    assert wm.located == wm.n
    assert set(np.unique(wm.label)) == set(range(-1, wm.n))


def test_the_leakers_words_score_far_over_a_threshold(page):
    _, wm, signs, c = page
    t = float(detect.scores(signs[None], c)[0])
    assert t > 8.0, t  # 0.2 pt = 0.27 px at 96 dpi; 210 words


def test_innocents_scores_keep_the_bound(page):
    """Signs never used for the copy score as a Rademacher sum: mean 0, spread 1, tail within exp(−T²/2)."""
    _, wm, _, c = page
    innocents = np.random.default_rng(11).choice(np.array([-1, 1], np.int8), (4000, wm.n))
    t = detect.scores(innocents, c)
    assert abs(t.mean()) < 0.06 and 0.93 < t.std() < 1.07
    assert np.mean(t >= 3.0) <= np.exp(-4.5)  # 1.1 %


def test_an_unmoved_copy_and_the_original_give_no_weights():
    data = text_page(1, lines=5)
    wm = word_map(data, 96)
    image = render.render_page(data, 0, 96)
    assert not statistic_weights(image, image, wm).any()


def test_a_line_whose_words_the_viewer_counts_otherwise_is_left_out():
    origins = np.array([[10.0, 20.0]])
    boxes = np.array([[10, 12, 14, 20], [15, 12, 19, 20], [19, 20, 20, 20], [23, 12, 27, 20.0]])
    wm = words.locate(origins, np.array([0, 0, 0]), np.ones(3, bool), "ab c", boxes, (40, 40))  # the walk saw 3 words, the viewer 2
    assert wm.located == 0 and wm.n == 3


def test_a_page_of_too_many_words_is_left_to_its_lines_quickly():
    import time

    n = words.MAX_WORDS + 1
    start = time.perf_counter()
    wm = words.locate(np.zeros((n, 2)), np.arange(n), np.ones(n, bool), "a " * n, np.zeros((2 * n, 4)), (100, 100))
    assert wm.located == 0 and wm.n == n and time.perf_counter() - start < 1.0
