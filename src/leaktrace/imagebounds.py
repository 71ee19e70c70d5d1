"""What a file's markers say before a decoder runs: the bounds :mod:`leaktrace.imagefiles` puts on
decoder work (JPEG scans, the pieces of metadata Pillow parses one by one, TIFF tables).

Every walker reads the file as one buffer without a copy (memory-mapped for a file), stops at its
bound, and costs a regex search over entropy-coded data plus a few microseconds per piece.

>>> jpeg_scan_limit(1_000_000)
100
"""

from __future__ import annotations

import contextlib
import io
import mmap
import re
import struct
from collections.abc import Iterator
from typing import IO, Any

from PIL import Image

from leaktrace.errors import ImageRejected

__all__ = ["MAX_JPEG_SCANS", "MAX_SCAN_PIXELS", "MAX_SEGMENTS", "bytes_of", "check_structure", "check_work", "jpeg_scan_limit"]

#: Scans (SOS segments) a JPEG may hold. Each scan of a progressive JPEG makes the decoder pass
#: over the whole image again: libjpeg writes 10 (6 for grey, 18 for CMYK), and a
#: hostile file repeating one scan thousands of times costs a minute of CPU. Counted from the
#: markers, without decoding. Large images get fewer (:func:`jpeg_scan_limit`), down to 32.
MAX_JPEG_SCANS = 100
#: Pieces of metadata a JPEG (segments), PNG (chunks, plus one per kB and two per row) or GIF
#: (extension blocks before the image) may hold; encoders write tens.
MAX_SEGMENTS = 10_000
#: Pixels a JPEG decoder may produce over all its scans: 32 scans at 100 MP (a second of CPU for empty scans, measured at 4 MP).
MAX_SCAN_PIXELS = 3_000_000_000


def _jpeg_scans(fp: IO[bytes], limit: int) -> int:
    """The number of scans (SOS segments) of the JPEG in ``fp``, up to its first EOI, stopping past ``limit``.

    Walks the segments by their lengths; entropy-coded data (where 0xFF is always followed
    by 0x00 or a restart marker) is skipped with one regex search, so a 200 MB file costs a
    fraction of a second and no copy (files are memory-mapped).
    """
    with bytes_of(fp) as buf:
        return _count_scans(buf, limit)


def _tiff_jpeg_scans(fp: IO[bytes]) -> int:
    """An upper bound on the JPEG scans inside a JPEG-compressed TIFF: every SOS marker in the file
    (inside JPEG data, 0xFF is always followed by 0x00 or a marker, so none is missed)."""
    with bytes_of(fp) as buf:
        return len(_SOS.findall(buf))


@contextlib.contextmanager
def bytes_of(fp: IO[bytes]) -> Iterator[Any]:
    """The whole content of ``fp`` as a buffer without a copy (memory-mapped for a file); ``fp`` is rewound after."""
    fp.seek(0)
    if isinstance(fp, io.BytesIO):
        buf: Any = fp.getbuffer()
    else:
        try:
            buf = mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError, io.UnsupportedOperation):
            buf = fp.read()
    try:
        yield buf
    finally:
        if isinstance(buf, mmap.mmap):
            buf.close()
        elif isinstance(buf, memoryview):
            buf.release()
        fp.seek(0)


_SOS = re.compile(rb"\xff\xda")
_NEXT_MARKER = re.compile(rb"\xff+[^\x00\xff\xd0-\xd7]")


def _count_scans(buf: Any, limit: int) -> int:
    return _walk_jpeg(buf, limit, None)[0]


