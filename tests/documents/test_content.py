"""displace_page: build small PDFs, move them by a known field, recover the field from the output."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from decimal import Decimal

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest

from leaktrace import samples
from leaktrace.documents._content import MAX_FORM_DEPTH, Moved, apply, displace_page
from leaktrace.documents._numbers import TOLERANCE_PT
from leaktrace.errors import DocumentRejected

DPI = 300
S = DPI / 72  # px per pt
HELVETICA = {"/Type": pikepdf.Name.Font, "/Subtype": pikepdf.Name.Type1, "/BaseFont": pikepdf.Name.Helvetica}


def constant(dx, dy):
    return lambda p: np.tile([dx, dy], (len(p), 1)).astype(np.float64)


A = np.array([[0.001, 0.002], [-0.0015, 0.001]])
B = np.array([0.1, -0.05])


def linear(p):
    return p @ A.T + B


def make_pdf(*contents: bytes, resources: dict | None = None) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for content in contents:
        page = pdf.add_blank_page(page_size=(200, 200))
        page.obj.Resources = pikepdf.Dictionary(resources or {"/Font": pikepdf.Dictionary(F1=pikepdf.Dictionary(HELVETICA))})
        page.obj.Contents = pdf.make_stream(content)
    return pdf


def form(pdf: pikepdf.Pdf, content: bytes, bbox=(0, 0, 30, 30), **extra) -> pikepdf.Stream:
    stream = pdf.make_stream(content)
    stream.Type, stream.Subtype, stream.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, pikepdf.Array(bbox)
    for key, value in extra.items():
        stream[f"/{key}"] = value
    return stream


def to_bytes(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def render(pdf: pikepdf.Pdf, index: int = 0) -> np.ndarray:
    """Ink (255 − grey) of one page at 300 dpi, float64, rows downward."""
    doc = pdfium.PdfDocument(to_bytes(pdf))
    gray = doc[index].render(scale=S, grayscale=True).to_numpy()
    return 255.0 - gray[..., 0].astype(np.float64) if gray.ndim == 3 else 255.0 - gray.astype(np.float64)


def centroid(ink: np.ndarray, rows=slice(None), cols=slice(None)) -> np.ndarray:
    """Ink centroid (x, y) in px of a region, x rightward, y downward."""
    region = ink[rows, cols]
    yy, xx = np.mgrid[0 : ink.shape[0], 0 : ink.shape[1]]
    total = region.sum()
    return np.array([(xx[rows, cols] * region).sum() / total, (yy[rows, cols] * region).sum() / total])


def moved_px(before, after, shift_pt):
    """Centroid error, px: measured motion minus the expected one (page y up → image y down)."""
    return (after - before) - np.array([shift_pt[0] * S, -shift_pt[1] * S])


def instructions(pdf: pikepdf.Pdf, index: int = 0):
    return [(str(i.operator), list(i.operands)) for i in pikepdf.parse_content_stream(pdf.pages[index])]


def mul(m, n):
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def line_origins(ops) -> list[np.ndarray]:
    """Independent replay: page-space origin of the line matrix at every text-show operator, pt."""
    ctm, stack, tlm, leading, out = (1, 0, 0, 1, 0, 0), [], None, 0.0, []

    def td(tx, ty):
        return mul((1, 0, 0, 1, tx, ty), tlm)

    for op, v in ops:
        f = [float(x) for x in v if isinstance(x, (int, float, Decimal))]
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = mul(tuple(f), ctm)
        elif op == "BT":
            tlm = (1, 0, 0, 1, 0, 0)
        elif op == "TL":
            leading = f[0]
        elif op == "Td":
            tlm = td(*f)
        elif op == "TD":
            leading, tlm = -f[1], td(*f)
        elif op == "Tm":
            tlm = tuple(f)
        elif op in ("T*", "'", '"'):
            tlm = td(0, -leading)
        if op in ("Tj", "TJ", "'", '"'):
            m = mul(tlm, ctm)
            out.append(np.array([m[4], m[5]]))
    return out


def test_constant_shift_moves_filled_rectangle():
    # Slightly rotated: pdfium snaps axis-aligned rectangle fills to whole pixels.
    pdf = make_pdf(b"q 1 0.02 -0.02 1 0 0 cm 0 g 40 50 60 30 re f Q")
    before = centroid(render(pdf))
    moved = displace_page(pdf, pdf.pages[0], constant(0.5, -0.3))
    err = moved_px(before, centroid(render(pdf)), (0.5, -0.3))
    assert np.abs(err).max() < 0.05, err
    assert moved == Moved(points=4, lines=0, forms=0, images=(), max_shift_pt=pytest.approx(np.hypot(0.5, 0.3)))


def test_constant_shift_moves_stroke_under_rotated_scaled_cm():
    pdf = make_pdf(b"q 0.866025 0.5 -0.5 0.866025 100 40 cm 1.5 0 0 1.2 0 0 cm 2 w 0 G 0 0 m 50 0 l 50 30 l S Q")
    before = centroid(render(pdf))
    displace_page(pdf, pdf.pages[0], constant(0.5, -0.3))
    err = moved_px(before, centroid(render(pdf)), (0.5, -0.3))
    assert np.abs(err).max() < 0.05, err


def test_form_drawn_twice_each_use_moved_by_its_own_displacement():
    pdf = make_pdf(b"q 1 0 0 1 20 20 cm /Fx Do Q q 1 0 0 1 130 130 cm /Fx Do Q")
    fx = pdf.make_indirect(form(pdf, b"0 g 0 0 m 30 2 l 28 30 l f"))
    pdf.pages[0].obj.Resources.XObject = pikepdf.Dictionary(Fx=fx)
    original = fx.read_bytes()
    field = {True: (0.5, -0.3), False: (-0.4, 0.6)}

    def shift(p):
        return np.array([field[bool(x < 100)] for x in p[:, 0]], dtype=np.float64)

    ink = render(pdf)
    half = ink.shape[0] // 2
    low_left, up_right = (slice(half, None), slice(0, half)), (slice(0, half), slice(half, None))
    before = [centroid(ink, *low_left), centroid(ink, *up_right)]
    moved = displace_page(pdf, pdf.pages[0], shift)
    ink = render(pdf)
    for region, b, d in zip((low_left, up_right), before, (field[True], field[False])):
        err = moved_px(b, centroid(ink, *region), d)
        assert np.abs(err).max() < 0.05, err
    assert moved.forms == 2 and moved.points == 6
    names = set(pdf.pages[0].obj.Resources.XObject.keys())
    assert "/Fx" in names and len(names) == 3
    assert fx.read_bytes() == original


def test_re_becomes_four_corners_each_moved_by_a_linear_field_exactly():
    pdf = make_pdf(b"q 2 0 0 2 5 7 cm 10 20 30 40 re f Q")
    moved = displace_page(pdf, pdf.pages[0], linear)
    ops = instructions(pdf)
    assert [op for op, _ in ops] == ["q", "cm", "m", "l", "l", "l", "h", "f", "Q"]
    corners = np.array([[10, 20], [40, 20], [40, 60], [10, 60]], dtype=float) * 2 + [5, 7]
    emitted = np.array([[float(v) for v in o] for _, o in ops[2:6]]) * 2 + [5, 7]
    np.testing.assert_allclose(emitted, corners + linear(corners), atol=TOLERANCE_PT)
    assert moved.points == 4


def test_small_shift_survives_number_writing_under_large_scale():
    pdf = make_pdf(b"q 0.01 0 0 0.01 0 0 cm 1000 2000 m 3000 2000.5 l S Q q 100 0 0 100 0 0 cm 1 1 m 1.5 1 l S Q")
    displace_page(pdf, pdf.pages[0], constant(0.01, -0.01))
    ops = instructions(pdf)
    small = np.array([[float(v) for v in o] for op, o in ops if op in "ml"][:2]) * 0.01
    big = np.array([[float(v) for v in o] for op, o in ops if op in "ml"][2:]) * 100
    np.testing.assert_allclose(small, [[10.01, 19.99], [30.01, 19.995]], atol=TOLERANCE_PT)
    np.testing.assert_allclose(big, [[100.01, 99.99], [150.01, 99.99]], atol=TOLERANCE_PT)


TEXT = (
    b"BT /F1 10 Tf 12 TL 20 180 Td (Td line) Tj 0 -12 TD (TD line) Tj T* (Tstar line) Tj"
    b" 1 0 0 1 30 120 Tm (Tm line) Tj (quote line) ' 1 0.5 (dquote line) \" [(TJ) -200 (line)] TJ ET"
    b" q 0.9 0.2 -0.2 0.9 40 10 cm BT /F1 8 Tf (first) Tj 0 -10 Td (second) Tj 9 TL T* (third) Tj ET Q"
)


def test_text_lines_each_shifted_by_field_at_own_origin():
    pdf = make_pdf(TEXT)
    intended = line_origins(instructions(pdf))
    moved = displace_page(pdf, pdf.pages[0], linear)
    emitted = line_origins(instructions(pdf))
    assert len(emitted) == len(intended) == 10
    for i, e in zip(intended, emitted):
        np.testing.assert_allclose(e, i + linear(i[None])[0], atol=1e-4)
    assert moved.lines == 9  # the TJ shares the dquote line; "first" starts at BT
    shown = [(op, o) for op, o in instructions(pdf) if op in ("Tj", "TJ")]
    assert [bytes(o[0]) for op, o in shown if op == "Tj"][:3] == [b"Td line", b"TD line", b"Tstar line"]


def _texts(data: bytes, tmp_path) -> tuple[str, str | None]:
    doc = pdfium.PdfDocument(data)
    ours = doc[0].get_textpage().get_text_range()
    poppler = None
    if shutil.which("pdftotext"):
        path = tmp_path / "p.pdf"
        path.write_bytes(data)
        run = [subprocess.run(["pdftotext", *mode, str(path), "-"], capture_output=True, check=True).stdout.decode() for mode in ([], ["-layout"])]
        poppler = "\f".join(run)
    return ours, poppler


def smooth(p):
    """A smooth field of about 0.1 pt, like a recipient's, pt → pt."""
    return 0.1 * np.stack([np.sin(p[:, 0] / 40), np.cos(p[:, 1] / 37)], axis=1)


