"""imagefiles: hostile files are refused with one-line reasons; odd good files decode right."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, JpegImagePlugin

from leaktrace import atomic
from leaktrace.errors import ImageRejected
from leaktrace.imagefiles import (
    encode_image,
    image_format,
    output_format,
    read_image,
    read_image_bytes,
    write_atomic,
)

DATA = Path(__file__).parent / "data"
ACCEPTED = "(leaktrace reads PNG, JPEG, WEBP, TIFF, BMP, GIF, AVIF)"


def _over(count: int, limit: int, suggest: int) -> str:
    """The refusal of an image over the pixel limit: the count, the limit and how to raise it."""
    return (
        f"image too large: {count} pixels ({count / 1e6:.1f} MP), limit {limit} ({limit / 1e6:.1f} MP); to accept it, "
        f"raise the max_pixels setting (e.g. LEAKTRACE_MAX_PIXELS={suggest}, or max_pixels in leaktrace.toml)"
    )


import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("make_hostile", DATA / "make_hostile.py")
make_hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_hostile)


def _rgb(h: int = 24, w: int = 32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("truncated.png", "truncated or corrupt image"),
        ("truncated.jpg", "truncated or corrupt image"),
        ("empty.png", "empty file"),
        ("text.png", f"not an image file {ACCEPTED}"),
        ("bomb.png", _over(10_000_000_000, 100_000_000, 10_000_000_000)),
        ("bomb.jpg", _over(3_600_000_000, 100_000_000, 3_600_000_000)),
        ("image.ppm", f"format PPM is not accepted {ACCEPTED}"),
    ],
)
def test_hostile_files_are_refused_with_one_line_reason(name, reason):
    with pytest.raises(ImageRejected) as caught:
        read_image(DATA / name)
    assert caught.value.reason == reason
    assert caught.value.path == str(DATA / name)
    assert str(caught.value) == f"{DATA / name}: {reason}"
    assert "\n" not in str(caught.value)


def test_hostile_bytes_are_refused_like_files():
    for name in ("truncated.png", "truncated.jpg", "text.png", "bomb.png"):
        with pytest.raises(ImageRejected) as caught:
            read_image_bytes((DATA / name).read_bytes(), f"upload-{name}")
        assert caught.value.path == f"upload-{name}"


def test_every_generated_file_is_committed_and_small():
    for name in make_hostile.files():
        assert (DATA / name).is_file(), f"run python tests/data/make_hostile.py ({name} missing)"
        assert (DATA / name).stat().st_size < 50_000


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ImageRejected, match="no such file"):
        read_image(tmp_path / "nope.png")
    with pytest.raises(ImageRejected, match="is a directory"):
        read_image(tmp_path)
    with pytest.raises(ImageRejected, match="no such file"):
        image_format(tmp_path / "nope.png")


def test_file_too_large(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(encode_image(_rgb(), "PNG"))
    size = path.stat().st_size
    with pytest.raises(ImageRejected) as caught:
        read_image(path, max_bytes=100)
    assert caught.value.reason == (
        f"file too large: {size} bytes, limit 100; to accept it, raise the max_file_mb "
        "setting (e.g. LEAKTRACE_MAX_FILE_MB=1, or max_file_mb in leaktrace.toml)"
    )


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    # 9500 x 9500 is above Pillow's warning threshold: no warning may escape.
    data = make_hostile.bomb_png(9500, 9500)
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(data, "big.png", max_pixels=50_000_000)
    assert caught.value.reason == _over(90_250_000, 50_000_000, 91_000_000)
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(encode_image(_rgb(40, 100), "PNG"), "x.png", max_pixels=3999)
    assert caught.value.reason == _over(4000, 3999, 1_000_000)
    assert str(caught.value).count("\n") == 0


def test_pillows_own_bomb_limit_follows_the_setting(monkeypatch):
    """Pillow refuses above 2 x Image.MAX_IMAGE_PIXELS (179 MP by default) on its own: a
    max_pixels above that must raise it, or a 200 MP original could never be read."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow alone would refuse 4000 pixels
    data = encode_image(_rgb(40, 100), "PNG")
    assert read_image_bytes(data, "x.png", max_pixels=5000).shape == (40, 100, 3)
    assert Image.MAX_IMAGE_PIXELS >= 2500
    with pytest.raises(ImageRejected) as caught:  # over the setting: our refusal, naming the setting
        read_image_bytes(make_hostile.bomb_png(300, 200), "big.png", max_pixels=5000)
    assert caught.value.reason == _over(60_000, 5000, 1_000_000)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    read_image_bytes(encode_image(_rgb(20, 50), "PNG"), "x.png", max_pixels=2001)  # raised as far as needed
    assert Image.MAX_IMAGE_PIXELS == 1001


