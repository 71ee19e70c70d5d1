"""The only image decoder and encoder of leaktrace.

Every image enters leaktrace through :func:`read_image` (or :func:`read_image_bytes`)
and leaves through :func:`encode_image`. Reading is defensive: a format allow-list,
the pixel count checked from the header *before* anything is decoded (decompression
bombs), the file size capped, truncated files refused, EXIF orientation applied, and
every pixel layout (16-bit, CMYK, palette, grey, alpha) turned into one array type:
``(H, W, 3) uint8`` RGB. Any failure raises :class:`~leaktrace.errors.ImageRejected`
with a one-line reason; no Pillow error, ``OSError`` or warning escapes. A file over the
pixel or size limit is refused with the setting that raises it (``max_pixels``,
``max_file_mb``) and its environment variable.

Large images: the limits are the caller's (the workspace's ``max_pixels``); Pillow's own
decompression-bomb limit (``Image.MAX_IMAGE_PIXELS``, process-wide) is raised to follow
them, never lowered, so Pillow never refuses what the setting accepts. Decoding costs
Pillow's buffer (4 bytes per pixel for RGB, 1 for grey) and the result (3 bytes per
pixel): the conversion to RGB runs in row strips, and no full-size copy is made on the way
(150 MP: 1.05 GB instead of about 3 GB).

Bounded work. Before any pixel is decoded, from the header and the markers: the pixel count
(``max_pixels``), the longest side (``max_side_px``, given by the entry points as ``max_side``),
the shape (at most :data:`MAX_ASPECT` to 1) and, for JPEG and JPEG-compressed TIFF, the number
of scans (:func:`jpeg_scan_limit`: 100, 32 at 100 MP); and before Pillow parses a header, the
pieces of metadata it would parse one by one (:data:`MAX_SEGMENTS` JPEG segments, PNG chunks or
GIF blocks, 20 MB of empty ones took 4.5 s, so 200 MB about 40 s; a TIFF's strip and tile tables
no longer than its image needs, 5 million entries took 15.6 s and 1.6 GB; the walkers are in
:mod:`leaktrace.imagebounds`). What remains is linear in the file size (capped) and the
pixel count: PNG's inflate stops when the image is full, its text and ICC chunks are capped by
Pillow (``MAX_TEXT_CHUNK``), and animated GIF, PNG and WebP and multi-page TIFF are read as
their first frame only.

A stranger's file (``asset add``, ``trace``, their web routes: the ``decode_budget_s`` setting)
has its pixels decoded in a forked worker (:mod:`leaktrace.imageworker`) that is killed at the
budget and whose address space is capped at :data:`DECODE_BYTES_PER_PIXEL` bytes a pixel (plus
:data:`DECODE_SLACK_BYTES`): a codec's own worst case (AV1, a TIFF compression) or a crash in a C
decoder is a one-line refusal, and the pixels come back in shared memory, without a copy.

Peak memory, measured with ``/usr/bin/time -v`` (one process per file, less the 53 MB of an
interpreter that imported this module), in bytes per pixel: 8.2 for RGB PNG, JPEG (baseline or
progressive) and LZW TIFF of 50 MP, 5.0 for grey PNG; at 20 MP 6.5 for GIF, 10 for BMP, 12 for
RGBA PNG, 12.5 for AVIF, 6.7 for an opaque still WebP (17.6 through Pillow, with alpha or animated: libwebp's
canvas, Pillow's copy of it and the result). So at most 13 bytes per pixel (18 for a WebP
with alpha): 1.3 GB at the default ``max_pixels`` of 100 MP.

>>> import numpy as np
>>> image = np.zeros((4, 6, 3), np.uint8)
>>> read_image_bytes(encode_image(image, "PNG"), "x.png").shape
(4, 6, 3)
>>> read_image_bytes(b"hello", "notes.png")
Traceback (most recent call last):
...
leaktrace.errors.ImageRejected: notes.png: not an image file (leaktrace reads PNG, JPEG, WEBP, TIFF, BMP, GIF, AVIF)
"""

