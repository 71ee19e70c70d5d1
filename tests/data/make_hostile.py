"""Write the hostile and odd image files of ``tests/data`` (run: python tests/data/make_hostile.py).

Every file is small (< 50 KB) and deterministic. Hostile files must be refused by
``leaktrace.imagefiles.read_image``; odd-but-good files must be read correctly.

Hostile: truncated.png, truncated.jpg, empty.png (0 bytes), text.png (text),
bomb.png (header claims 100000 x 100000 pixels), bomb.jpg (60000 x 60000), image.ppm (format not accepted).
Made by the tests in memory, never committed: :func:`zero_png` (a whole PNG of any shape, e.g.
1 x 50000 or 10^8 x 1), :func:`many_scans_jpeg` (a progressive JPEG repeating one scan),
:func:`jpeg_tiff` (a JPEG stream, such as that one, as the strip of a TIFF), :func:`padded`
(an image behind millions of empty metadata pieces).
Odd but good: animated.gif (red frame, then blue), gray16.png (16-bit grey ramp),
rgb16.png (16-bit RGB), cmyk.jpg (pure red in CMYK), palette.png (red | green),
rgba.png (opaque red | transparent | half-transparent blue rows),
exif6.jpg (stored 20 x 40, red top / blue bottom, EXIF orientation 6).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent


def _noise(h: int, w: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _save(im: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def bomb_png(width: int, height: int) -> bytes:
    """A well-formed PNG header claiming ``width`` x ``height`` 8-bit RGB pixels, with almost no data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def bomb_jpeg(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is patched to claim ``width`` x ``height`` pixels."""
    data = bytearray(_save(Image.fromarray(_noise(16, 16, 3)), "JPEG", quality=90))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def zero_png(width: int, height: int) -> bytes:
    """A whole, valid PNG of ``width`` x ``height`` black 8-bit RGB pixels (10^8 of them compress to 0.3 MB).

    The pixels are compressed in rows of zeros without ever holding them all.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = b"\x00" * min(1 + 3 * width, 1 << 22)  # filter byte + pixels (a long row is given in pieces)
    pieces, rest = divmod(1 + 3 * width, len(row))
    rows_per_chunk = max(1, (1 << 22) // len(row))
    body = []
    for start in range(0, height, rows_per_chunk):
        if pieces > 1 or rest:  # one row longer than a piece
            body.extend(packer.compress(row) for _ in range(pieces))
            body.append(packer.compress(row[:rest]))
        else:
            body.append(packer.compress(row * min(rows_per_chunk, height - start)))
    body.append(packer.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(body)) + _chunk(b"IEND", b"")


def many_scans_jpeg(side: int, repeats: int) -> bytes:
    """A valid progressive JPEG of ``side`` x ``side`` grey-blue pixels whose last scan is repeated ``repeats`` times.

    libjpeg passes over the whole image for every scan: 1024 px and 3000 repeats is 37 kB and
    seconds of CPU to decode.
    """
    data = _save(Image.new("RGB", (side, side), (90, 110, 160)), "JPEG", quality=90, progressive=True)
    last = data.rindex(b"\xff\xda")
    return data[:-2] + data[last:-2] * repeats + b"\xff\xd9"


def jpeg_tiff(stream: bytes, side: int) -> bytes:
    """A little-endian TIFF of ``side`` x ``side`` RGB pixels held in one JPEG-compressed strip: ``stream``, a whole JPEG."""
    entries = [  # tag, type (3 short, 4 long), count, value
        (256, 3, 1, side),  # ImageWidth
        (257, 3, 1, side),  # ImageLength
        (258, 3, 3, 0),  # BitsPerSample 8, 8, 8 (at `extra`)
        (259, 3, 1, 7),  # Compression: JPEG
        (262, 3, 1, 6),  # Photometric: YCbCr
        (273, 4, 1, 0),  # StripOffsets (at `data`)
        (277, 3, 1, 3),  # SamplesPerPixel
        (278, 3, 1, side),  # RowsPerStrip: one strip
        (279, 4, 1, len(stream)),  # StripByteCounts
        (284, 3, 1, 1),  # PlanarConfiguration: chunky
    ]
    extra = 8 + 2 + 12 * len(entries) + 4
    data = extra + 6
    out = bytearray(b"II*\x00" + struct.pack("<IH", 8, len(entries)))
    for tag, kind, count, value in entries:
        value = {258: extra, 273: data}.get(tag, value)
        out += struct.pack("<HHIHH", tag, kind, count, value, 0) if kind == 3 and count == 1 else struct.pack("<HHII", tag, kind, count, value)
    return bytes(out + struct.pack("<I", 0) + struct.pack("<HHH", 8, 8, 8) + stream)


def padded(fmt: str, pieces: int) -> bytes:
    """A small valid image whose metadata is ``pieces`` empty pieces that Pillow parses one by one:
    JPEG comment segments, PNG private chunks, or GIF comment blocks before the image
    (2,000,000 of them: 8 MB, 24 MB, 6 MB; a few seconds of CPU each before any bound)."""
    if fmt == "JPEG":
        data = _save(Image.new("RGB", (64, 64), (1, 2, 3)), "JPEG")
        return data[:2] + b"\xff\xfe\x00\x02" * pieces + data[2:]
    if fmt == "PNG":
        data = zero_png(64, 64)
        at = data.index(b"IDAT") - 4
        return data[:at] + _chunk(b"prIv", b"") * pieces + data[at:]
    data = _save(Image.new("P", (64, 64)), "GIF")
    at = data.index(b",")  # the image descriptor
    return data[:at] + b"\x21\xfe\x00" * pieces + data[at:]


def strips_tiff(strips: int) -> bytes:
    """A valid 64 x 64 RGB TIFF in one strip of 64 rows whose strip tables list ``strips`` entries
    (all the same strip): 5,000,000 of them are 40 MB, 15.6 s and 1.6 GB to open before any bound."""
    entries = [(256, 3, 1, 64), (257, 3, 1, 64), (258, 3, 3, 0), (259, 3, 1, 1), (262, 3, 1, 2), (273, 4, strips, 0)]
    entries += [(277, 3, 1, 3), (278, 3, 1, 64), (279, 4, strips, 0), (284, 3, 1, 1)]
    bits = 8 + 2 + 12 * len(entries) + 4
    offsets = bits + 6
    counts = offsets + 4 * strips
    pixels = counts + 4 * strips
    out = bytearray(b"II*\x00" + struct.pack("<IH", 8, len(entries)))
    for tag, kind, count, value in entries:
        value = {258: bits, 273: offsets, 279: counts if strips > 1 else 64 * 64 * 3}.get(tag, value)  # one strip: its offset and size inline
        out += struct.pack("<HHIHH", tag, kind, count, value, 0) if kind == 3 and count == 1 else struct.pack("<HHII", tag, kind, count, value)
    out += struct.pack("<I", 0) + struct.pack("<HHH", 8, 8, 8)
    if strips > 1:
        out += struct.pack(f"<{strips}I", *[pixels] * strips) + struct.pack(f"<{strips}I", *[64 * 64 * 3] * strips)
    return bytes(out + bytes(range(256)) * 48)


def files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    png = _save(Image.fromarray(_noise(64, 64, 1)), "PNG")
    out["truncated.png"] = png[: len(png) // 2]
    jpg = _save(Image.fromarray(_noise(64, 64, 2)), "JPEG", quality=90)
    out["truncated.jpg"] = jpg[: len(jpg) // 2]
    out["empty.png"] = b""
    out["text.png"] = b"This is a text file with a .png name, not an image.\n"
    out["bomb.png"] = bomb_png(100_000, 100_000)
    out["bomb.jpg"] = bomb_jpeg(60_000, 60_000)
    out["image.ppm"] = b"P6\n4 4\n255\n" + bytes(4 * 4 * 3)

    red = Image.new("P", (16, 8))
    red.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    blue = red.copy()
    blue.paste(1, (0, 0, 16, 8))
    out["animated.gif"] = _save(red, "GIF", save_all=True, append_images=[blue], duration=100, loop=0)

    ramp = (np.arange(32 * 64, dtype=np.uint32).reshape(32, 64) * 32).astype(np.uint16)  # 0..65504
    out["gray16.png"] = _save(Image.fromarray(ramp), "PNG")
    rgb16 = np.zeros((8, 8, 3), np.uint16)
    rgb16[:, :, 0] = 65535  # red, as RGB (cv2 writes BGR: so set channel 2)
    ok, encoded = cv2.imencode(".png", rgb16[:, :, ::-1])
    assert ok
    out["rgb16.png"] = encoded.tobytes()

    out["cmyk.jpg"] = _save(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95)

    pal = Image.new("P", (16, 8))
    pal.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    pal.paste(1, (8, 0, 16, 8))
    out["palette.png"] = _save(pal, "PNG")

    rgba = np.zeros((3, 4, 4), np.uint8)
    rgba[0] = (255, 0, 0, 255)
    rgba[1] = (0, 255, 0, 0)
    rgba[2] = (0, 0, 255, 128)
    out["rgba.png"] = _save(Image.fromarray(rgba, "RGBA"), "PNG")

    stored = np.zeros((20, 40, 3), np.uint8)
    stored[:10] = (255, 0, 0)
    stored[10:] = (0, 0, 255)
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    out["exif6.jpg"] = _save(im, "JPEG", quality=95, exif=exif.tobytes())
    return out


def _exif_jpeg(orientation: int) -> bytes:
    stored = np.zeros((12, 24, 3), np.uint8)
    stored[:6] = (255, 0, 0)
    stored[6:] = (0, 0, 255)
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = orientation
    return _save(im, "JPEG", quality=90, exif=exif.tobytes())


def corpus() -> dict[str, bytes]:
    """The generated hostile corpus (tests/test_hostile_corpus.py): in memory, each file at most 2 MB, about 1 s to make.

    Resource bombs inside the file-size limit (long thin and 10^8-pixel PNGs, repeated JPEG scans,
    millions of metadata pieces, huge strip tables), polyglots, odd layouts, every EXIF orientation,
    an animation of 1000 frames, wrong or missing extensions and names with spaces and non-ASCII letters.
    """
    out: dict[str, bytes] = {}
    png = _save(Image.fromarray(_noise(32, 32, 7)), "PNG")
    jpg = _save(Image.fromarray(_noise(32, 32, 8)), "JPEG", quality=90)
    out["thin 1x50000.png"] = zero_png(1, 50_000)
    out["wide 50000x1.png"] = zero_png(50_000, 1)
    out["huge 12000x12000.png"] = zero_png(12_000, 12_000)
    out["line 100000000x1.png"] = zero_png(100_000_000, 1)
    out["column 1x100000000.png"] = zero_png(1, 100_000_000)
    out["bomb 100000x1.png"] = bomb_png(100_000, 1)
    out["bomb 65535x65535.jpg"] = bomb_jpeg(65_535, 65_535)
    out["bomb 0x0.png"] = bomb_png(0, 0)
    out["scans 1024x3000.jpg"] = many_scans_jpeg(1024, 3000)
    out["scans 2048x400.jpg"] = many_scans_jpeg(2048, 400)
    out["scans in strip.tif"] = jpeg_tiff(many_scans_jpeg(256, 2000), 256)
    out["padded.jpg"] = padded("JPEG", 200_000)
    out["padded.png"] = padded("PNG", 100_000)
    out["padded.gif"] = padded("GIF", 200_000)
    out["strips 100000.tif"] = strips_tiff(100_000)
    out["one strip.tif"] = strips_tiff(1)
    out["empty.jpg"] = b""
    out["png named.jpg"] = png
    out["jpeg named.gif"] = jpg
    out["no extension"] = png
    out["text.jpg"] = b"GIF89a? no: just text pretending.\n" * 10
    out["polyglot png+pdf.png"] = png + b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    out["pdf first.png"] = b"%PDF-1.4\n" + png
    out["jpeg+zip.jpg"] = jpg + b"PK\x03\x04" + bytes(26) + b"PK\x05\x06" + bytes(18)
    frames = [Image.new("P", (16, 16), i % 2) for i in range(1000)]
    for f in frames:
        f.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    out["frames 1000 of 16x16.gif"] = _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=10, loop=0)
    for orientation in range(1, 9):
        out[f"exif{orientation}.jpg"] = _exif_jpeg(orientation)
    out["exif 9 invalid.jpg"] = _exif_jpeg(9)
    out["gray16 big.png"] = _save(Image.fromarray((np.arange(128 * 128, dtype=np.uint32).reshape(128, 128) * 3).astype(np.uint16)), "PNG")
    out["cmyk photo.jpg"] = _save(Image.fromarray(_noise(48, 48, 9)).convert("CMYK"), "JPEG", quality=90)
    out["one pixel.png"] = _save(Image.new("RGB", (1, 1), (9, 9, 9)), "PNG")
    out["leak ünïcødé 漏洩 \u202etxt.png"] = png
    out["flipped byte.png"] = png[:40] + bytes([png[40] ^ 0xFF]) + png[41:]
    out["garbage after IEND.png"] = png + bytes(range(256)) * 64
    return out


def main() -> None:
    for name, data in files().items():
        assert len(data) < 50_000, name
        (HERE / name).write_bytes(data)
        print(f"{name:16s} {len(data):6d} bytes")


if __name__ == "__main__":
    main()