def test_rgb_conversion_in_strips_gives_the_same_pixels(monkeypatch):
    """Large images are converted to RGB in row strips; every layout gives the pixels of one piece."""
    from leaktrace import imagefiles

    rng = np.random.default_rng(4)
    base = Image.fromarray(rng.integers(0, 256, (37, 29, 3), dtype=np.uint8))
    palette = Image.fromarray(rng.integers(0, 8, (37, 29), dtype=np.uint8), "P")
    palette.putpalette([(i * 37) % 256 for i in range(768)])
    layouts = {
        "L.png": (base.convert("L"), "PNG", {}),
        "RGBA.png": (base.convert("RGBA"), "PNG", {}),
        "LA.tiff": (base.convert("LA"), "TIFF", {}),
        "CMYK.tiff": (base.convert("CMYK"), "TIFF", {}),
        "I16.png": (Image.fromarray(rng.integers(0, 65535, (37, 29)).astype(np.uint16)), "PNG", {}),
        "1.png": (base.convert("1"), "PNG", {}),
        "P.png": (palette, "PNG", {"transparency": 3}),
        "RGB.png": (base, "PNG", {}),
    }
    blobs = {
        name: (DATA / name).read_bytes() for name in ("rgba.png", "rgb16.png", "gray16.png", "palette.png", "cmyk.jpg", "exif6.jpg", "animated.gif")
    }
    for name, (im, fmt, options) in layouts.items():
        out = io.BytesIO()
        im.save(out, fmt, **options)
        blobs[name] = out.getvalue()
    whole = {name: read_image_bytes(data, name) for name, data in blobs.items()}
    monkeypatch.setattr(imagefiles, "_STRIP_PIXELS", 50)  # strips of one or two rows
    for name, data in blobs.items():
        np.testing.assert_array_equal(read_image_bytes(data, name), whole[name], err_msg=name)


