"""The bundled tender package PDF: deterministic, clean, rendered and extracted by other tools, the committed file its bytes."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest

from leaktrace.samples import DOCUMENTS, document_path
from leaktrace.samples.synthetic import tender_package

A4, A3 = (595, 842), (1191, 842)
PATH_OPS = {"m", "l", "c", "v", "y", "h", "re"}


@pytest.fixture(scope="module")
def full() -> bytes:
    return tender_package()


@pytest.fixture(scope="module")
def short() -> bytes:
    return tender_package(pages=4)


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.Pdf.open(io.BytesIO(data))


def _ops(page: pikepdf.Page) -> Counter:
    return Counter(str(op) for _, op in pikepdf.parse_content_stream(page))


def _problems(pdf: pikepdf.Pdf) -> list:
    return pdf.check_pdf_syntax() if hasattr(pdf, "check_pdf_syntax") else pdf.check()  # pikepdf ≥ 10 renamed check()


def test_the_same_arguments_give_the_same_bytes(full):
    assert tender_package() == full
    assert len(full) < 400_000
    assert tender_package(pages=4) != full


@pytest.mark.parametrize(
    ("pages", "sizes"),
    [(4, [A4, A4, A3, A4]), (5, [A4, A4, A3, A3, A4]), (6, [A4, A4, A4, A3, A3, A4])],
)
def test_pages_and_their_sizes(pages, sizes, full, short):
    data = {4: short, 6: full}.get(pages) or tender_package(pages=pages)
    with _open(data) as pdf:
        assert [tuple(int(v) for v in page.mediabox[2:]) for page in pdf.pages] == sizes
        assert _problems(pdf) == []


@pytest.mark.parametrize("pages", [0, 3, 7])
def test_a_package_has_four_to_six_pages(pages):
    with pytest.raises(ValueError, match="4 to 6 pages"):
        tender_package(pages=pages)


def test_fixed_metadata_and_standard_fonts_not_embedded(full):
    with _open(full) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20261115090000+01'00'" and "/Producer" not in pdf.docinfo
        fonts = {str(f.BaseFont): f for page in pdf.pages for f in page.Resources.Font.values()}
        assert set(fonts) == {"/Helvetica", "/Helvetica-Bold"}
        assert all(f.Subtype == "/Type1" and f.Encoding == "/WinAnsiEncoding" and "/FontDescriptor" not in f for f in fonts.values())


def test_every_page_renders_with_ink_at_72_dpi(full):
    doc = pdfium.PdfDocument(full)
    try:
        for i in range(len(doc)):
            page = doc[i]
            pixels = page.render(scale=1).to_numpy()
            page.close()
            dark = (pixels[..., :3].min(axis=-1) < 160).mean()
            assert 0.002 < dark < 0.6, (i, dark)
    finally:
        doc.close()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_pdftotext_extracts_the_text(full):
    text = subprocess.run(["pdftotext", "-", "-"], input=full, capture_output=True, check=True).stdout.decode()
    for line in [
        "Nordwerk Automotive",
        "Request for quotation T-2027-14",
        "Front and rear bumper assembly",
        "CONFIDENTIAL - FOR QUOTATION PURPOSES ONLY",
        "Table 1 - Parts, annual volumes and general tolerances",
        "The quotation shall remain valid for 180 days from the closing date.",
        "SECTION A-A (1:4)",
        "Drawing no. T-2027-14-002",
        "Figure 2 - Concept car LT-07 in context, design render",
    ]:
        assert line in text, line


def test_the_drawing_pages_are_vector_drawings_with_a_reused_form(full):
    with _open(full) as pdf:
        for page in pdf.pages[3:5]:
            ops = _ops(page)
            assert sum(ops[o] for o in PATH_OPS) > 500 and ops["c"] > 50
            assert ops["W"] + ops["W*"] >= 2 and ops["d"] >= 5  # clipped hatching, dashed centre lines
            forms = {name for name, xobject in page.Resources.XObject.items() if xobject.Subtype == "/Form"}
            uses = Counter(str(operands[0]) for operands, op in pikepdf.parse_content_stream(page) if str(op) == "Do")
            assert forms and sum(uses[name] for name in forms) >= 3


def test_the_render_page_has_one_flate_and_one_jpeg_image(full):
    with _open(full) as pdf:
        images = [x for x in pdf.pages[-1].Resources.XObject.values() if x.Subtype == "/Image"]
        assert sorted(str(x.Filter) for x in images) == ["/DCTDecode", "/FlateDecode"]
        for x in images:
            assert (int(x.Width), int(x.Height), int(x.BitsPerComponent), str(x.ColorSpace)) == (600, 375, 8, "/DeviceRGB")
            assert pikepdf.PdfImage(x).as_pil_image().size == (600, 375)
        assert np.asarray(pikepdf.PdfImage(images[0]).as_pil_image()).std() > 5


def test_the_bundled_document_is_what_tender_package_writes(full):
    """Page by page: the same content streams and the same pixels (the file's bytes also depend on the
    zlib and libjpeg a wheel ships, which the committed file must not)."""
    assert set(DOCUMENTS) == {"tender_package"}
    with _open(document_path("tender_package").read_bytes()) as committed, _open(full) as made:
        assert len(committed.pages) == len(made.pages)
        for a, b in zip(committed.pages, made.pages, strict=True):
            assert a.mediabox == b.mediabox
            assert pikepdf.unparse_content_stream(pikepdf.parse_content_stream(a)) == pikepdf.unparse_content_stream(pikepdf.parse_content_stream(b))
            xa, xb = a.Resources.get("/XObject", {}), b.Resources.get("/XObject", {})
            assert sorted(xa.keys()) == sorted(xb.keys())
            for name in xa.keys():
                if xa[name].Subtype == "/Image":
                    pa = np.asarray(pikepdf.PdfImage(xa[name]).as_pil_image(), float)
                    pb = np.asarray(pikepdf.PdfImage(xb[name]).as_pil_image(), float)
                    assert pa.shape == pb.shape and np.abs(pa - pb).mean() < 2.0, name  # a JPEG decodes within a level
    with pytest.raises(KeyError):
        document_path("render_photo")