from __future__ import annotations

import ctypes
import io
import logging
import math
import os
import re
import struct
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from leaktrace import imageworker
from leaktrace.atomic import write_atomic  # re-exported: copies and cache files are written atomically
from leaktrace.errors import ImageRejected
from leaktrace.imagebounds import MAX_JPEG_SCANS, MAX_SCAN_PIXELS, MAX_SEGMENTS, bytes_of, check_structure, check_work, jpeg_scan_limit
from leaktrace.settings import SETTINGS

__all__ = [
    "ACCEPTED_FORMATS",
    "ENCODABLE_FORMATS",
    "MAX_ASPECT",
    "MAX_BYTES",
    "MAX_JPEG_SCANS",
    "MAX_PIXELS",
    "MAX_SCAN_PIXELS",
    "MAX_SEGMENTS",
    "PNG_LEVELS",
    "encode_image",
    "encode_mask",
    "image_format",
    "jpeg_scan_limit",
    "output_format",
    "read_image",
    "read_image_bytes",
    "read_image_resident",
    "resident_worker",
    "write_atomic",
]

MAX_PIXELS = 100_000_000
MAX_BYTES = 200 * 2**20
#: Longest side over shortest side accepted. The carrier's grid follows the image's shape, so a
#: 1 x 50000 strip would cost memory in the square of its long side (5 GB); 100:1 keeps a
#: scrolled web-page screenshot and refuses the strip in a line.
MAX_ASPECT = 100
#: Address space a decode in its worker may add, per pixel, and in all (:func:`read_image`'s ``budget_s``):
#: twice the documented peak of 13 bytes a pixel (18 for a WebP with alpha), and room for the
#: decoder threads' stacks and allocator arenas, which are reserved, not used.
DECODE_BYTES_PER_PIXEL = 24
DECODE_SLACK_BYTES = 1 << 30
#: Pixels per strip when converting a decoded image to RGB.
_STRIP_PIXELS = 1 << 22

#: Formats leaktrace reads, by Pillow's name. MPO is how Pillow names some camera JPEGs.
ACCEPTED_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "MPO", "WEBP", "TIFF", "BMP", "GIF", "AVIF")
#: Formats leaktrace writes.
ENCODABLE_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "WEBP")

_SHOWN = "PNG, JPEG, WEBP, TIFF, BMP, GIF, AVIF"
_NOT_IMAGE = f"not an image file (leaktrace reads {_SHOWN})"
_CORRUPT = "truncated or corrupt image"
# What Pillow's decoders raise on hostile input; all of it means "corrupt". RuntimeError: the AVIF
# plugin's, for an AV1 stream it cannot decode (found by tests/fuzz/test_decoder.py: one byte of
# the mdat box changed gave "RuntimeError: Failed to decode frame 0", a traceback on the CLI).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, RuntimeError, struct.error, zlib.error, MemoryError)