def test_a_header_under_the_limit_with_missing_data_is_corrupt():
    with pytest.raises(ImageRejected, match="truncated or corrupt image"):
        read_image_bytes(make_hostile.bomb_png(300, 200), "short.png")


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF", "WEBP"])
def test_lossless_formats_round_trip_exactly(fmt):
    image = _rgb()
    out = io.BytesIO()
    Image.fromarray(image).save(out, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    got = read_image_bytes(out.getvalue(), f"x.{fmt.lower()}")
    assert got.dtype == np.uint8 and got.shape == (24, 32, 3)
    np.testing.assert_array_equal(got, image)


def test_gif_first_frame():
    got = read_image(DATA / "animated.gif")
    assert got.shape == (8, 16, 3)
    assert (got == (255, 0, 0)).all()
    assert image_format(DATA / "animated.gif") == "GIF"


def test_16_bit_grey_is_scaled_to_8_bits():
    got = read_image(DATA / "gray16.png")
    ramp = np.arange(32 * 64).reshape(32, 64) * 32
    expected = np.round(ramp / 257).astype(np.uint8)
    assert got.shape == (32, 64, 3) and got.dtype == np.uint8
    assert np.abs(got[:, :, 0].astype(int) - expected).max() <= 1
    assert (got[:, :, 0] == got[:, :, 2]).all()


def test_16_bit_rgb():
    got = read_image(DATA / "rgb16.png")
    assert got.shape == (8, 8, 3) and (got == (255, 0, 0)).all()


def test_cmyk_becomes_rgb():
    got = read_image(DATA / "cmyk.jpg")
    assert got.shape == (16, 16, 3)
    assert np.abs(got.astype(int) - (255, 0, 0)).max() <= 3


def test_palette_becomes_rgb():
    got = read_image(DATA / "palette.png")
    assert (got[:, :8] == (255, 0, 0)).all() and (got[:, 8:] == (0, 255, 0)).all()


def test_alpha_is_composited_on_white():
    got = read_image(DATA / "rgba.png")
    assert (got[0] == (255, 0, 0)).all()  # opaque red
    assert (got[1] == (255, 255, 255)).all()  # fully transparent → white
    assert (got[2] == (127, 127, 255)).all()  # half-transparent blue on white


def test_grey_with_alpha_and_bilevel():
    la = np.zeros((2, 2, 2), np.uint8)
    la[..., 0] = 10
    la[0, :, 1] = 255
    got = read_image_bytes(_png(Image.fromarray(la, "LA")), "la.png")
    assert (got[0] == 10).all() and (got[1] == 255).all()
    bilevel = Image.new("1", (3, 2), 1)
    assert (read_image_bytes(_png(bilevel), "1.png") == 255).all()


def test_palette_transparency_is_composited_on_white():
    pal = Image.new("P", (4, 2))
    pal.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    pal.paste(1, (2, 0, 4, 2))
    pal.info["transparency"] = 0
    got = read_image_bytes(_png(pal), "p.png")
    assert (got[:, :2] == 255).all() and (got[:, 2:] == (255, 0, 0)).all()


def test_exif_orientation_is_applied():
    got = read_image(DATA / "exif6.jpg")
    # stored 20 x 40 with red on top; orientation 6 turns it 90° clockwise: red on the right
    assert got.shape == (40, 20, 3)
    assert np.abs(got[:, 12:].astype(int) - (255, 0, 0)).max() < 16
    assert np.abs(got[:, :8].astype(int) - (0, 0, 255)).max() < 16


def test_image_format_names_accepted_formats():
    assert image_format(DATA / "cmyk.jpg") == "JPEG"
    assert image_format(DATA / "palette.png") == "PNG"
    with pytest.raises(ImageRejected, match="not an image file"):
        image_format(DATA / "text.png")
    with pytest.raises(ImageRejected, match="empty file"):
        image_format(DATA / "empty.png")


def test_output_format():
    assert [output_format(f) for f in ("PNG", "JPEG", "MPO", "WEBP", "TIFF", "GIF", "BMP")] == ["PNG", "JPEG", "JPEG", "WEBP", "PNG", "PNG", "PNG"]


def test_encode_png_is_lossless_and_jpeg_keeps_full_chroma():
    image = _rgb(32, 32, seed=3)
    np.testing.assert_array_equal(read_image_bytes(encode_image(image, "PNG"), "x.png"), image)
    jpeg = encode_image(image, "JPEG", quality=95)
    with Image.open(io.BytesIO(jpeg)) as im:
        assert im.format == "JPEG"
        assert JpegImagePlugin.get_sampling(im) == 0  # 4:4:4: no chroma subsampling
        assert not im.getexif()
    with Image.open(io.BytesIO(encode_image(image, "JPEG", quality=75))) as im:
        assert JpegImagePlugin.get_sampling(im) == 2  # 4:2:0 at ordinary quality
    webp = read_image_bytes(encode_image(image, "WEBP", quality=100), "x.webp")
    np.testing.assert_array_equal(webp, image)


def test_encode_refuses_bad_input():
    with pytest.raises(ValueError, match="uint8"):
        encode_image(np.zeros((4, 4), np.uint8), "PNG")
    with pytest.raises(ValueError, match="uint8"):
        encode_image(np.zeros((4, 4, 3), np.float32), "PNG")
    with pytest.raises(ValueError, match="cannot encode 'GIF'"):
        encode_image(np.zeros((4, 4, 3), np.uint8), "GIF")


def test_write_atomic_is_the_one_helper():
    assert write_atomic is atomic.write_atomic  # tests/test_atomic.py tests it


def _png(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


# --------------------------------------------------------------------------- shape and work bounds (issue 13)


def test_the_longest_side_is_checked_from_the_header():
    """max_side (the max_side_px setting at the entry points) refuses from the header: the PNG below has no pixel data."""
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(make_hostile.bomb_png(70_000, 1_000), "long.png", max_side=65_535)
    assert caught.value.reason == (
        "image too long: 70000 x 1000 pixels, longest side allowed 65535; to accept it, raise the max_side_px setting "
        "(e.g. LEAKTRACE_MAX_SIDE_PX=70000, or max_side_px in leaktrace.toml)"
    )
    with pytest.raises(ImageRejected, match="truncated or corrupt"):  # no side limit given: read, and found short of data
        read_image_bytes(make_hostile.bomb_png(70_000, 1_000), "long.png")


@pytest.mark.parametrize(("width", "height"), [(1, 50_000), (100_000_000, 1), (1_001, 10)])
def test_an_elongated_image_is_refused_from_the_header(width, height):
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(make_hostile.bomb_png(width, height), "strip.png")
    assert caught.value.reason == f"image too elongated: {width} x {height} pixels; leaktrace reads images up to 100 times longer than wide"


def test_an_image_100_times_longer_than_wide_is_read():
    assert read_image_bytes(make_hostile.zero_png(1_000, 10), "banner.png").shape == (10, 1_000, 3)


def test_jpeg_scans_are_counted_from_the_markers():
    from leaktrace.imagebounds import MAX_JPEG_SCANS, _jpeg_scans

    def scans(data: bytes) -> int:
        return _jpeg_scans(io.BytesIO(data), 10_000)

    grey = Image.new("L", (40, 24), 90)
    assert MAX_JPEG_SCANS == 100
    assert [scans(encode_image(_rgb(), "JPEG")), scans(_jpeg(grey)), scans(_jpeg(grey, progressive=True))] == [1, 1, 6]
    assert scans(_jpeg(Image.fromarray(_rgb()), progressive=True)) == 10
    assert scans((DATA / "exif6.jpg").read_bytes()) == 1  # an EXIF block before the frame is skipped by its length
    assert scans(make_hostile.many_scans_jpeg(64, 90)) == 100
    with open(DATA / "cmyk.jpg", "rb") as fp:  # files are memory-mapped
        assert _jpeg_scans(fp, 10) == 1


def test_a_jpeg_repeating_one_scan_is_refused_quickly():
    import time

    assert read_image_bytes(make_hostile.many_scans_jpeg(64, 90), "ok.jpg").shape == (64, 64, 3)  # 100 scans: at the bound
    data = make_hostile.many_scans_jpeg(1024, 3000)  # 43 kB; 1.1 s of CPU to decode
    start = time.perf_counter()
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(data, "scans.jpg")
    assert time.perf_counter() - start < 1.0  # refused before decoding (a loaded machine has slack here)
    assert caught.value.reason == "too many JPEG scans: more than 100 (a progressive JPEG has about 10; each one is a pass over the image)"
    with pytest.raises(ImageRejected, match="too many JPEG scans"):
        read_image_bytes(make_hostile.many_scans_jpeg(64, 91), "101.jpg")


def test_a_large_jpeg_may_hold_fewer_scans():
    """At 100 MP, 32 scans (libjpeg's progressive CMYK has 18): 40 is refused from the markers, before a pixel is decoded."""
    data = bytearray(make_hostile.many_scans_jpeg(64, 30))  # 40 scans
    sof = data.index(b"\xff\xc2")  # progressive frame header: patched to claim 10000 x 10000
    data[sof + 5 : sof + 9] = bytes.fromhex("27102710")
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(bytes(data), "big.jpg")
    assert caught.value.reason == "too many JPEG scans: more than 32 (a progressive JPEG has about 10; each one is a pass over the image)"
    assert read_image_bytes(make_hostile.many_scans_jpeg(64, 30), "small.jpg").shape == (64, 64, 3)


def test_a_corrupt_compressed_tiff_is_one_line_and_libtiff_says_nothing(capfd):
    out = io.BytesIO()
    Image.fromarray(_rgb(64, 64)).save(out, "TIFF", compression="tiff_adobe_deflate")
    data = bytearray(out.getvalue())
    data[200:260] = b"\x13" * 60  # inside the deflate stream
    with pytest.raises(ImageRejected, match="truncated or corrupt image"):
        read_image_bytes(bytes(data), "corrupt.tif")
    assert capfd.readouterr().err == ""  # was: "ZIPDecode: Decoding error at scanline 0, incorrect data check."


def test_a_tiff_holding_such_a_jpeg_is_refused_in_one_line(capfd):
    """libtiff stops at 100 scans on its own, but writes its complaint to stderr: it must never be reached."""
    good = read_image_bytes(make_hostile.jpeg_tiff(make_hostile.many_scans_jpeg(64, 0), 64), "ok.tif")
    assert good.shape == (64, 64, 3) and np.abs(good.astype(int) - (90, 110, 160)).max() <= 3
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(make_hostile.jpeg_tiff(make_hostile.many_scans_jpeg(1024, 3000), 1024), "scans.tif")
    assert caught.value.reason == "too many JPEG scans: more than 100 (a progressive JPEG has about 10; each one is a pass over the image)"
    assert capfd.readouterr().err == ""


def _jpeg(im: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90, **options)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "options"), [("PNG", {}), ("WEBP", {"lossless": True}), ("TIFF", {}), ("GIF", {})])
def test_animations_and_pages_are_read_as_their_first_frame(fmt, options):
    """APNG, animated WebP and GIF, multi-page TIFF: only the first frame is decoded, so the work is one frame's however many follow."""
    red, others = Image.new("RGB", (16, 8), (255, 0, 0)), [Image.new("RGB", (16, 8), (0, 5 * i, 255)) for i in range(50)]
    out = io.BytesIO()
    red.save(out, fmt, save_all=True, append_images=others, **options)
    with Image.open(io.BytesIO(out.getvalue())) as im:
        assert im.n_frames == 51
    got = read_image_bytes(out.getvalue(), f"frames.{fmt.lower()}")
    assert got.shape == (8, 16, 3) and (got == (255, 0, 0)).all()


