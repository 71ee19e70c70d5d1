"""Fuzzing the one image decoder entry, :func:`leaktrace.imagefiles.read_image_bytes`.

Property, for any bytes: either an ``(H, W, 3)`` uint8 array of the size the header announces (EXIF
may swap the sides), within the pixel limit, or :class:`~leaktrace.errors.ImageRejected` with a
one-line message; never another exception, never a slow decode (the profile's deadline), never a
large peak memory for a file that claims a large image (measured in a child process).
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tempfile
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, features

from leaktrace.errors import ImageRejected, LeaktraceError
from leaktrace.imagefiles import read_image_bytes
from tests.fuzz.conftest import budget

#: Small limits, so that a mutated header's claim is refused or cheap to honour.
MAX_PIXELS = 1_000_000
MAX_SIDE = 4096


def _seeds() -> dict[str, bytes]:
    """Small valid images of every accepted format, a few layouts each (≤ 64 px)."""
    rng = np.random.default_rng(13)
    rgb = rng.integers(0, 256, (24, 40, 3), np.uint8)
    im = Image.fromarray(rgb, "RGB")
    rgba = Image.fromarray(rng.integers(0, 256, (17, 23, 4), np.uint8), "RGBA")
    out: dict[str, bytes] = {}

    def save(key: str, image: Image.Image, fmt: str, **options) -> None:
        buf = io.BytesIO()
        image.save(buf, fmt, **options)
        out[key] = buf.getvalue()

    save("png", im, "PNG")
    save("png-rgba", rgba, "PNG")
    save("png-palette", im.convert("P"), "PNG")
    save("png-grey16", Image.fromarray(rgb[..., 0].astype(np.uint16) * 257), "PNG")
    save("jpeg", im, "JPEG", quality=80)
    save("jpeg-progressive", im, "JPEG", quality=80, progressive=True)
    save("jpeg-grey", im.convert("L"), "JPEG")
    exif = Image.Exif()
    exif[0x0112] = 6
    save("jpeg-exif6", im, "JPEG", exif=exif.tobytes())
    save("webp", im, "WEBP", quality=80)
    save("webp-lossless-alpha", rgba, "WEBP", lossless=True)
    save("tiff", im, "TIFF")
    save("tiff-lzw", im, "TIFF", compression="tiff_lzw")
    save("tiff-deflate", rgba, "TIFF", compression="tiff_adobe_deflate")
    save("bmp", im, "BMP")
    save("gif", im.convert("P"), "GIF")
    if features.check("avif"):
        save("avif", im, "AVIF", quality=60)
    save("gif-animated", im.convert("P"), "GIF", save_all=True, append_images=[rgba.convert("P")], duration=50)
    return out


SEEDS = _seeds()

#: Values a header field is set to: zero, one, the largest of 16 and 32 bits, signed extremes.
EXTREMES = (0, 1, 0x7F, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)


def _field_offsets(data: bytes) -> list[int]:
    """Where the image size lives in each format's header (and in a JPEG's SOF)."""
    offsets = list(range(0, min(len(data), 64), 2))  # any early field
    if data.startswith(b"\x89PNG"):
        offsets += [16, 20, 24]  # IHDR width, height, bit depth / colour type
    elif data[:2] in (b"II", b"MM"):
        offsets += [4]  # first IFD offset
    elif data.startswith(b"BM"):
        offsets += [2, 10, 14, 18, 22, 28, 30, 34]  # size, pixel offset, header size, w, h, bpp, compression, image size
    elif data.startswith(b"GIF"):
        offsets += [6, 8]
    elif data.startswith(b"RIFF"):
        offsets += [4, 16, 24, 26, 28]
    sof = max(data.find(b"\xff\xc0"), data.find(b"\xff\xc2"))
    if sof >= 0:
        offsets += [sof + 2, sof + 5, sof + 7, sof + 9]  # length, height, width, components
    return [o for o in offsets if o < len(data)]


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], 8
    while at + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, at)
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def _png_chunk_mutation(draw, data: bytes) -> bytes:
    """A PNG whose chunks are changed with their CRCs made right again, so that parsing goes deep:
    a chunk's body damaged, a chunk repeated, or a chunk of another kind inserted."""
    chunks = _png_chunks(data)
    if not chunks:
        return data
    i = draw(st.integers(0, len(chunks) - 1))
    kind, body = chunks[i]
    action = draw(st.sampled_from(("body", "repeat", "insert")))
    if action == "body" and body:
        body = bytearray(body)
        body[draw(st.integers(0, len(body) - 1))] = draw(st.integers(0, 255))
        chunks[i] = (kind, bytes(body))
    elif action == "repeat":
        chunks[i:i] = [chunks[i]] * draw(st.integers(1, 50))
    else:
        new = draw(st.sampled_from((b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"iCCP", b"zTXt", b"iTXt", b"eXIf", b"acTL", b"fcTL", b"fdAT", b"IEND")))
        chunks.insert(i, (new, draw(st.binary(max_size=64))))
    out = [b"\x89PNG\r\n\x1a\n"]
    for kind, body in chunks:
        out.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)))
    return b"".join(out)


