"""mark_images: build PDFs with embedded images, mark them with a known delta, recover it from PDFium's rendering."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pikepdf
import pytest
from PIL import Image
from scipy import ndimage

from leaktrace import samples
from leaktrace.core import carrier
from leaktrace.documents import reading, render
from leaktrace.documents.images import Marked, mark_images

DPI = 150
PAGE = (400, 300)  # pt
FLATE_CTM = (150.0, 0.0, 0.0, 100.0, 30.0, 170.0)  # 300×200 px image on 150×100 pt: 1.04 rendering px per image px
DCT_CTM = (160.0, 0.0, 0.0, 106.0, 210.0, 40.0)  # 240×160 px image
IMAGE = {"Type": pikepdf.Name.XObject, "Subtype": pikepdf.Name.Image, "BitsPerComponent": 8}


def picture(h: int, w: int, seed: int) -> np.ndarray:
    """A smooth RGB picture with a little texture, (h, w, 3) uint8."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    rng = np.random.default_rng(seed)
    noise = ndimage.gaussian_filter(rng.normal(0, 30, (h, w, 3)), (3, 3, 0))
    base = np.stack([60 + 120 * x, 90 + 100 * y, 160 - 60 * x * y], axis=2) + 25 * np.sin(9 * x + 5 * y)[..., None]
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def flate_image(pdf: pikepdf.Pdf, pixels: np.ndarray, **extra) -> pikepdf.Stream:
    h, w = pixels.shape[:2]
    cs = pikepdf.Name.DeviceGray if pixels.ndim == 2 else pikepdf.Name.DeviceRGB
    return pdf.make_stream(
        zlib.compress(pixels.tobytes()), **{**IMAGE, "Width": w, "Height": h, "ColorSpace": cs, "Filter": pikepdf.Name.FlateDecode, **extra}
    )


def jpeg_image(pdf: pikepdf.Pdf, pixels: np.ndarray) -> pikepdf.Stream:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=85)  # 4:2:0, as cameras and exporters write
    h, w = pixels.shape[:2]
    return pdf.make_stream(out.getvalue(), **IMAGE, Width=w, Height=h, ColorSpace=pikepdf.Name.DeviceRGB, Filter=pikepdf.Name.DCTDecode)


def cm(m) -> str:
    return " ".join(f"{v:g}" for v in m) + " cm"


def build() -> pikepdf.Pdf:
    """Page 1: a Flate RGB image (with an /SMask) and a DCT one, a frame line. Page 2 draws the same Flate image object."""
    pdf = pikepdf.new()
    alpha = np.full((200, 300), 255, np.uint8)
    alpha[:, :40] = np.linspace(180, 255, 40, dtype=np.uint8)
    smask = flate_image(pdf, alpha)
    flate = flate_image(pdf, picture(200, 300, 1), SMask=smask)
    dct = jpeg_image(pdf, picture(160, 240, 2))
    shared = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=flate, Im1=dct))
    contents = [
        f"0.5 w 20 20 m 380 280 l S q {cm(FLATE_CTM)} /Im0 Do Q q {cm(DCT_CTM)} /Im1 Do Q".encode(),
        f"q {cm(FLATE_CTM)} /Im0 Do Q".encode(),
    ]
    for content in contents:
        page = pdf.add_blank_page(page_size=PAGE)
        page.obj.Resources = shared
        page.obj.Contents = pdf.make_stream(content)
    return pdf


