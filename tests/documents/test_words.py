"""Word shifts (documents._words through displace_page): each word moves by its own amount, text unchanged."""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest

from leaktrace import samples
from leaktrace.documents import render
from leaktrace.documents._content import displace_page
from leaktrace.documents.reading import PageBox
from leaktrace.documents.strokes import walk_page

from .test_content import HELVETICA, S, instructions, make_pdf, to_bytes


def still(p):
    return np.zeros_like(p)


def word_columns(pdf: pikepdf.Pdf) -> list[float]:
    """The left edge of every word on page 1 as PDFium reads it, px at 300 dpi."""
    data = to_bytes(pdf)
    chars, boxes = render.text_chars(data, 0)
    out, start = [], None
    for i, c in enumerate(chars + " "):
        if c.isspace():
            if start is not None:
                out.append(boxes[start:i, 0].min() * S)
                start = None
        elif start is None:
            start = i
    return out


def test_each_word_moves_by_its_own_amount_and_the_rest_of_the_line_stays():
    content = b"BT /F1 12 Tf 20 100 Td (alpha beta gamma) Tj ( delta) Tj ET"
    pdf, original = make_pdf(content), make_pdf(content)
    moves = np.array([0.0, 1.2, -0.6, 0.0])  # pt: beta right, gamma left; "delta", in the next string, stays
    moved = displace_page(pdf, pdf.pages[0], still, word_shift=lambda origins, axes: moves[: len(axes)])
    assert moved.words == 4
    before, after = word_columns(original), word_columns(pdf)
    np.testing.assert_allclose(np.subtract(after, before), moves * S, atol=0.01)
    ink0, ink1 = rendered(original), rendered(pdf)
    chars, boxes = render.text_chars(to_bytes(original), 0)
    beta = boxes[6:10] * S  # its four letters, px (x0, bottom, x1, top) with y up
    rows = slice(int(ink0.shape[0] - beta[:, 3].max() - 2), int(ink0.shape[0] - beta[:, 1].min() + 2))
    cols = slice(int(beta[:, 0].min() - 3), int(beta[:, 2].max() + 8))
    xx = np.arange(ink0.shape[1])[cols]
    centre = [float((im[rows, cols].sum(axis=0) * xx).sum() / im[rows, cols].sum()) for im in (ink0, ink1)]
    assert centre[1] - centre[0] == pytest.approx(1.2 * S, abs=0.2)  # drawn where its box says


def rendered(pdf: pikepdf.Pdf) -> np.ndarray:
    doc = pdfium.PdfDocument(to_bytes(pdf))
    gray = doc[0].render(scale=S, grayscale=True).to_numpy()
    return 255.0 - (gray[..., 0] if gray.ndim == 3 else gray).astype(np.float64)


def test_a_word_cut_across_kerned_strings_moves_as_one():
    pdf = make_pdf(b"BT /F1 12 Tf 20 100 Td [(Wo) 80 (rd next) -20 (one)] TJ ET")
    walk = walk_page(pdf, pdf.pages[0])
    assert walk.words.size == 2  # "Word" across the kerning, "nextone" across the other
    displace_page(pdf, pdf.pages[0], still, word_shift=lambda o, a: np.array([0.3, -0.3]))
    shown = [o for op, o in instructions(pdf) if op == "TJ"]
    assert len(shown) == 1
    parts = list(shown[0][0])
    assert [bytes(p) for p in parts if isinstance(p, pikepdf.String)] == [b"Wo", b"rd ", b"next", b"one"]
    numbers = [float(p) for p in parts if not isinstance(p, pikepdf.String)]
    assert numbers == pytest.approx([-25.0, 80.0, 50.0, -20.0, -25.0], abs=1e-3)  # the original kerning kept


def test_extracted_text_identical_with_words_moved(tmp_path):
    ops = [b"T* (%s) Tj", b"(%s) '", b'0.5 0.1 (%s) "', b"0 -11 Td (%s) Tj", b"0 -11 TD [(%s)] TJ"]
    para = b" ".join(ops[k % 5] % b"Line %d of the tender,  price 1.%02d EUR " % (k, k) for k in range(14))
    pdf = make_pdf(b"BT /F1 9 Tf 11 TL 15 185 Td " + para + b" ET")
    data = to_bytes(pdf)
    rng = np.random.default_rng(3)
    moved = displace_page(pdf, pdf.pages[0], still, word_shift=lambda o, a: rng.choice([-0.3, 0.3], len(a)))
    assert moved.words == 14 * 8
    copy = to_bytes(pdf)
    assert render.page_texts(copy) == render.page_texts(data)
    assert pdf.check_pdf_syntax() == []
    if shutil.which("pdftotext"):
        a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
        a.write_bytes(data)
        b.write_bytes(copy)
        assert (
            subprocess.run(["pdftotext", str(a), "-"], capture_output=True).stdout
            == subprocess.run(["pdftotext", str(b), "-"], capture_output=True).stdout
        )


def test_fonts_that_cannot_be_cut_are_shown_as_they_were():
    type0 = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name("/X"))
    resources = {"/Font": pikepdf.Dictionary(F1=pikepdf.Dictionary(HELVETICA), F2=type0)}
    pdf = make_pdf(b"BT /F2 12 Tf 20 100 Td <00410020> Tj ET BT 20 80 Td (no font yet) Tj ET", resources=resources)
    before = instructions(pdf)
    moved = displace_page(pdf, pdf.pages[0], still, word_shift=lambda o, a: np.full(len(a), 0.3))
    assert moved.words == 0
    assert instructions(pdf) == before


def test_font_is_graphics_state_restored_by_Q_and_inherited_by_forms():
    pdf = make_pdf(b"q BT /F1 10 Tf 20 100 Td (one two) Tj ET Q BT 20 80 Td (three four) Tj ET")
    assert walk_page(pdf, pdf.pages[0]).words.size == 2  # after Q, no font: "three four" is not cut


def test_rotated_text_words_are_counted_with_their_baseline():
    pdf = make_pdf(b"BT /F1 10 Tf 0 1 -1 0 100 20 Tm (up the side) Tj ET")
    walk = walk_page(pdf, pdf.pages[0])
    np.testing.assert_allclose(walk.word_axes, [[0.0, 1.0]] * 3, atol=1e-12)
    assert not render.along_rows(render.pixel_frame(PageBox(0, 0, 200, 200, 0), 150), walk.word_axes).any()


def test_tender_package_words_walk_matches_the_viewers_words():
    """Every text page's words are found by the walk as PDFium reads them (same count per page)."""
    path = samples.document_path("tender_package")
    data = path.read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for i in (0, 1, 2):
            walk = walk_page(pdf, pdf.pages[i])
            chars, _ = render.text_chars(data, i)
            assert walk.words.size == len(chars.split()), i


def test_tender_package_copy_with_its_words_moved_within_size_contract():
    path = samples.document_path("tender_package")
    rng = np.random.default_rng(2)
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            displace_page(pdf, page, lambda p: 0.1 * np.sin(p / 40), word_shift=lambda o, a: 0.2 * rng.choice([-1.0, 1.0], len(a)))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    assert len(out.getvalue()) <= 1.5 * path.stat().st_size  # 1.30 measured (1.11 with lines alone)