def _walk_jpeg(buf: Any, max_scans: int, max_segments: int | None) -> tuple[int, int]:
    """(scans, segments) of a JPEG up to its first EOI, stopping past either bound."""
    n, pos, scans, segments = len(buf), 2, 0, 0
    while pos + 1 < n:
        if buf[pos] != 0xFF or buf[pos + 1] in (0x00, 0xFF) or 0xD0 <= buf[pos + 1] <= 0xD7:
            found = _NEXT_MARKER.search(buf, pos)  # garbage or entropy-coded data: on to the next marker
            if found is None:
                break
            pos = found.end() - 2
            continue
        marker = buf[pos + 1]
        if marker == 0xD9:  # EOI: the end of the first image (an MPO's others are not decoded)
            break
        segments += 1
        if max_segments is not None and segments > max_segments:
            break
        if marker == 0x01 or pos + 4 > n:
            pos += 2
            continue
        length = (buf[pos + 2] << 8) | buf[pos + 3]
        pos += 2 + length
        if marker == 0xDA:
            scans += 1
            if scans > max_scans:
                break
            found = _NEXT_MARKER.search(buf, pos)
            if found is None:
                break
            pos = found.end() - 2
    return scans, segments


def _png_chunks(buf: Any, limit: int) -> int:
    """The chunks of a PNG up to IEND, stopping past ``limit``."""
    size, pos, chunks = len(buf), 8, 0
    while pos + 8 <= size and chunks <= limit:
        chunks += 1
        if bytes(buf[pos + 4 : pos + 8]) == b"IEND":
            break
        pos += 12 + int.from_bytes(buf[pos : pos + 4], "big")
    return chunks


def _gif_blocks(buf: Any, limit: int) -> int:
    """The extension blocks and sub-blocks of a GIF before its first image, stopping past ``limit``."""
    size = len(buf)
    if size < 13:
        return 0
    pos, blocks = 13 + (3 << ((buf[10] & 7) + 1) if buf[10] & 0x80 else 0), 0
    while pos < size and blocks <= limit and buf[pos] == 0x21:  # an extension (0x2C: the image; 0x3B: the end)
        pos += 2
        while pos < size and blocks <= limit:
            blocks += 1
            length = buf[pos]
            pos += 1 + length
            if length == 0:
                break
    return blocks


#: TIFF field types holding numbers Pillow turns into Python values one by one (SHORT, LONG,
#: RATIONAL, their signed forms, FLOAT, DOUBLE, IFD, LONG8, SLONG8, IFD8), and their sizes.
_TIFF_NUMBERS = {3: 2, 4: 4, 5: 8, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8}
#: Numbers a TIFF field other than the strip or tile table may hold (a 16-bit colour map: 196,608).
_TIFF_MAX_VALUES = 1 << 18