def _jpeg_segment_mutation(draw, data: bytes) -> bytes:
    """A JPEG with a marker segment (tables, a frame header, a scan header, restart interval,
    metadata) of random content inserted before one of its markers, its length field right."""
    starts = [m for m in range(2, len(data) - 1) if data[m] == 0xFF and data[m + 1] in _JPEG_MARKERS] or [2]
    at = draw(st.sampled_from(starts))
    body = draw(st.binary(max_size=80))
    marker = draw(st.sampled_from(sorted(_JPEG_MARKERS)))
    return data[:at] + bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body + data[at:]


#: DQT, DHT, SOF0/1/2/3, SOS, DRI, APP0/1/2/14, COM, DAC.
_JPEG_MARKERS = frozenset((0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xC3, 0xDA, 0xDD, 0xE0, 0xE1, 0xE2, 0xEE, 0xFE, 0xCC))


def _tiff_field_mutation(draw, data: bytearray) -> None:
    """One field of a TIFF's first IFD given an extreme type, count or value (in place)."""
    order = "<" if data[:2] == b"II" else ">"
    try:
        (ifd,) = struct.unpack_from(order + "I", data, 4)
        (count,) = struct.unpack_from(order + "H", data, ifd)
    except struct.error:
        return
    if not count or ifd + 2 + 12 * count > len(data):
        return
    at = ifd + 2 + 12 * draw(st.integers(0, count - 1))
    part = draw(st.sampled_from(((2, "H"), (4, "I"), (8, "I"), (8, "H"))))
    value = draw(st.sampled_from(EXTREMES)) & (0xFFFF if part[1] == "H" else 0xFFFFFFFF)
    struct.pack_into(order + part[1], data, at + part[0], value)