def saved(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def frame_of(pdf: pikepdf.Pdf, index: int = 0) -> np.ndarray:
    return render.pixel_frame(reading.page_box(pdf.pages[index]), DPI)


def delta_for(shape: tuple[int, int], seed: int = 7, peak: float = 3.0) -> np.ndarray:
    """A recipient-like luminance mark: the carrier pattern of random signs, scaled to ±``peak`` levels, (H, W) float32."""
    grid = carrier.grid_for(shape)
    signs = np.random.default_rng(seed).choice([-1, 1], grid[0] * grid[1]).astype(np.int8)
    p = carrier.pattern(signs, shape, grid)
    return (peak * p / np.abs(p).max()).astype(np.float32)


def placement(frame: np.ndarray, ctm, shrink: int) -> tuple[slice, slice]:
    """Rows and columns of the rendering inside the image drawn under ``ctm`` (an axis-aligned one), ``shrink`` px in from each side."""
    corners = np.array([[ctm[4], ctm[5], 1], [ctm[4] + ctm[0], ctm[5] + ctm[3], 1]]) @ frame.T
    (c0, c1), (r0, r1) = np.sort(corners[:, 0]), np.sort(corners[:, 1])
    return slice(int(np.ceil(r0)) + shrink, int(np.floor(r1)) + 1 - shrink), slice(int(np.ceil(c0)) + shrink, int(np.floor(c1)) + 1 - shrink)


def sampled_delta(delta: np.ndarray, frame: np.ndarray, ctm, h: int, w: int) -> np.ndarray:
    """``delta`` at each image pixel centre, point by point through the unit square, page and frame."""
    i, j = np.mgrid[0:h, 0:w].astype(float)
    u, v = (j + 0.5) / w, 1 - (i + 0.5) / h
    a, b, c, d, e, f = ctm
    x, y = u * a + v * c + e, u * b + v * d + f
    col = frame[0, 0] * x + frame[0, 1] * y + frame[0, 2]
    row = frame[1, 0] * x + frame[1, 1] * y + frame[1, 2]
    return ndimage.map_coordinates(delta, [row, col], order=1, mode="nearest")


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def luminance_diff(before: bytes, after: bytes, index: int) -> np.ndarray:
    a = render.render_page(before, index, DPI).astype(np.float64)
    b = render.render_page(after, index, DPI).astype(np.float64)
    return (b - a).mean(axis=2)  # the same change in every channel: its mean is the luminance change


@pytest.fixture(scope="module")
def marked():
    pdf = build()
    before = saved(pdf)
    pdf = pikepdf.open(io.BytesIO(before))
    frame = frame_of(pdf)
    delta = delta_for(render.rendered_shape(reading.page_box(pdf.pages[0]), DPI))
    result = mark_images(pdf, pdf.pages[0], delta, frame)
    return before, saved(pdf), delta, frame, result


def test_marks_both_images_and_the_rendering_shows_delta_there(marked):
    before, after, delta, frame, result = marked
    assert result == Marked(images=2, skipped=(), pixels=300 * 200 + 240 * 160)
    diff = luminance_diff(before, after, 0)
    flate, dct = placement(frame, FLATE_CTM, 2), placement(frame, DCT_CTM, 2)
    r_flate, r_dct = correlation(diff[flate], delta[flate]), correlation(diff[dct], delta[dct])
    assert r_flate > 0.9, r_flate  # measured 0.961
    assert r_dct > 0.7, r_dct  # measured 0.920 at q95, 4:4:4
    gain = float(np.sum(diff[flate] * delta[flate]) / np.sum(delta[flate] ** 2))
    assert 0.85 < gain < 1.1, gain  # measured 0.94: delta's size, not a fraction (the /SMask fades its left 40 px)
    outside = np.ones_like(diff, bool)
    for ctm in (FLATE_CTM, DCT_CTM):
        outside[placement(frame, ctm, -2)] = False
    assert np.abs(diff[outside]).max() == 0.0


def test_flate_is_lossless_and_the_document_keeps_its_structure(marked):
    before, after, delta, frame, _ = marked
    src, dst = pikepdf.open(io.BytesIO(before)), pikepdf.open(io.BytesIO(after))
    assert len(dst.pages) == len(src.pages) == 2
    assert [list(p.mediabox) for p in dst.pages] == [list(p.mediabox) for p in src.pages]
    assert dst.check_pdf_syntax() == []
    names = sorted(dst.pages[0].Resources.XObject.keys())
    assert names == ["/Im0_lt1", "/Im1_lt1"]  # the originals are no longer drawn by page 1, nor kept in its resources
    for old, new in (("/Im0", "/Im0_lt1"), ("/Im1", "/Im1_lt1")):
        o, n = src.pages[0].Resources.XObject[old], dst.pages[0].Resources.XObject[new]
        for key in ("/Width", "/Height", "/ColorSpace", "/BitsPerComponent", "/Filter"):
            assert n[key] == o[key], key
    o, n = src.pages[0].Resources.XObject.Im0, dst.pages[0].Resources.XObject.Im0_lt1
    assert n.SMask.read_bytes() == o.SMask.read_bytes()
    original = np.frombuffer(o.read_bytes(), np.uint8).reshape(200, 300, 3).astype(int)
    expected = np.clip(original + np.rint(sampled_delta(delta, frame, FLATE_CTM, 200, 300))[..., None], 0, 255)
    got = np.frombuffer(n.read_bytes(), np.uint8).reshape(200, 300, 3)
    assert np.array_equal(got, expected)
    assert np.abs(got - original).max() == 3
    jpeg = Image.open(io.BytesIO(dst.pages[0].Resources.XObject.Im1_lt1.read_raw_bytes()))
    assert jpeg.format == "JPEG" and jpeg.mode == "RGB" and jpeg.size == (240, 160)
    source = Image.open(io.BytesIO(src.pages[0].Resources.XObject.Im1.read_raw_bytes()))
    assert [c[1:3] for c in jpeg.layer] == [c[1:3] for c in source.layer]  # the original's chroma subsampling
    assert jpeg.quantization == source.quantization  # and its quantization tables: the same quality
    assert b"/Im0_lt1 Do" in dst.pages[0].Contents.read_bytes() and b"20 20 m" in dst.pages[0].Contents.read_bytes()


def test_another_page_sharing_the_image_is_unchanged(marked):
    before, after, *_ = marked
    assert np.array_equal(render.render_page(before, 1, DPI), render.render_page(after, 1, DPI))
    dst = pikepdf.open(io.BytesIO(after))
    assert sorted(dst.pages[1].Resources.XObject.keys()) == ["/Im0", "/Im1"]


def test_an_image_drawn_twice_gets_a_copy_per_use():
    pdf = build()
    page = pdf.pages[1]
    page.obj.Contents = pdf.make_stream(f"q {cm(FLATE_CTM)} /Im0 Do Q q 150 0 0 100 210 40 cm /Im0 Do Q".encode())
    frame = frame_of(pdf, 1)
    delta = delta_for(render.rendered_shape(reading.page_box(page), DPI))
    before = saved(pdf)
    assert mark_images(pdf, page, delta, frame).images == 2
    after = saved(pdf)
    assert b"/Im0_lt1 Do" in page.Contents.read_bytes() and b"/Im0_lt2 Do" in page.Contents.read_bytes()
    diff = luminance_diff(before, after, 1)
    for ctm in (FLATE_CTM, (150, 0, 0, 100, 210, 40)):
        region = placement(frame, ctm, 2)
        assert correlation(diff[region], delta[region]) > 0.9
    assert np.array_equal(render.render_page(before, 0, DPI), render.render_page(after, 0, DPI))


def test_images_it_cannot_mark_are_skipped_with_the_reason():
    pdf = pikepdf.new()
    rng = np.random.default_rng(3)
    palette = pdf.make_stream(bytes(range(256)) * 3)
    indexed = pdf.make_stream(
        zlib.compress(rng.integers(0, 256, 64 * 64, dtype=np.uint8).tobytes()),
        **IMAGE,
        Width=64,
        Height=64,
        ColorSpace=pikepdf.Array([pikepdf.Name.Indexed, pikepdf.Name.DeviceRGB, 255, palette]),
        Filter=pikepdf.Name.FlateDecode,
    )
    corrupt = pdf.make_stream(
        b"this is not zlib data", **IMAGE, Width=64, Height=64, ColorSpace=pikepdf.Name.DeviceRGB, Filter=pikepdf.Name.FlateDecode
    )
    short = flate_image(pdf, picture(32, 64, 4))
    short.Height = 64  # declares twice the rows its data holds
    bomb = pdf.make_stream(
        zlib.compress(bytes(10_000_000)), **IMAGE, Width=10, Height=10, ColorSpace=pikepdf.Name.DeviceGray, Filter=pikepdf.Name.FlateDecode
    )
    huge = pdf.make_stream(
        zlib.compress(b"\0" * 100), **IMAGE, Width=20_000, Height=6_000, ColorSpace=pikepdf.Name.DeviceGray, Filter=pikepdf.Name.FlateDecode
    )
    bad_jpeg = pdf.make_stream(
        b"\xff\xd8\xff\xe0 truncated", **IMAGE, Width=64, Height=64, ColorSpace=pikepdf.Name.DeviceRGB, Filter=pikepdf.Name.DCTDecode
    )
    deep = flate_image(pdf, picture(16, 16, 5), BitsPerComponent=16)
    decode = flate_image(pdf, picture(16, 16, 6), Decode=pikepdf.Array([1, 0, 1, 0, 1, 0]))
    inner = flate_image(pdf, picture(16, 16, 7))
    form = pdf.make_stream(
        b"q 10 0 0 10 0 0 cm /In Do Q",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, 10, 10],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(In=inner)),
    )
    xobjects = {"Ix": indexed, "Bad": corrupt, "Short": short, "Bomb": bomb, "Huge": huge, "Jpg": bad_jpeg, "Deep": deep, "Dec": decode, "Fm": form}
    page = pdf.add_blank_page(page_size=PAGE)
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(**xobjects))
    draws = "".join(f"q 30 0 0 30 {10 + 35 * k} 100 cm /{name} Do Q " for k, name in enumerate(xobjects))
    page.obj.Contents = pdf.make_stream(draws.encode() + b"q 20 0 0 20 10 10 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\x40\x80\xff EI Q")
    before = page.Contents.read_bytes()
    shape = render.rendered_shape(reading.page_box(page), DPI)
    result = mark_images(pdf, page, delta_for(shape), frame_of(pdf))
    reasons = dict(result.skipped)
    assert result.images == 0 and result.pixels == 0 and len(result.skipped) == 10
    assert reasons["/Ix"] == "colour space /Indexed"
    assert reasons["/Bad"].startswith("cannot be decoded")
    assert reasons["/Short"] == "data of 6144 bytes, not the 12288 its size declares"
    assert reasons["/Bomb"] == "data larger than its declared size"
    assert reasons["/Huge"].startswith("too large")
    assert reasons["/Jpg"].startswith("cannot be decoded")
    assert reasons["/Deep"] == "16 bits per component"
    assert reasons["/Dec"] == "a /Decode array"
    assert reasons["/In"] == "inside form XObject /Fm"
    assert reasons["<inline>"] == "an inline image"
    assert page.Contents.read_bytes() == before and sorted(page.Resources.XObject.keys()) == sorted(f"/{n}" for n in xobjects)


def test_the_tender_package_page_6():
    data = samples.document_path("tender_package").read_bytes()
    pdf = pikepdf.open(io.BytesIO(data))
    page = pdf.pages[5]
    frame = frame_of(pdf, 5)
    delta = delta_for(render.rendered_shape(reading.page_box(page), DPI))
    result = mark_images(pdf, page, delta, frame)
    assert result == Marked(images=2, skipped=(), pixels=2 * 600 * 375)
    after = saved(pdf)
    assert len(after) < 1.7 * len(data), len(after) / len(data)  # measured 1.40× (Flate 89 → 120 kB, JPEG 34 → 61 kB)
    diff = luminance_diff(data, after, 5)
    for y in (415, 101):  # where the page draws its renders, 451×281.88 pt each
        region = placement(frame, (451, 0, 0, 281.88, 72, y), 2)
        assert correlation(diff[region], delta[region]) > 0.9  # measured 0.950 (Flate), 0.930 (JPEG)
    for index in range(5):
        assert np.array_equal(render.render_page(data, index, DPI), render.render_page(after, index, DPI))