def test_a_still_opaque_webp_is_decoded_by_libwebp_into_the_result(monkeypatch, capfd):
    """The OpenCV path (6.7 bytes per pixel instead of 17.6) gives Pillow's pixels; alpha and truncation keep Pillow's answers."""
    from leaktrace import imagefiles

    image = _rgb(60, 80, seed=5)
    lossy = encode_image(image, "WEBP", quality=70)
    with Image.open(io.BytesIO(lossy)) as im:
        pillows = np.asarray(im.convert("RGB"))
    calls = []
    real = imagefiles._webp_by_opencv
    monkeypatch.setattr(imagefiles, "_webp_by_opencv", lambda im, fp: calls.append(im.mode) or real(im, fp))
    np.testing.assert_array_equal(read_image_bytes(lossy, "x.webp"), pillows)
    assert calls == ["RGB"]
    rgba = np.zeros((2, 4, 4), np.uint8)
    rgba[0] = (255, 0, 0, 255)  # opaque red over fully transparent
    got = read_image_bytes(_save(Image.fromarray(rgba, "RGBA"), "WEBP", lossless=True), "a.webp")
    assert (got[0] == (255, 0, 0)).all() and (got[1] == 255).all()
    with pytest.raises(ImageRejected, match="truncated or corrupt image"):
        read_image_bytes(lossy[: len(lossy) // 2], "half.webp")
    assert capfd.readouterr().err == ""


def _save(im: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "reason"),
    [
        ("JPEG", "too many JPEG segments: more than 10000 (each is parsed on its own)"),
        ("PNG", "too many PNG chunks: more than 18000 (each is parsed on its own)"),
        ("GIF", "too many GIF blocks before the image: more than 10000 (each is parsed on its own)"),
    ],
)
def test_metadata_of_millions_of_empty_pieces_is_refused_before_pillow_parses_it(fmt, reason):
    """Pillow parses each piece on its own, about 2 µs each: 24 MB of empty PNG chunks took 4.4 s (200 MB: 40 s), 20 MB of JPEG comments 4.5 s."""
    import time

    data = make_hostile.padded(fmt, 2_000_000)
    start = time.perf_counter()
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(data, f"padded.{fmt.lower()}")
    assert time.perf_counter() - start < 1.0  # refused before decoding (a loaded machine has slack here)
    expected = reason.replace("18000", str(10_000 + len(data) // 1024 + 2 * 64))
    assert caught.value.reason == expected
    assert read_image_bytes(make_hostile.padded(fmt, 9_000), f"ok.{fmt.lower()}").shape == (64, 64, 3)  # under the bound: read


def test_a_png_of_one_chunk_per_row_is_read():
    """Some encoders write an IDAT per row: two chunks per row are allowed beside the rest."""
    packer = zlib.compressobj()
    body = [packer.compress(b"\x00" + bytes(3 * 200)) + packer.flush(zlib.Z_SYNC_FLUSH) for _ in range(15_000)] + [packer.flush()]
    png = b"\x89PNG\r\n\x1a\n" + make_hostile._chunk(b"IHDR", struct.pack(">IIBBBBB", 200, 15_000, 8, 2, 0, 0, 0))
    png += b"".join(make_hostile._chunk(b"IDAT", part) for part in body) + make_hostile._chunk(b"IEND", b"")
    assert read_image_bytes(png, "rows.png", max_pixels=10**7).shape == (15_000, 200, 3)


def test_a_tiff_listing_more_strips_than_its_image_has_is_refused_before_pillow_opens_it():
    """Pillow makes a Python object per strip-table entry: 5,000,000 entries (40 MB) took 15.6 s and 1.6 GB."""
    import time

    assert read_image_bytes(make_hostile.strips_tiff(1), "one.tif").shape == (64, 64, 3)
    data = make_hostile.strips_tiff(1_000_000)
    start = time.perf_counter()
    with pytest.raises(ImageRejected) as caught:
        read_image_bytes(data, "strips.tif")
    assert time.perf_counter() - start < 1.0  # refused before decoding (a loaded machine has slack here)
    assert caught.value.reason == "too many values in TIFF field 273: more than 1 (each is parsed on its own)"
    out = io.BytesIO()
    Image.fromarray(_rgb(300, 40)).save(out, "TIFF", compression="tiff_lzw")  # several strips, as Pillow writes them
    assert read_image_bytes(out.getvalue(), "strips.tif").shape == (300, 40, 3)


def test_png_text_chunks_keep_the_pixels_and_change_the_bytes(tmp_path):
    from leaktrace import imagefiles

    image = np.random.default_rng(3).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    plain = imagefiles.encode_image(image, "PNG")
    named = imagefiles.encode_image(image, "PNG", png_text={"leaktrace-page": "abc 3"})
    assert named != plain
    path = tmp_path / "page.png"
    path.write_bytes(named)
    assert np.array_equal(imagefiles.read_image(path), image)
    assert Image.open(path).text == {"leaktrace-page": "abc 3"}


def _smooth_jpeg(tmp_path, height: int, width: int, **options) -> tuple:
    rng = np.random.default_rng(3)
    image = cv2.resize(rng.integers(0, 256, (height // 16, width // 16, 3), np.uint8), (width, height), interpolation=cv2.INTER_CUBIC)
    path = tmp_path / "draft.jpg"
    Image.fromarray(image).save(path, "JPEG", quality=95, **options)
    return path, read_image(path)


@pytest.mark.parametrize(
    ("side", "shape"), [(2000, (1200, 1600, 3)), (800, (600, 800, 3)), (300, (300, 400, 3)), (10, (150, 200, 3)), (5000, (1200, 1600, 3))]
)
def test_a_jpeg_for_a_small_job_is_decoded_at_a_reduced_size(tmp_path, side, shape):
    path, whole = _smooth_jpeg(tmp_path, 1200, 1600)
    reduced = read_image(path, reduce_to_side=side)
    assert reduced.shape == shape  # the longer side never below `side`, at most 1/8
    expected = cv2.resize(whole, shape[1::-1], interpolation=cv2.INTER_AREA)
    assert np.abs(reduced.astype(int) - expected).mean() < 3  # DCT scaling is an area average


def test_a_jpeg_of_odd_sides_is_reduced_too(tmp_path):
    path, _ = _smooth_jpeg(tmp_path, 1001, 1225)
    assert read_image(path, reduce_to_side=400).shape == (501, 613, 3)  # 1/2, libjpeg rounds up


def test_a_reduced_decode_keeps_the_exif_orientation_and_the_worker(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    path, whole = _smooth_jpeg(tmp_path, 800, 1200, exif=exif.tobytes())
    assert whole.shape == (1200, 800, 3)
    assert read_image(path, reduce_to_side=300, budget_s=30).shape == (300, 200, 3)


def test_other_formats_decode_whole_whatever_the_job(tmp_path):
    path = tmp_path / "whole.png"
    assert cv2.imwrite(str(path), np.zeros((400, 600, 3), np.uint8))
    assert read_image(path, reduce_to_side=100).shape == (400, 600, 3)
