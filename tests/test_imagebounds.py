"""imagebounds: the walkers count what a decoder would face, from the markers alone, and stop at their bound.

The refusals they lead to, through read_image, are in tests/test_imagefiles.py."""

from __future__ import annotations

import io

from PIL import Image

from leaktrace import imagebounds
from tests.test_imagefiles import DATA, make_hostile


def _save(im: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def test_jpeg_walk_counts_scans_and_segments_and_stops_at_the_bounds():
    plain = _save(Image.new("RGB", (40, 24), (90, 110, 160)), "JPEG")
    scans, segments = imagebounds._walk_jpeg(plain, 100, None)
    assert scans == 1 and 5 <= segments <= 10  # APP0, DQT x2, SOF0, DHT x4, SOS
    assert imagebounds._walk_jpeg(make_hostile.many_scans_jpeg(64, 3000), 100, None)[0] == 101  # stops past the bound
    assert imagebounds._walk_jpeg(make_hostile.padded("JPEG", 50_000), 100, 10_000)[1] == 10_001
    assert imagebounds._walk_jpeg((DATA / "exif6.jpg").read_bytes(), 100, None)[0] == 1


def test_png_chunks_and_gif_blocks_are_counted_up_to_the_bound():
    assert imagebounds._png_chunks(make_hostile.zero_png(8, 8), 100) == 3  # IHDR, IDAT, IEND
    assert imagebounds._png_chunks(make_hostile.padded("PNG", 500), 10_000) == 503
    assert imagebounds._png_chunks(make_hostile.padded("PNG", 50_000), 10_000) == 10_001
    assert imagebounds._gif_blocks(make_hostile.padded("GIF", 500), 10_000) >= 500
    assert imagebounds._gif_blocks(make_hostile.padded("GIF", 50_000), 10_000) == 10_001
    assert imagebounds._gif_blocks(b"GIF89a", 10) == 0  # cut short: Pillow says how


def test_tiff_tables_are_measured_against_the_image():
    assert imagebounds._tiff_fields(make_hostile.strips_tiff(1)) is None
    assert imagebounds._tiff_fields(make_hostile.strips_tiff(2)) == ("values in TIFF field 273", 1)
    assert imagebounds._tiff_fields(_save(Image.new("RGB", (40, 300)), "TIFF", compression="tiff_lzw")) is None
    assert imagebounds._tiff_fields(b"II*\x00\xff\xff\xff\xff") is None  # a directory past the end: Pillow says how


def test_the_scan_limit_falls_with_the_pixel_count():
    assert [imagebounds.jpeg_scan_limit(p) for p in (1, 30_000_000, 50_000_000, 100_000_000, 10**9)] == [100, 100, 60, 32, 32]