def read_image(
    path: str | os.PathLike[str],
    *,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_BYTES,
    max_side: int | None = None,
    budget_s: float | None = None,
    reduce_to_side: int | None = None,
) -> np.ndarray:
    """Decode an image file into RGB pixels, refusing anything unsafe or unreadable.

    Parameters
    ----------
    path : path of the image file
    max_pixels : int, pixels
        Largest accepted width × height, read from the header before decoding.
    max_bytes : int, bytes
        Largest accepted file size.
    max_side : int, pixels, optional
        Longest accepted side, read from the header (the ``max_side_px`` setting at the
        entry points; None: no limit but ``max_pixels`` and :data:`MAX_ASPECT`).
    budget_s : float, seconds, optional
        Decode the pixels in a worker stopped after this long (the ``decode_budget_s`` setting
        at the entry points that read a stranger's file), with its memory capped at
        :data:`DECODE_BYTES_PER_PIXEL` a pixel; None or 0: in this process, unbounded but by
        the header's checks (files leaktrace wrote and accepted).
    reduce_to_side : int, pixels, optional
        For a job that needs no more than this longer side (a thumbnail): a JPEG is decoded at
        1/2, 1/4 or 1/8 of its size by DCT scaling (libjpeg's draft mode; its memory and time
        shrink with the square), its longer side never below this; other formats decode whole.

    Returns
    -------
    image : (H, W, 3) uint8 ndarray
        RGB in display orientation (EXIF applied); alpha composited on white;
        16-bit samples scaled to 8 bits.

    Raises
    ------
    ImageRejected
        With a one-line reason: "no such file", "is a directory", "empty file",
        "file too large: …", "not an image file …", "format … is not accepted …",
        "image too large: N pixels, limit M", "image too long: …", "image too
        elongated: …", "too many JPEG scans: …", "truncated or corrupt image", "decoding took over … s",
        "decoding needs more than … MB".
    """
    path = Path(path)
    size = _file_size(path)
    _check_bytes(path, size, max_bytes)
    try:
        fp = open(path, "rb")
    except OSError as exc:
        raise ImageRejected(path, f"cannot open file ({exc.strerror or exc})") from None
    with fp:
        return _decode(fp, path, max_pixels, max_side, budget_s, reduce_to_side)


def read_image_bytes(
    data: bytes,
    name: str,
    *,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_BYTES,
    max_side: int | None = None,
    budget_s: float | None = None,
    reduce_to_side: int | None = None,
) -> np.ndarray:
    """Same as :func:`read_image` for an image held in memory (an upload named ``name``)."""
    _check_bytes(name, len(data), max_bytes)
    return _decode(io.BytesIO(data), name, max_pixels, max_side, budget_s, reduce_to_side)


def resident_worker(max_pixels: int = MAX_PIXELS) -> imageworker.Resident:
    """A kept decode worker (:class:`leaktrace.imageworker.Resident`) for :func:`read_image_resident`, its memory
    capped as :func:`read_image`'s worker is for a file of ``max_pixels`` pixels."""
    return imageworker.Resident(DECODE_BYTES_PER_PIXEL * max_pixels + DECODE_SLACK_BYTES)


def read_image_resident(worker: imageworker.Resident, path: str | os.PathLike[str], *, budget_s: float, **limits: Any) -> np.ndarray:
    """:func:`read_image` of ``path`` (with ``limits``: its keyword arguments) in the kept ``worker``, stopped after
    ``budget_s`` seconds: a scan's many decodes without a fork each (a bomb, a crash or a slow codec is the same
    one-line :class:`~leaktrace.errors.ImageRejected` as with :func:`read_image`'s ``budget_s``)."""
    try:
        return worker.call(read_image, path, seconds=budget_s, **limits)
    except imageworker.Overrun as exc:
        if exc.kind == "memory":
            mb = worker.memory_bytes // 2**20
            raise ImageRejected(Path(path), f"decoding needs more than {mb} MB (a decompression bomb, or a codec leaktrace cannot bound)") from None
        raise ImageRejected(Path(path), _overrun(exc, budget_s, 0)) from None


def image_format(path: str | os.PathLike[str]) -> str:
    """The format of an accepted image file ("PNG", "JPEG", …), read from its header only.

    Raises :class:`ImageRejected` like :func:`read_image` for a missing, empty,
    non-image or not-accepted file; pixels are not decoded, so use
    :func:`read_image` to know the file is whole.
    """
    path = Path(path)
    _check_bytes(path, _file_size(path), None)
    try:
        fp = open(path, "rb")
    except OSError as exc:
        raise ImageRejected(path, f"cannot open file ({exc.strerror or exc})") from None
    with fp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _open(fp, path) as im:
            return _public_format(im.format)