def _tiff_fields(buf: Any) -> tuple[str, int] | None:
    """The first field of a TIFF's first directory holding more numbers than the image can need,
    as (what, limit), or None: strip and tile tables (StripOffsets 273, StripByteCounts 279,
    TileOffsets 324, TileByteCounts 325) at most one entry per strip or tile of the image,
    any other field :data:`_TIFF_MAX_VALUES`. Pillow made a Python object per entry: a 40 MB
    file of 5 million strips took 15.6 s and 1.6 GB."""
    order = "<" if bytes(buf[:2]) == b"II" else ">"
    big = bytes(buf[2:4]) in (b"+\x00", b"\x00+")
    try:
        if big:
            ifd = struct.unpack_from(order + "Q", buf, 8)[0]
            entries, pos, size, form = struct.unpack_from(order + "Q", buf, ifd)[0], ifd + 8, 20, order + "HHQQ"
        else:
            ifd = struct.unpack_from(order + "I", buf, 4)[0]
            entries, pos, size, form = struct.unpack_from(order + "H", buf, ifd)[0], ifd + 2, 12, order + "HHII"
        fields = {}
        for i in range(min(entries, 65_535)):
            tag, kind, count, value = struct.unpack_from(form, buf, pos + i * size)
            if kind == 3 and count == 1:  # a SHORT sits in the first two bytes of the value
                value = struct.unpack_from(order + "H", buf, pos + i * size + size - (8 if big else 4))[0]
            fields[tag] = (kind, count, value)
    except struct.error:
        return None  # cut short: Pillow says how

    def one(tag: int, default: int) -> int:
        kind, count, value = fields.get(tag, (4, 1, default))
        return value if count == 1 and kind in (3, 4, 16) else default

    width, height = max(1, one(256, 1)), max(1, one(257, 1))
    planes = max(1, one(277, 1)) if one(284, 1) == 2 else 1
    if 322 in fields or 323 in fields:
        tile_w, tile_h = max(1, one(322, width)), max(1, one(323, height))
        pieces = -(-width // tile_w) * -(-height // tile_h) * planes
    else:
        pieces = -(-height // max(1, min(one(278, height), height))) * planes
    for tag, (kind, count, _) in fields.items():
        limit = pieces if tag in (273, 279, 324, 325) else _TIFF_MAX_VALUES
        if kind in _TIFF_NUMBERS and count > limit:
            return f"values in TIFF field {tag}", limit
    return None


def check_structure(fp: IO[bytes], name: object) -> int | None:
    """Refuse, before Pillow parses it, a file whose metadata is made of more pieces than an image
    needs: Pillow parses each JPEG segment, PNG chunk and GIF block on its own, at about 2 µs
    each, so 200 MB of empty ones cost about 40 s of CPU. The bounds are far above what encoders
    write (:data:`MAX_SEGMENTS`; PNG: also one chunk per kB and two per row). Returns a JPEG's
    scans (up to :data:`MAX_JPEG_SCANS` + 1), counted on the way."""
    scans = None
    with bytes_of(fp) as buf:
        head = bytes(buf[:24])
        if head.startswith(b"\xff\xd8"):
            (scans, count), limit, what = _walk_jpeg(buf, MAX_JPEG_SCANS, MAX_SEGMENTS), MAX_SEGMENTS, "JPEG segments"
        elif head.startswith(b"\x89PNG\r\n\x1a\n"):
            limit = MAX_SEGMENTS + len(buf) // 1024 + 2 * int.from_bytes(head[20:24], "big")
            count, what = _png_chunks(buf, limit), "PNG chunks"
        elif head[:6] in (b"GIF87a", b"GIF89a"):
            count, limit, what = _gif_blocks(buf, MAX_SEGMENTS), MAX_SEGMENTS, "GIF blocks before the image"
        elif head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
            found = _tiff_fields(buf)
            if found is None:
                return None
            (what, limit), count = found, found[1] + 1
        else:
            return None
    if count > limit:
        raise ImageRejected(name, f"too many {what}: more than {limit} (each is parsed on its own)")
    return scans


def jpeg_scan_limit(pixels: int) -> int:
    """The most scans a JPEG of ``pixels`` may hold: :data:`MAX_JPEG_SCANS`, fewer for large images
    so that the decoder's passes stay under :data:`MAX_SCAN_PIXELS`, never fewer than 32.

    >>> jpeg_scan_limit(1_000_000), jpeg_scan_limit(50_000_000), jpeg_scan_limit(100_000_000)
    (100, 60, 32)
    """
    return max(32, min(MAX_JPEG_SCANS, MAX_SCAN_PIXELS // max(1, pixels)))


def check_work(im: Image.Image, fp: IO[bytes], name: object, scans: int | None = None) -> None:
    """Refuse, from the markers, a JPEG (or a JPEG-compressed TIFF) the decoder would pass over too many times."""
    limit = jpeg_scan_limit(im.size[0] * im.size[1])
    if im.format in ("JPEG", "MPO"):
        if (_jpeg_scans(fp, limit) if scans is None else scans) > limit:
            raise ImageRejected(name, _too_many_scans(limit))
    elif im.format == "TIFF" and im.info.get("compression") in ("jpeg", "tiff_jpeg"):
        tags = getattr(im, "tag_v2", {})
        pieces = len(tags.get(324) or tags.get(273) or ())  # TileOffsets or StripOffsets: one JPEG stream each
        if _tiff_jpeg_scans(fp) > max(limit, 3 * pieces):
            raise ImageRejected(name, _too_many_scans(limit))


def _too_many_scans(limit: int) -> str:
    return f"too many JPEG scans: more than {limit} (a progressive JPEG has about 10; each one is a pass over the image)"