def path_points(ops) -> tuple[list[np.ndarray], list[int]]:
    """Independent replay: page-space points of every m/l/c operator, pt, and the decimals each operator's numbers were written with."""
    ctm, stack, points, decimals = (1, 0, 0, 1, 0, 0), [], [], []
    for op, v in ops:
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = mul(tuple(float(x) for x in v), ctm)
        elif op in ("m", "l", "c"):
            f = [float(x) for x in v]
            points += [np.array(apply(ctm, f[i], f[i + 1])) for i in range(0, len(f), 2)]
            decimals.append(max(-x.as_tuple().exponent if isinstance(x, Decimal) else 0 for x in v))
    return points, decimals


@pytest.mark.parametrize(
    ("cm", "places"),
    [
        (b"1 0 0 1 0 0", 4),
        (b"0.1 0 0 0.1 3 4", 3),  # a user unit is 0.1 pt: one decimal fewer
        (b"10 0 0 10 -5 2", 5),  # a user unit is 10 pt: one decimal more
        (b"0.01 0 0 0.01 0 0", 2),
        (b"0 30 -30 0 150 10", 6),  # rotated: σ = 30
        (b"50 0 0 0.02 7 9", 6),  # anisotropic: the larger stretch decides
    ],
)
def test_written_numbers_within_tolerance_with_fewest_decimals_under_scaled_ctm(cm, places):
    rng = np.random.default_rng(3)
    scale = max(abs(float(v)) for v in cm.split()[:4])
    coords = [[f"{v:.{d}f}".encode() for v in rng.uniform(0, 150 / scale, 6)] for d in rng.integers(0, 7, 40)]  # 0 to 6 decimals
    body = b" ".join(b"%s %s m %s %s %s %s %s %s c" % (*row[:2], *row) for row in coords)
    text = b"BT /F1 10 Tf 10 TL 1.5 2.25 Td (a) Tj T* (b) Tj 0.3 -1.2 Td (c) Tj ET"
    pdf = make_pdf(b"q " + cm + b" cm " + body + b" S " + text + b" Q")
    ops = instructions(pdf)
    points, _ = path_points(ops)
    origins = line_origins(ops)
    displace_page(pdf, pdf.pages[0], smooth)
    out = instructions(pdf)
    moved, decimals = path_points(out)
    intended = np.array(points) + smooth(np.array(points))
    err = np.hypot(*(np.array(moved) - intended).T)
    assert len(moved) == len(points) and err.max() <= TOLERANCE_PT, err.max()
    assert max(decimals) == places
    origins_out = np.array(line_origins(out))
    err = np.hypot(*(origins_out - (np.array(origins) + smooth(np.array(origins)))).T)
    assert err.max() <= TOLERANCE_PT, err.max()