def output_format(fmt: str) -> str:
    """The format a copy of an original in ``fmt`` is written in: JPEG and WEBP keep theirs, the rest PNG.

    >>> output_format("JPEG"), output_format("TIFF")
    ('JPEG', 'PNG')
    """
    fmt = _public_format(fmt.upper())
    return fmt if fmt in ENCODABLE_FORMATS else "PNG"


#: PNG compression level (0–9, higher: smaller and slower) → (zlib level, zlib strategy, row
#: filters) given to libpng. Measured on fingerprinted 17 MP copies (bench/share_speed.py): a CAD
#: drawing / a grainy photo, MB and seconds to encode on one core of this machine:
#: 1: 4.7 MB 0.16 s / 26.4 MB 0.39 s; 2: 4.1 MB 0.25 s / 25.5 MB 0.55 s; 3: 4.1 MB 0.32 s /
#: 24.7 MB 0.74 s; 6: 2.8 MB 0.79 s / 25.0 MB 5.6 s (Pillow's level 6: 2.8 MB 0.87 s / 25.6 MB 4.9 s).
#: Levels 1–3 use zlib's run-length strategy (its level makes no difference there) and spend
#: their effort on the row filters; 4–9 are zlib's deflate at that level, which pays off on
#: drawings (long repeats) and not on photos.
PNG_LEVELS: dict[int, tuple[int, int, int]] = {
    0: (0, cv2.IMWRITE_PNG_STRATEGY_DEFAULT, cv2.IMWRITE_PNG_FILTER_NONE),
    1: (1, cv2.IMWRITE_PNG_STRATEGY_RLE, cv2.IMWRITE_PNG_FILTER_UP),
    2: (1, cv2.IMWRITE_PNG_STRATEGY_RLE, cv2.IMWRITE_PNG_FILTER_PAETH),
    3: (1, cv2.IMWRITE_PNG_STRATEGY_RLE, cv2.IMWRITE_PNG_ALL_FILTERS),
    **{n: (n, cv2.IMWRITE_PNG_STRATEGY_FILTERED, cv2.IMWRITE_PNG_ALL_FILTERS) for n in range(4, 10)},
}


def encode_image(image: np.ndarray, fmt: str, *, quality: int = 95, png_compression: int = 6, png_text: dict[str, str] | None = None) -> bytes:
    """Encode RGB pixels as PNG, JPEG or WEBP bytes, with no metadata (but ``png_text``).

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray
    fmt : "PNG", "JPEG" or "WEBP"
    quality : int, 1..100
        JPEG/WEBP quality. JPEG at quality ≥ 90 keeps full chroma (4:4:4);
        WEBP at 100 is lossless. Ignored for PNG.
    png_compression : int, 0..9
        PNG effort (:data:`PNG_LEVELS`): 0 stores the pixels uncompressed, 1–3 are fast
        run-length levels, 6 (the default) and up are zlib deflate. Ignored for JPEG/WEBP.
    png_text : dict of str to str, optional
        Latin-1 ``tEXt`` chunks written after the header (a document page's rendering names its
        document and page, so two documents' identical pages are two files). PNG only.

    Notes
    -----
    PNG goes through libpng (OpenCV's encoder, which releases the GIL: a share encodes one
    copy while it makes the next); JPEG and WEBP through Pillow.

    >>> import numpy as np
    >>> encode_image(np.zeros((2, 2, 3), np.uint8), "PNG")[:4]
    b'\\x89PNG'
    >>> len(encode_image(np.zeros((64, 64, 3), np.uint8), "PNG", png_compression=0)) > 12288
    True
    """
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {image.shape} {image.dtype}")
    fmt = fmt.upper()
    if fmt not in ENCODABLE_FORMATS:
        raise ValueError(f"cannot encode {fmt!r}: use one of {', '.join(ENCODABLE_FORMATS)}")
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be in 1..100, not {quality}")
    if png_compression not in PNG_LEVELS:
        raise ValueError(f"png_compression must be in 0..9, not {png_compression}")
    if fmt == "PNG":
        level, strategy, filters = PNG_LEVELS[png_compression]
        params = [cv2.IMWRITE_PNG_COMPRESSION, level, cv2.IMWRITE_PNG_STRATEGY, strategy, cv2.IMWRITE_PNG_FILTER, filters]
        ok, encoded = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), params)
        if not ok:
            raise ValueError(f"libpng could not encode an image of shape {image.shape}")
        return _with_text(encoded.tobytes(), png_text) if png_text else encoded.tobytes()
    options: dict[str, Any]
    if fmt == "JPEG":
        options = {"quality": quality, "subsampling": 0 if quality >= 90 else 2, "optimize": True}
    else:
        options = {"quality": quality, "method": 4, "lossless": quality >= 100}
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image), "RGB").save(out, fmt, **options)
    return out.getvalue()


