"""documents.reading against hostile PDFs: each file is small and *declares* something huge (an
image, a stream, a page tree, a nesting of forms); each must be refused in one line naming the
file, quickly, before anything renders or walks it, and nothing is stored."""

from __future__ import annotations

import struct
import time
import zlib

import pikepdf
import pytest

from leaktrace.documents.reading import read_document
from leaktrace.errors import DocumentRejected


def _page(pdf: pikepdf.Pdf, content: bytes = b"0 0 m 100 100 l S", **resources) -> pikepdf.Page:
    page = pdf.add_blank_page(page_size=(612, 792))
    page.obj.Resources = pikepdf.Dictionary(**resources)
    page.obj.Contents = pdf.make_stream(content)
    return page


def _image(pdf: pikepdf.Pdf, w: int, h: int, data: bytes = b"\0" * 3, **extra) -> pikepdf.Stream:
    return pdf.make_stream(
        data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=w, Height=h, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, **extra
    )


def _form(pdf: pikepdf.Pdf, content: bytes, **xobjects) -> pikepdf.Stream:
    return pdf.make_stream(
        content,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, 100, 100],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(**xobjects)),
    )


def _flate_of(chunk: bytes, times: int) -> bytes:
    """zlib data that inflates to ``chunk * times``, made a chunk at a time (never held whole)."""
    z = zlib.compressobj(9)
    return b"".join(z.compress(chunk) for _ in range(times)) + z.flush()