def test_operands_not_moved_written_byte_identical():
    paths = b"0.50 0 0 0.5000 10.250 .5 cm 1.000 0.5 0.25 rg 2.50 w [3.0 1.50] 0 d 10.10 20.20 m 30.300 40.4 l 0 0 100.00 50.0 re S"
    text = b" BT /F1 12.00 Tf 20.0 30.00 Td (x) Tj 0 -14.0 TD (y) Tj T* (z) Tj 1.0 0 0 1.00 5.50 6.0 Tm (w) Tj ET"
    pdf = make_pdf(paths + text)
    original = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(pdf.pages[0]))
    displace_page(pdf, pdf.pages[0], lambda p: np.zeros_like(p))
    assert pdf.pages[0].obj.Contents.read_bytes() == original

    pdf = make_pdf(paths + text)
    moved = displace_page(pdf, pdf.pages[0], smooth, text_shift=lambda p: np.zeros_like(p))
    before, after = original.split(b"\n"), pdf.pages[0].obj.Contents.read_bytes().split(b"\n")
    rewritten = [line for line in after if line not in before]
    assert len(rewritten) == 2 + 5 and moved.points == 6  # the m, the l, and the re as m l l l h
    assert [line for line in after if line in before] == [line for line in before if not line.endswith((b" m", b" l", b" re"))]

    def first(p):  # only the first line (page y = 15.5 pt) moves
        return np.where(p[:, 1:] > 10, 0.3, 0.0) * np.ones_like(p)

    pdf = make_pdf(paths + text)
    intended = line_origins(instructions(pdf))
    displace_page(pdf, pdf.pages[0], lambda p: np.zeros_like(p), text_shift=first)
    emitted = line_origins(instructions(pdf))
    np.testing.assert_allclose(emitted, np.array(intended) + first(np.array(intended)), atol=TOLERANCE_PT)
    assert [op for op, _ in instructions(pdf) if op.startswith("T")] == [
        "Tf",
        "Tm",
        "Tj",
        "TL",
        "Tm",
        "Tj",
        "T*",
        "Tj",
        "Tm",
        "Tj",
    ]  # moved; after a moved line; originals