def _with_text(png: bytes, text: dict[str, str]) -> bytes:
    """``png`` with a ``tEXt`` chunk per item inserted after IHDR (8-byte signature + 25-byte IHDR chunk)."""
    chunks = b""
    for key, value in text.items():
        body = b"tEXt" + key.encode("latin-1") + b"\0" + value.encode("latin-1")
        chunks += struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    return png[:33] + chunks + png[33:]


def encode_mask(mask: np.ndarray) -> bytes:
    """Encode a boolean mask as a 1-bit PNG (a tenth of the time and a fraction of the size
    of an RGB one); :func:`read_image_bytes` reads it back as white (255) where True.

    >>> import numpy as np
    >>> m = np.eye(3, dtype=bool)
    >>> bool(((read_image_bytes(encode_mask(m), "m.png")[..., 0] > 127) == m).all())
    True
    """
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.ndim != 2:
        raise ValueError(f"expected an (H, W) bool mask, got {mask.shape} {mask.dtype}")
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(mask)).save(out, "PNG", compress_level=6)
    return out.getvalue()


# --------------------------------------------------------------------------- helpers


def _file_size(path: Path) -> int:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ImageRejected(path, "no such file") from None
    except OSError as exc:
        raise ImageRejected(path, f"cannot open file ({exc.strerror or exc})") from None
    if path.is_dir():
        raise ImageRejected(path, "is a directory")
    return st.st_size


def _check_bytes(name: object, size: int, max_bytes: int | None) -> None:
    if size == 0:
        raise ImageRejected(name, "empty file")
    if max_bytes is not None and size > max_bytes:
        raise ImageRejected(name, f"file too large: {size} bytes, limit {max_bytes}; {_raise_hint('max_file_mb', -(-size // 2**20))}")


def _raise_hint(name: str, value: int) -> str:
    """How to raise setting ``name`` to ``value``: the words every limit refusal ends with."""
    env = next(s.env for s in SETTINGS if s.name == name)
    return f"to accept it, raise the {name} setting (e.g. {env}={value}, or {name} in leaktrace.toml)"


def _too_large(count: int, limit: int) -> str:
    return (
        f"image too large: {count} pixels ({count / 1e6:.1f} MP), limit {limit} ({limit / 1e6:.1f} MP); "
        f"{_raise_hint('max_pixels', -(-count // 1_000_000) * 1_000_000)}"
    )


def _public_format(fmt: str | None) -> str:
    return "JPEG" if fmt == "MPO" else str(fmt)


def _open(fp: IO[bytes], name: object, max_pixels: int | None = None) -> Image.Image:
    """Parse the header with the allow-list; the caller holds ``catch_warnings``."""
    try:
        return Image.open(fp, formats=_openers())
    except Image.DecompressionBombError as exc:
        raise ImageRejected(name, _too_large_from(exc, max_pixels)) from None
    except UnidentifiedImageError:
        pass
    except _DECODE_ERRORS:
        raise ImageRejected(name, _CORRUPT) from None
    # Not an accepted format: name the format if Pillow knows it (header only).
    fp.seek(0)
    try:
        with Image.open(fp) as other:
            fmt = other.format
    except Exception:  # noqa: BLE001 - any failure here just means "not an image"
        fmt = None
    if fmt and fmt not in ACCEPTED_FORMATS:
        raise ImageRejected(name, f"format {fmt} is not accepted (leaktrace reads {_SHOWN})")
    raise ImageRejected(name, _NOT_IMAGE)