@st.composite
def mutated(draw) -> bytes:
    key = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[key])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("flip", "truncate", "insert", "field", "repeat", "chunk", "ifd", "segment")))
        if not data:
            break
        if op == "flip":
            pos = draw(st.integers(0, len(data) - 1))
            data[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[draw(st.integers(1, len(data))) :]
        elif op == "insert":
            pos = draw(st.integers(0, len(data)))
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "field" and (offsets := _field_offsets(bytes(data))):
            pos = draw(st.sampled_from(offsets))
            size, order = draw(st.sampled_from(((2, ">"), (2, "<"), (4, ">"), (4, "<"))))
            value = draw(st.sampled_from(EXTREMES)) & ((1 << (8 * size)) - 1)
            data[pos : pos + size] = struct.pack(order + ("H" if size == 2 else "I"), value)
        elif op == "repeat":  # a piece of the file repeated (a chunk, a scan, a segment inserted again)
            start = draw(st.integers(0, len(data) - 1))
            piece = data[start : start + draw(st.integers(1, 256))]
            data[start:start] = piece * draw(st.integers(1, 20))
        elif op == "chunk" and data.startswith(b"\x89PNG"):
            data = bytearray(_png_chunk_mutation(draw, bytes(data)))
        elif op == "segment" and data.startswith(b"\xff\xd8"):
            data = bytearray(_jpeg_segment_mutation(draw, bytes(data)))
        elif op == "ifd" and data[:4] in (b"II*\x00", b"MM\x00*"):
            _tiff_field_mutation(draw, data)
    return bytes(data)


def _announced(data: bytes) -> tuple[int, int] | None:
    """(width, height) as Pillow reads it from the header, or None if it cannot."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                return im.size
    except Exception:  # noqa: BLE001 - any header Pillow cannot read announces nothing
        return None


def _decode_quietly(data: bytes, name: str) -> np.ndarray:
    """read_image_bytes, asserting that no native library (libtiff, libjpeg, libpng…) wrote to stderr."""
    with tempfile.TemporaryFile() as err:
        saved = os.dup(2)
        os.dup2(err.fileno(), 2)
        try:
            return read_image_bytes(data, name, max_pixels=MAX_PIXELS, max_side=MAX_SIDE)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            err.seek(0)
            written = err.read()
            assert written == b"", written[:300]


def _check(data: bytes, name: str) -> None:
    try:
        image = _decode_quietly(data, name)
    except ImageRejected as exc:
        message = str(exc)
        assert isinstance(exc, LeaktraceError)
        assert message.startswith(name + ": ") and "\n" not in message and len(message) < 400, message
        return
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8
    assert image.ndim == 3 and image.shape[2] == 3 and image.flags.c_contiguous
    height, width = image.shape[:2]
    assert 0 < width * height <= MAX_PIXELS and max(width, height) <= MAX_SIDE
    size = _announced(data)
    assert size is not None and size in ((width, height), (height, width)), (size, image.shape)


@settings(max_examples=budget(1.0))
@given(st.binary(max_size=4096), st.sampled_from(("leak.png", "leak.jpg", "leak", "x.webp")))
def test_arbitrary_bytes_decode_or_are_refused_in_one_line(data, name):
    _check(data, name)


@settings(max_examples=budget(1.0))
@given(st.sampled_from(sorted(SEEDS)).flatmap(lambda key: st.sampled_from([SEEDS[key]])) | st.just(b""), st.booleans())
def test_magic_prefixes_with_garbage(seed, keep_header):
    # a valid file's first 16 bytes (its magic) before garbage: every format's parser sees it
    _check(seed[:16] + bytes(range(256)) * 4 if keep_header else seed[:8], "leak.bin")


@settings(max_examples=budget(4.0))
@given(mutated())
def test_mutated_valid_images_decode_or_are_refused_in_one_line(data):
    _check(data, "leak.img")


def test_every_seed_decodes_at_its_size():
    for key, data in SEEDS.items():
        image = read_image_bytes(data, key)
        assert image.shape[:2] in ((24, 40), (40, 24), (17, 23)), key
    assert len(SEEDS) >= 16  # PNG, JPEG, WEBP, TIFF, BMP, GIF (and AVIF where Pillow has it), several layouts each


def _png_claiming(width: int, height: int, rows: bytes = b"\x00" * 64) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _bmp_claiming(width: int, height: int) -> bytes:
    header = struct.pack("<2sIHHI", b"BM", 54 + 64, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 64, 0, 0, 0, 0)
    return header + b"\x00" * 64


def _gif_claiming(width: int, height: int) -> bytes:
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0, 0, 0)
        + b",\x00\x00\x00\x00"
        + struct.pack("<HH", width, height)
        + b"\x00\x02\x02D\x01\x00;"
    )


def _tiff_with(tag: int, value: int) -> bytes:
    """A small valid TIFF with one SHORT field of its first IFD set to ``value``."""
    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(buf, "TIFF")
    data = bytearray(buf.getvalue())
    ifd = struct.unpack_from("<I", data, 4)[0]
    for i in range(struct.unpack_from("<H", data, ifd)[0]):
        if struct.unpack_from("<H", data, ifd + 2 + 12 * i)[0] == tag:
            struct.pack_into("<H", data, ifd + 2 + 12 * i + 8, value)
    return bytes(data)


# Files that claim a large image in a small body, read in a child process with nothing configured
# (as the CLI reads them): refused from the header, or decoded with a peak memory within the
# documented bound (13 bytes per pixel), and nothing but the refusal on stderr.
_CHILD = """
import resource, sys
from leaktrace.errors import ImageRejected
from leaktrace.imagefiles import read_image_bytes
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = sys.stdin.buffer.read()
try:
    read_image_bytes(data, "claim", max_pixels=4_000_000)
    print("decoded", end=" ")
except ImageRejected as exc:
    print("refused", end=" ")
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)
"""


def _read_in_child(data: bytes) -> tuple[str, int, bytes]:
    done = subprocess.run([sys.executable, "-c", _CHILD], input=data, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-500:]
    verdict, peak = done.stdout.decode().split()
    return verdict, int(peak), done.stderr


def test_large_claims_cost_memory_within_the_bound():
    cases = {
        "png 2000x2000 of zeros": (_png_claiming(2000, 2000, b"\x00" * (2000 * 2000 * 3 + 2000)), "decoded"),  # 4 MP from 12 kB
        "png 2000x2000 truncated": (_png_claiming(2000, 2000), "refused"),
        "png 65535x65535": (_png_claiming(65535, 65535), "refused"),
        "png 1x4000000": (_png_claiming(1, 4_000_000), "refused"),
        "bmp 2000x-2000": (_bmp_claiming(2000, -2000), "refused"),
        "bmp 2^31-1": (_bmp_claiming(0x7FFFFFFF, 1), "refused"),
        "gif 2000x2000": (_gif_claiming(2000, 2000), None),
        "gif 65535x65535": (_gif_claiming(65535, 65535), "refused"),
    }
    for label, (data, expected) in cases.items():
        verdict, peak, stderr = _read_in_child(data)
        assert expected in (None, verdict), (label, verdict)
        assert peak <= 13 * 4_000_000, (label, verdict, peak / 2**20)
        assert stderr == b"", (label, stderr)


def test_a_hostile_tiff_header_prints_nothing_on_stderr():
    # found by the fuzzer: Pillow logged "More samples per pixel than can be decoded: 771" at ERROR
    # level, and Python printed it twice on stderr above the CLI's one-line refusal
    verdict, _, stderr = _read_in_child(_tiff_with(277, 771))
    assert (verdict, stderr) == ("refused", b"")


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF support")
def test_an_undecodable_avif_stream_is_refused_as_corrupt():
    # found by the fuzzer: one byte of the mdat box changed, and Pillow's AVIF plugin raised
    # "RuntimeError: Failed to decode frame 0: Decoding of color planes failed" out of the decoder
    data = bytearray(SEEDS["avif"])
    data[data.find(b"mdat") + 4] ^= 0x12
    with pytest.raises(ImageRejected, match="^x.avif: truncated or corrupt image$"):
        read_image_bytes(bytes(data), "x.avif")