def _size(pdf: pikepdf.Pdf) -> int:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return len(out.getvalue())


def test_tender_package_copy_within_size_contract():
    path = samples.document_path("tender_package")
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            displace_page(pdf, page, smooth)
        assert _size(pdf) <= 1.5 * path.stat().st_size  # 1.11 measured


def test_two_decimal_drawing_copy_within_size_contract():
    rng = np.random.default_rng(1)
    body = b"\n".join(b"%.2f %.2f m %.2f %.2f %.2f %.2f %.2f %.2f c %.2f %.2f l S" % tuple(rng.uniform(20, 180, 10)) for _ in range(300))
    pdf = make_pdf(b"0.5 w 0 G\n" + body)
    size = _size(pdf)
    displace_page(pdf, pdf.pages[0], smooth)
    assert _size(pdf) <= 1.5 * size  # 1.3 measured; 2.1 with 9 decimals


def test_extracted_text_identical_and_document_valid(tmp_path):
    ops = [b"T* (%s) Tj", b"(%s) '", b'0.5 0.1 (%s) "', b"0 -11 Td (%s) Tj", b"0 -11 TD (%s) Tj"]
    para = b" ".join(ops[k % 5] % b"Line %d of the tender, price 1.%02d EUR" % (k, k) for k in range(14))
    pdf = make_pdf(b"BT /F1 9 Tf 11 TL 15 185 Td " + para + b" ET")
    before = _texts(to_bytes(pdf), tmp_path)
    moved = displace_page(pdf, pdf.pages[0], lambda p: 0.3 * np.stack([np.sin(p[:, 1] / 7), np.cos(p[:, 1] / 5)], axis=1))
    assert moved.lines == 15  # the opening Td and 14 lines
    assert pdf.check_pdf_syntax() == []
    data = to_bytes(pdf)
    assert _texts(data, tmp_path) == before
    assert "Line 13 of the tender, price 1.13 EUR" in before[0]
    with pikepdf.open(io.BytesIO(data)) as again:
        assert again.check_pdf_syntax() == []
        assert len(instructions(again)) > 20


def test_images_recorded_and_left_unchanged():
    pdf = make_pdf(b"q 50 0 0 40 10 20 cm /Im0 Do Q q 5 0 0 5 100 100 cm BI /W 1 /H 1 /BPC 8 /CS /G ID \x80 EI Q")
    image = pdf.make_stream(b"\x40", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=1, Height=1, BitsPerComponent=8)
    image.ColorSpace = pikepdf.Name.DeviceGray
    pdf.pages[0].obj.Resources.XObject = pikepdf.Dictionary(Im0=image)
    moved = displace_page(pdf, pdf.pages[0], constant(0.5, 0.5))
    assert moved.images == (("/Im0", (50.0, 0.0, 0.0, 40.0, 10.0, 20.0)), ("<inline>", (5.0, 0.0, 0.0, 5.0, 100.0, 100.0)))
    assert moved.points == 0
    assert [op for op, _ in instructions(pdf)] == ["q", "cm", "Do", "Q", "q", "cm", "INLINE IMAGE", "Q"]