def _openers() -> list[str]:
    """The accepted formats Pillow can open here (MPO comes through the JPEG opener; AVIF may be missing)."""
    Image.init()
    return [f for f in ACCEPTED_FORMATS if f in Image.OPEN]


def _too_large_from(exc: Exception, max_pixels: int | None) -> str:
    """Pillow's own hard limit (2 × MAX_IMAGE_PIXELS, at least ``max_pixels``) fired before ours could."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    limit = int(2 * (Image.MAX_IMAGE_PIXELS or 0))
    if max_pixels is not None:
        limit = min(limit, max_pixels)
    return _too_large(int(found.group(1)) if found else limit + 1, limit)


def _follow_limit(max_pixels: int) -> None:
    """Raise Pillow's process-wide bomb limit so that it never refuses an image of ``max_pixels``.

    Pillow refuses above 2 × ``MAX_IMAGE_PIXELS`` (and warns above it) before our own check,
    made from the header, can name the setting. The limit is only ever raised (threads decoding
    with other limits never see it lowered under them); ours stays exact.
    """
    need = -(-int(max_pixels) // 2)
    if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < need:
        Image.MAX_IMAGE_PIXELS = need


def _check_shape(name: object, width: int, height: int, max_pixels: int, max_side: int | None) -> None:
    """Refuse, from the header's size alone, what would cost too much to decode or to fingerprint."""
    if width == 0 or height == 0:
        raise ImageRejected(name, _CORRUPT)
    long_side = max(width, height)
    if max_side is not None and long_side > max_side:
        raise ImageRejected(
            name, f"image too long: {width} x {height} pixels, longest side allowed {max_side}; {_raise_hint('max_side_px', long_side)}"
        )
    if long_side > MAX_ASPECT * min(width, height):
        raise ImageRejected(name, f"image too elongated: {width} x {height} pixels; leaktrace reads images up to {MAX_ASPECT} times longer than wide")
    if width * height > max_pixels:
        raise ImageRejected(name, _too_large(width * height, max_pixels))


def _webp_by_opencv(im: Image.Image, fp: IO[bytes]) -> np.ndarray | None:
    """A still, opaque, upright WebP decoded by libwebp straight into its RGB result, or None.

    Pillow's WebP path holds libwebp's RGBA canvas, a copy of it as bytes and its own image
    (12 bytes per pixel, 17.6 at the peak with the result); OpenCV's decodes into the
    3-byte result (7 bytes per pixel with the canvas Pillow made at open), with the same
    pixels (both are libwebp's). Animations, alpha (composited on white) and EXIF orientation
    stay with Pillow, and so does anything OpenCV cannot decode (its refusal is Pillow's).
    """
    if im.mode != "RGB" or getattr(im, "n_frames", 1) != 1 or im.getexif().get(0x0112, 1) != 1:
        return None
    with bytes_of(fp) as buf:
        data = np.frombuffer(buf, np.uint8)
        try:
            bgr = cv2.imdecode(data, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
        except cv2.error:
            bgr = None
        finally:
            del data  # the buffer is released on leaving
    if bgr is None or bgr.shape != (im.size[1], im.size[0], 3):
        return None
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB, dst=bgr)  # h w 3, in place


# Pillow's TIFF plugin logs a hostile header at ERROR level before raising ("More samples per pixel
# than can be decoded: 771"); with no logging configured, Python's last-resort handler printed it on
# stderr, twice, above the CLI's one-line refusal (found by tests/fuzz/test_decoder.py). A library's
# NullHandler: an application that configures logging still gets the record.
logging.getLogger("PIL").addHandler(logging.NullHandler())