def _raw_pdf(*objects: bytes) -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first the catalog) with a correct xref table."""
    out, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def _save(tmp_path, name: str, pdf: pikepdf.Pdf) -> object:
    path = tmp_path / name
    pdf.save(path)
    return path


def _refused(path, match: str, **limits) -> str:
    started = time.monotonic()
    with pytest.raises(DocumentRejected, match=match) as caught:
        read_document(path, max_bytes=2**30, max_pages=500, **limits)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message and "Traceback" not in message
    assert time.monotonic() - started < 2.0
    return message


def test_a_huge_image_on_the_page_is_refused(tmp_path):
    pdf = pikepdf.new()
    _page(pdf, b"q 100 0 0 100 0 0 cm /Im0 Do Q", XObject=pikepdf.Dictionary(Im0=_image(pdf, 60000, 60000)))
    message = _refused(_save(tmp_path, "bomb.pdf", pdf), "image of 60000×60000 pixels")
    assert "page 1" in message and "max_pixels" in message


def test_max_pixels_is_the_limit(tmp_path):
    pdf = pikepdf.new()
    _page(pdf, b"/Im0 Do", XObject=pikepdf.Dictionary(Im0=_image(pdf, 2000, 1000)))
    path = _save(tmp_path, "big.pdf", pdf)
    _refused(path, "2000×1000 pixels", max_pixels=1_000_000)
    assert read_document(path, max_bytes=2**30, max_pages=500, max_pixels=2_000_000).pages == 1


def test_a_huge_image_inside_nested_forms_is_refused(tmp_path):
    pdf = pikepdf.new()
    inner = _form(pdf, b"/Im0 Do", Im0=_image(pdf, 30000, 30000))
    outer = _form(pdf, b"/Fm1 Do", Fm1=inner)
    _page(pdf, b"/Fm0 Do", XObject=pikepdf.Dictionary(Fm0=outer))
    _refused(_save(tmp_path, "form.pdf", pdf), "30000×30000 pixels")


def test_a_huge_soft_mask_is_refused(tmp_path):
    pdf = pikepdf.new()
    mask = pdf.make_stream(
        b"\0",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=50000,
        Height=50000,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
    )
    _page(pdf, b"/Im0 Do", XObject=pikepdf.Dictionary(Im0=_image(pdf, 1, 1, SMask=mask)))
    _refused(_save(tmp_path, "smask.pdf", pdf), "50000×50000 pixels")


def test_a_huge_inline_image_is_refused(tmp_path):
    pdf = pikepdf.new()
    _page(pdf, b"q 100 0 0 100 0 0 cm BI /W 60000 /H 60000 /CS /RGB /BPC 8 ID \0\0\0 EI Q")
    _refused(_save(tmp_path, "inline.pdf", pdf), r"60000×60000 pixels \(inline\)")


@pytest.mark.parametrize("w, h", [(0, 10), (-5, 10)])
def test_an_image_of_malformed_size_is_refused(tmp_path, w, h):
    pdf = pikepdf.new()
    _page(pdf, b"/Im0 Do", XObject=pikepdf.Dictionary(Im0=_image(pdf, w, h)))
    _refused(_save(tmp_path, "zero.pdf", pdf), "malformed size")


def _jpeg_header(w: int, h: int) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, h, w, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\1\1\0\0\1\0\1\0\0" + sof + b"\xff\xd9"


def _jpx_header(w: int, h: int) -> bytes:
    return b"\xff\x4f\xff\x51" + struct.pack(">HHIIIIIIIIH", 41, 0, w, h, 0, 0, w, h, 0, 0, 3) + b"\x07\x01\x01" * 3


def _jbig2_header(w: int, h: int) -> bytes:
    info = struct.pack(">IIIIBH", w, h, 0, 0, 0, 0)
    return struct.pack(">IBBBI", 0, 48, 0, 1, len(info)) + info


@pytest.mark.parametrize(
    "codec, data",
    [("DCTDecode", _jpeg_header(60000, 60000)), ("JPXDecode", _jpx_header(60000, 60000)), ("JBIG2Decode", _jbig2_header(60000, 60000))],
)
def test_an_image_whose_codec_declares_a_huge_size_is_refused(tmp_path, codec, data):
    """The dictionary says 10×10; the JPEG, JPEG 2000 or JBIG2 data, which is what the decoder allocates for, says 60000×60000."""
    pdf = pikepdf.new()
    image = _image(pdf, 10, 10, data, Filter=pikepdf.Name("/" + codec))
    _page(pdf, b"/Im0 Do", XObject=pikepdf.Dictionary(Im0=image))
    _refused(_save(tmp_path, f"{codec}.pdf", pdf), f"60000×60000 pixels in its {codec[:-6]} data")


def test_a_huge_declared_jpx_is_refused_by_its_dictionary_too(tmp_path):
    pdf = pikepdf.new()
    _page(pdf, b"/Im0 Do", XObject=pikepdf.Dictionary(Im0=_image(pdf, 60000, 60000, _jpx_header(10, 10), Filter=pikepdf.Name.JPXDecode)))
    _refused(_save(tmp_path, "jpx.pdf", pdf), "60000×60000 pixels")


def test_a_flate_bomb_content_stream_is_refused_without_inflating_it(tmp_path):
    pdf = pikepdf.new()
    page = _page(pdf)
    page.obj.Contents = pdf.make_stream(_flate_of(b" " * 2**20, 256), Filter=pikepdf.Name.FlateDecode)  # 256 MB of spaces in 250 kB
    _refused(_save(tmp_path, "flate.pdf", pdf), "decodes to over 64 MB")


def test_a_flate_bomb_outside_the_content_is_refused(tmp_path):
    """A font program PDFium would inflate whole when the page uses the font."""
    pdf = pikepdf.new()
    font_file = pdf.make_stream(_flate_of(b"\0" * 2**20, 256), Filter=pikepdf.Name.FlateDecode)
    descriptor = pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name.Bomb, FontFile2=font_file)
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=pikepdf.Name.Bomb, FontDescriptor=descriptor)
    _page(pdf, b"BT /F1 12 Tf 10 10 Td (x) Tj ET", Font=pikepdf.Dictionary(F1=font))
    _refused(_save(tmp_path, "font.pdf", pdf), "decodes to over 64 MB")


def test_a_chain_of_filters_is_decoded_with_the_cap_at_each_stage(tmp_path):
    pdf = pikepdf.new()
    page = _page(pdf)
    inner = _flate_of(b"0 0 m 1 1 l S\n" * 4096, 2048)  # 112 MB of operators
    page.obj.Contents = pdf.make_stream(zlib.compress(inner), Filter=[pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
    _refused(_save(tmp_path, "chain.pdf", pdf), "decodes to over 64 MB")


def test_tens_of_millions_of_operators_are_refused_before_rendering(tmp_path):
    pdf = pikepdf.new()
    page = _page(pdf)
    part = _flate_of(b"n\n" * 2**19, 10)  # 5 million operators, 10 MB
    page.obj.Contents = pikepdf.Array([pdf.make_stream(part, Filter=pikepdf.Name.FlateDecode) for _ in range(4)])
    path = _save(tmp_path, "ops.pdf", pdf)
    _refused(path, "over 40 MB of page content decoded .* over the limit of 32 MB", max_content_bytes=32 * 2**20)


def test_a_form_drawn_a_billion_times_is_refused(tmp_path):
    """Ten forms, each drawing the next ten times: 10¹⁰ drawings of 14 bytes, from a file of 2 kB."""
    pdf = pikepdf.new()
    form = _form(pdf, b"0 0 m 1 1 l S")
    for _ in range(10):
        form = _form(pdf, b" ".join([b"/F Do"] * 10), F=form)
    _page(pdf, b"/F Do", XObject=pikepdf.Dictionary(F=form))
    _refused(_save(tmp_path, "laughs.pdf", pdf), "each form counted per use")


def test_forms_nested_too_deep_are_refused(tmp_path):
    pdf = pikepdf.new()
    form = _form(pdf, b"0 0 m 1 1 l S")
    for _ in range(40):
        form = _form(pdf, b"/F Do", F=form)
    _page(pdf, b"/F Do", XObject=pikepdf.Dictionary(F=form))
    _refused(_save(tmp_path, "deep.pdf", pdf), "nested over 32 deep")


def test_a_form_that_draws_itself_is_refused(tmp_path):
    pdf = pikepdf.new()
    form = _form(pdf, b"/F Do")
    form.Resources.XObject.F = form
    _page(pdf, b"/F Do", XObject=pikepdf.Dictionary(F=form))
    _refused(_save(tmp_path, "self.pdf", pdf), "draws itself")


def test_a_page_tree_with_a_loop_is_refused(tmp_path):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Pages.Kids.append(pdf.Root.Pages)
    message = _refused(_save(tmp_path, "loop.pdf", pdf), "Loop detected")
    assert "BytesIO" not in message


def test_a_page_used_two_hundred_thousand_times_is_refused_before_qpdf_copies_it(tmp_path):
    n = 200_000
    path = tmp_path / "kids.pdf"
    path.write_bytes(
        _raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b"3 0 R " * n + b"] /Count %d >>" % n,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        )
    )
    _refused(path, "200000 pages, over the limit of 500")


def test_a_page_tree_that_doubles_at_each_level_is_refused(tmp_path):
    """Twenty-two nodes, each listing the next twice: four million pages from one page object."""
    nodes = [b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 2 >>" % (d + 3, d + 3) for d in range(22)]
    path = tmp_path / "doubling.pdf"
    path.write_bytes(_raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", *nodes, b"<< /Type /Page /MediaBox [0 0 612 792] >>"))
    _refused(path, "over 9024 pages, over the limit of 500")


def test_a_page_tree_that_lies_about_its_count_opens(tmp_path):
    path = tmp_path / "count.pdf"
    path.write_bytes(
        _raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        )
    )
    assert read_document(path, max_bytes=2**30, max_pages=500).pages == 1  # qpdf counts the kids, not /Count


@pytest.mark.parametrize(
    "box, match", [(b"[0 0 1000000000 1000000000]", "outside 1 pt to 14400 pt"), (b"[0 0 0 0]", "0×0 pt"), (b"[5 5 5.5 700]", "outside 1 pt")]
)
def test_a_page_of_absurd_size_is_refused(tmp_path, box, match):
    path = tmp_path / "box.pdf"
    path.write_bytes(
        _raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R /MediaBox %s >>" % box
        )
    )
    assert "page 1" in _refused(path, match)


def test_a_stream_that_lies_about_its_length_is_recovered(tmp_path):
    path = tmp_path / "length.pdf"
    path.write_bytes(
        _raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length 999999999999 >>\nstream\n0 0 m 9 9 l S\nendstream",
        )
    )
    assert read_document(path, max_bytes=2**30, max_pages=500).pages == 1  # qpdf reads to endstream


def test_a_garbage_xref_is_recovered_by_qpdf(tmp_path):
    pdf = pikepdf.new()
    _page(pdf)
    path = _save(tmp_path, "xref.pdf", pdf)
    data = path.read_bytes()
    at = data.rindex(b"xref")
    path.write_bytes(data[:at] + b"xref\n0 9\nthis is not a cross-reference table at all\ntrailer\n<< /Size 9 >>\nstartxref\n12345\n%%EOF\n")
    assert read_document(path, max_bytes=2**30, max_pages=500).pages == 1


def test_garbage_with_a_pdf_header_is_refused(tmp_path):
    path = tmp_path / "noise.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    _refused(path, "not a readable PDF")


def test_scripts_attachments_and_launch_actions_are_accepted_and_left_alone(tmp_path):
    pdf = pikepdf.new()
    page = _page(pdf)
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi')"))
    page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")))
    pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(pdf, b"x" * 100_000, mime_type="text/plain")
    assert read_document(_save(tmp_path, "active.pdf", pdf), max_bytes=2**30, max_pages=500).pages == 1


def test_an_ordinary_document_with_forms_images_and_text_opens(tmp_path):
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    symbol = _form(pdf, b"0 0 m 10 10 l S /Im0 Do", Im0=_image(pdf, 1, 1))
    content = b" ".join([b"q 1 0 0 1 5 5 cm /S Do Q"] * 500) + b" BT /F1 9 Tf 9 9 Td (Bolt M8) Tj ET BI /W 2 /H 2 /CS /G /BPC 8 ID \0\0\0\0 EI"
    _page(pdf, zlib.compress(content), XObject=pikepdf.Dictionary(S=symbol), Font=pikepdf.Dictionary(F1=font))
    pdf.pages[0].obj.Contents.Filter = pikepdf.Name.FlateDecode
    assert read_document(_save(tmp_path, "fine.pdf", pdf), max_bytes=2**30, max_pages=500).pages == 1


def test_the_workspace_refuses_hostile_pdfs_and_stores_nothing(tmp_path):
    from leaktrace import Workspace

    bombs = []
    pdf = pikepdf.new()
    _page(pdf, b"/Im0 Do", XObject=pikepdf.Dictionary(Im0=_image(pdf, 60000, 60000)))
    bombs.append(_save(tmp_path, "image.pdf", pdf))
    pdf = pikepdf.new()
    _page(pdf).obj.Contents = pdf.make_stream(_flate_of(b" " * 2**20, 100), Filter=pikepdf.Name.FlateDecode)
    bombs.append(_save(tmp_path, "flate.pdf", pdf))
    ws = Workspace.init(tmp_path / "ws")
    try:
        for path in bombs:
            with pytest.raises(DocumentRejected, match=path.name):
                ws.add_assets([path])
        assert ws.list_assets() == []
    finally:
        ws.close()