def test_too_many_operators_rejected_quickly():
    pdf = make_pdf(b"0 0 m " * 2000)
    start = time.perf_counter()
    with pytest.raises(DocumentRejected, match="too many"):
        displace_page(pdf, pdf.pages[0], constant(0.1, 0.1), max_operators=1000)
    assert time.perf_counter() - start < 1.0


def test_forms_count_against_the_operator_limit():
    pdf = make_pdf(b"/Fx Do " * 20)
    pdf.pages[0].obj.Resources.XObject = pikepdf.Dictionary(Fx=pdf.make_indirect(form(pdf, b"0 0 m 1 1 l S " * 20)))
    with pytest.raises(DocumentRejected, match="page 1"):
        displace_page(pdf, pdf.pages[0], constant(0.1, 0.1), max_operators=500)


def test_unparseable_content_rejected():
    pdf = make_pdf(b"1 2 m (never closed")
    with pytest.raises(DocumentRejected, match="parsed"):
        displace_page(pdf, pdf.pages[0], constant(0.1, 0.1))


def test_garbage_operands_left_unchanged_without_crash():
    garbage = b"(a) (b) m 1 l /N 3 c true false l 1 2 3 re 1 2 3 cm BT 5 Td (x) ' 1 2 3 4 5 Tm 1 (y) \" ET /Missing Do 5 Do 0 0 m 10 10 l S"
    pdf = make_pdf(garbage)
    moved = displace_page(pdf, pdf.pages[0], constant(0.1, 0.1))
    ops = instructions(pdf)
    assert ops[:6] == [op for op in instructions(make_pdf(garbage))][:6]
    assert moved.points == 2 and moved.lines == 1  # only the valid path; ' is a valid line op
    assert pdf.check_pdf_syntax() == []


def test_singular_ctm_skips_displacement():
    pdf = make_pdf(b"q 0 0 0 0 10 10 cm 1 1 m 2 2 l S Q")
    assert displace_page(pdf, pdf.pages[0], constant(0.1, 0.1)).points == 0


def test_self_drawing_form_stops_at_depth_limit():
    pdf = make_pdf(b"/Fx Do")
    fx = pdf.make_indirect(form(pdf, b"0 0 5 5 re f 0.5 0 0 0.5 3 3 cm /Fx Do"))
    fx.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fx=fx))
    pdf.pages[0].obj.Resources.XObject = pikepdf.Dictionary(Fx=fx)
    start = time.perf_counter()
    moved = displace_page(pdf, pdf.pages[0], constant(0.2, 0.2))
    assert time.perf_counter() - start < 2.0
    assert moved.forms == MAX_FORM_DEPTH and moved.points == 4 * MAX_FORM_DEPTH
    assert pdf.check_pdf_syntax() == []
    render(pdf)


def test_shared_resources_other_page_unchanged():
    pdf = make_pdf(b"q 1 0 0 1 20 20 cm /Fx Do Q", b"q 1 0 0 1 60 60 cm /Fx Do Q 0 g 10 10 20 20 re f")
    shared = pdf.make_indirect(pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fx=pdf.make_indirect(form(pdf, b"0 g 0 0 30 30 re f")))))
    for page in pdf.pages:
        page.obj.Resources = shared
    page2_before, page2_contents = render(pdf, 1), pdf.pages[1].obj.Contents.read_bytes()
    moved = displace_page(pdf, pdf.pages[0], constant(0.5, -0.3))
    assert moved.forms == 1
    assert np.array_equal(render(pdf, 1), page2_before)
    assert set(shared.XObject.keys()) == {"/Fx"} and pdf.pages[1].obj.Resources.objgen == shared.objgen
    assert pdf.pages[1].obj.Contents.read_bytes() == page2_contents
    assert set(pdf.pages[0].obj.Resources.XObject.keys()) == {"/Fx", "/Fx_lt1"}


def test_inherited_resources_copied_not_changed():
    pdf = make_pdf(b"/Fx Do", b"/Fx Do")
    fx = pdf.make_indirect(form(pdf, b"0 g 0 0 30 30 re f"))
    pdf.Root.Pages.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fx=fx))
    for page in pdf.pages:
        del page.obj["/Resources"]
    displace_page(pdf, pdf.pages[1], constant(0.5, 0.5))
    assert "/Resources" not in pdf.pages[0].obj
    assert set(pdf.Root.Pages.Resources.XObject.keys()) == {"/Fx"}
    assert set(pdf.pages[1].obj.Resources.XObject.keys()) == {"/Fx", "/Fx_lt1"}