_libtiff_quiet = False


def _quiet_libtiff() -> None:
    """Stop libtiff writing its errors to stderr (Pillow silences its warnings, not its errors).

    A corrupt compressed TIFF made libtiff print "ZIPDecode: Decoding error …" beside our
    one-line refusal; the error still reaches us, as Pillow's ``OSError``. Done once, at the
    first decode; nothing else in the process reads TIFF through Pillow's libtiff.
    """
    global _libtiff_quiet
    if _libtiff_quiet:
        return
    _libtiff_quiet = True
    try:
        from PIL import _imaging

        handler = ctypes.CDLL(_imaging.__file__).TIFFSetErrorHandler  # found among _imaging's libraries
    except (OSError, AttributeError, ImportError):
        return  # a Pillow without libtiff, or not a shared library: nothing to silence
    handler.restype = ctypes.c_void_p
    handler.argtypes = [ctypes.c_void_p]
    handler(None)


def _decode(
    fp: IO[bytes], name: object, max_pixels: int, max_side: int | None = None, budget_s: float | None = None, reduce_to_side: int | None = None
) -> np.ndarray:
    # Pillow warns about large images and odd metadata; our own limits decide, and
    # no warning may escape (pytest turns warnings into errors). Note that
    # catch_warnings changes process-wide state for its duration. (WeasyPrint switches
    # Pillow to accept truncated files when imported; report/pdf.py switches it back.)
    _follow_limit(max_pixels)
    _quiet_libtiff()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scans = check_structure(fp, name)
        im = _open(fp, name, max_pixels)
        with im:
            width, height = im.size
            _check_shape(name, width, height, max_pixels, max_side)
            check_work(im, fp, name, scans)
            if reduce_to_side:
                _draft(im, reduce_to_side)
            if budget_s:
                return _pixels_in_child(im, fp, name, max_pixels, budget_s)
            return _pixels(im, fp, name, max_pixels)


