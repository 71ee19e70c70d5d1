"""documents.render: PDFium's pixels and the page-to-pixel map agree, for every page rotation."""

from __future__ import annotations

import io

import numpy as np
import pikepdf
import pytest

from leaktrace.documents import reading, render


def _pdf(rotate: int = 0, *, box=(0, 0, 300, 200), crop=None, square=(40.0, 150.0, 4.0)) -> bytes:
    """A page with one filled square of side ``s`` pt at (x, y) (its lower-left corner)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(box[2], box[3]))
    page = pdf.pages[0]
    page.obj.MediaBox = pikepdf.Array(list(box))
    if crop is not None:
        page.obj.CropBox = pikepdf.Array(list(crop))
    if rotate:
        page.obj.Rotate = rotate
    x, y, s = square
    page.obj.Contents = pdf.make_stream(f"0 g {x} {y} {s} {s} re f".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _ink_centroid(image: np.ndarray) -> np.ndarray:
    ink = 255.0 - image.mean(axis=2)
    rows, cols = np.indices(ink.shape)
    return np.array([(cols * ink).sum(), (rows * ink).sum()]) / ink.sum()


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("crop", [None, (10, 20, 290, 190)])
def test_the_square_lands_where_the_frame_says(rotate, crop):
    data = _pdf(rotate, crop=crop)
    doc = reading.open_document(data, "t.pdf", max_pages=5)
    box = reading.page_box(doc.pages[0])
    dpi = 144.0
    image = render.render_page(data, 0, dpi)
    assert image.shape[:2] == render.rendered_shape(box, dpi)
    centre = render.pixel_frame(box, dpi) @ np.array([42.0, 152.0, 1.0])  # the square's centre, page space
    assert np.abs(_ink_centroid(image) - centre).max() < 0.02


def test_a_plotter_sheet_renders_at_a_lower_resolution_within_the_pixel_limit():
    box = reading.PageBox(0, 0, 200 * 72, 36 * 72, 0)
    dpi = render.dpi_within(box, 150, 100_000_000)
    h, w = render.rendered_shape(box, dpi)
    assert dpi < 150 and h * w <= 100_000_000


def test_hostile_files_are_one_line_refusals(tmp_path):
    from leaktrace.errors import DocumentRejected

    cases = {
        "text.pdf": b"hello, not a PDF",
        "cut.pdf": _pdf()[:200],
        "empty.pdf": b"",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DocumentRejected) as e:
            reading.read_document(path, max_bytes=2**20, max_pages=10)
        assert str(e.value).startswith(str(path)) and "\n" not in str(e.value)
    big = tmp_path / "big.pdf"
    big.write_bytes(_pdf())
    with pytest.raises(DocumentRejected, match="over the"):
        reading.read_document(big, max_bytes=100, max_pages=10)
    with pytest.raises(DocumentRejected, match="pages, over the limit"):
        reading.open_document(_many_pages(3), "many.pdf", max_pages=2)


def test_a_password_protected_document_is_refused():
    pdf = pikepdf.open(io.BytesIO(_pdf()))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    from leaktrace.errors import DocumentRejected

    with pytest.raises(DocumentRejected, match="password"):
        reading.open_document(out.getvalue(), "locked.pdf", max_pages=5)


def _many_pages(n: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(n):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize("dpi", [72, 96, 150, 144.5])
def test_the_rendered_shape_is_what_pdfium_draws(dpi):
    data = _pdf(box=(0, 0, 842, 595))
    pdf = reading.open_document(data, "t.pdf", max_pages=5)
    box = reading.page_box(pdf.pages[0])
    assert render.render_page(data, 0, dpi).shape[:2] == render.rendered_shape(box, dpi)