def _draft(im: Image.Image, side: int) -> None:
    """Ask a JPEG's decoder for the smallest DCT scale (1/2, 1/4, 1/8) whose longer side is still ``side`` or more."""
    if im.format not in ("JPEG", "MPO"):
        return
    width, height = im.size
    scale = 1
    while scale < 8 and max(width, height) // (2 * scale) >= side:
        scale *= 2
    if scale > 1:  # Pillow picks the scale as size // asked: ask for the rounded-down size, or an odd side gets none
        im.draft("RGB" if im.mode not in ("L", "CMYK") else im.mode, (max(1, width // scale), max(1, height // scale)))


def _pixels(
    im: Image.Image, fp: IO[bytes], name: object, max_pixels: int, alloc: Callable[[tuple[int, ...]], np.ndarray] | None = None
) -> np.ndarray:
    """Decode an opened image whose header passed every check; ``alloc(shape)`` gives the uint8 result's array."""
    if im.format == "WEBP" and (image := _webp_by_opencv(im, fp)) is not None:
        return _into(image, alloc)
    try:
        im.load()
        ImageOps.exif_transpose(im, in_place=True)  # in place: no full-size copy when upright
    except Image.DecompressionBombError as exc:
        raise ImageRejected(name, _too_large_from(exc, max_pixels)) from None
    except _DECODE_ERRORS:
        raise ImageRejected(name, _CORRUPT) from None
    try:
        return _to_rgb(im, alloc)
    except (ValueError, OSError):
        raise ImageRejected(name, f"unsupported pixel layout {im.mode}") from None


def _pixels_in_child(im: Image.Image, fp: IO[bytes], name: object, max_pixels: int, budget_s: float) -> np.ndarray:
    """:func:`_pixels` in a forked child (:mod:`leaktrace.imageworker`) stopped at ``budget_s`` seconds and
    :data:`DECODE_BYTES_PER_PIXEL` bytes a pixel (plus :data:`DECODE_SLACK_BYTES`); the result lands in
    memory shared with the child, so it is not copied."""
    width, height = im.size
    count = width * height

    def fill(buffer: memoryview) -> tuple[int, ...]:
        def alloc(shape: tuple[int, ...]) -> np.ndarray:
            if math.prod(shape) > 3 * count:  # a decoder that gives more pixels than the header announced
                raise ImageRejected(name, _CORRUPT)
            return np.frombuffer(buffer, np.uint8, count=math.prod(shape)).reshape(shape)

        return _pixels(im, fp, name, max_pixels, alloc).shape

    try:
        buffer, shape = imageworker.run(fill, 3 * count, seconds=budget_s, memory_bytes=DECODE_BYTES_PER_PIXEL * count + DECODE_SLACK_BYTES)
    except imageworker.Overrun as exc:
        raise ImageRejected(name, _overrun(exc, budget_s, count)) from None
    return np.frombuffer(buffer, np.uint8, count=math.prod(shape)).reshape(shape)


def _overrun(exc: imageworker.Overrun, budget_s: float, count: int) -> str:
    if exc.kind == "time":
        return f"decoding took over {budget_s:g} s; {_raise_hint('decode_budget_s', max(1, math.ceil(4 * budget_s)))}"
    if exc.kind == "memory":
        mb = (DECODE_BYTES_PER_PIXEL * count + DECODE_SLACK_BYTES) // 2**20
        return f"decoding needs more than {mb} MB for {count} pixels (a decompression bomb, or a codec leaktrace cannot bound)"
    return f"{_CORRUPT} (the decoder crashed)"


def _into(image: np.ndarray, alloc: Callable[[tuple[int, ...]], np.ndarray] | None) -> np.ndarray:
    if alloc is None:
        return image
    out = alloc(image.shape)
    out[...] = image
    return out


def _to_rgb(im: Image.Image, alloc: Callable[[tuple[int, ...]], np.ndarray] | None = None) -> np.ndarray:
    """Any Pillow mode → (H, W, 3) uint8 RGB, alpha composited on white, in row strips, into ``alloc((H, W, 3))``.

    Every conversion is pixel by pixel (except 32-bit float, scaled by its maximum: in one
    piece), so the strips give the same pixels as one piece, and the temporaries cost a strip.
    """
    width, height = im.size
    rows = max(1, _STRIP_PIXELS // max(1, width))
    if im.mode == "F" or height <= rows:
        return _into(_to_rgb_piece(im), alloc)
    out = np.empty((height, width, 3), np.uint8) if alloc is None else alloc((height, width, 3))
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        out[r0:r1] = _to_rgb_piece(im.crop((0, r0, width, r1)))
    return out


def _to_rgb_piece(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode.startswith("I") or mode == "F":
        grey = _grey_to_8bit(np.asarray(im), mode)  # h w
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    has_alpha = mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in im.info
    if not has_alpha:
        return np.array(im.convert("RGB"), dtype=np.uint8)
    rgba = np.asarray(im.convert("RGBA"), dtype=np.uint16)  # h w 4
    alpha = rgba[:, :, 3:4]
    out = (rgba[:, :, :3] * alpha + 255 * (255 - alpha) + 127) // 255
    return np.ascontiguousarray(out.astype(np.uint8))


def _grey_to_8bit(values: np.ndarray, mode: str) -> np.ndarray:
    if mode == "F":
        values = values.astype(np.float64)
        scale = 255.0 if np.nanmax(values, initial=0.0) <= 1.0 else 1.0
        return np.clip(np.nan_to_num(values) * scale, 0, 255).round().astype(np.uint8)
    # I;16* and I (how Pillow opens 16-bit grey PNG/TIFF): 0..65535 → 0..255.
    values = np.clip(values.astype(np.int64), 0, 65535)
    return ((values * 255 + 32767) // 65535).astype(np.uint8)
