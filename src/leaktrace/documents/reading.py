"""Open a PDF document within limits: the one door every document file comes through.

A tender package comes from outside (a supplier's upload, a crawler, a colleague), so it is read
as hostile: the file must start like a PDF, stay under the byte limit, open in qpdf (pikepdf)
without a password, have between one and ``max_pages`` pages, and every page must be of a
size a viewer shows (at most 200 inches a side). Before anything renders (PDFium) or walks
(pikepdf) the document, a cheap scan of every page's resources refuses what would exhaust memory
or time there:

- an image (XObject, soft mask, or inline image; on the page, in a form, a tiling pattern or a
  Type 3 glyph) whose declared width × height exceeds ``max_pixels``, or whose JPEG/JPEG 2000
  header declares more than that;
- a stream that decodes to far more than it declares (a Flate bomb): streams are decoded
  incrementally, their output counted and dropped, and the decode stops at the limit, so the scan
  itself never holds more than ``max_content_bytes``;
- content streams (the page's, and each use of its forms, patterns and glyphs, counted as often
  as they are drawn) totalling more than ``max_content_bytes`` decoded: the cheap stand-in for
  tens of millions of operators;
- forms that draw themselves, or nest deeper than :data:`MAX_FORM_NESTING`.

A damaged cross-reference table is recovered by qpdf; a file that then opens is taken. JavaScript,
embedded files, launch and URI actions are accepted and left alone: leaktrace never runs or opens
them (PDFium renders without a form environment, so no script runs), and a copy keeps them as
the original had them.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf

from leaktrace.errors import DocumentRejected

from ._content import _inherited_resources

__all__ = [
    "MAX_CONTENT_BYTES",
    "MAX_FORM_NESTING",
    "MAX_PIXELS",
    "MAX_SIDE_PT",
    "Document",
    "PageBox",
    "is_pdf",
    "is_pdf_file",
    "open_document",
    "read_document",
]

#: Largest page side accepted, points (200 inches: larger than any plotter sheet).
MAX_SIDE_PT = 200 * 72.0
#: Default largest image accepted inside a document, pixels (the setting ``max_pixels``).
MAX_PIXELS = 100_000_000
#: Default largest total of decoded content streams, bytes, each form counted per use (about
#: ten million operators; the densest plotted drawings we have seen hold a tenth of that).
MAX_CONTENT_BYTES = 64 * 2**20
#: Deepest nesting of forms accepted (PDFium stops drawing beyond 40; real files stay under 10).
MAX_FORM_NESTING = 32


@dataclass(frozen=True)
class PageBox:
    """Where a page is drawn: its crop box in default user space (points) and its rotation."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotate: int  # degrees clockwise, one of 0, 90, 180, 270

    @property
    def size_pt(self) -> tuple[float, float]:
        """(width, height) as shown, points."""
        w, h = self.x1 - self.x0, self.y1 - self.y0
        return (h, w) if self.rotate in (90, 270) else (w, h)


@dataclass(frozen=True)
class Document:
    """A PDF read within limits: its bytes, its pages' boxes, and the document opened (checked) from them."""

    data: bytes
    boxes: tuple[PageBox, ...]
    pdf: pikepdf.Pdf | None = None

    @property
    def pages(self) -> int:
        return len(self.boxes)


#: Image signatures at a file's start: such a file is an image, whatever text it carries after.
IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")


def is_pdf(head: bytes) -> bool:
    """Whether a file's first bytes are a PDF header (``%PDF-`` within its first 1024 bytes, as viewers
    accept) and not an image's signature: an image with "%PDF-" in a text chunk is an image.

    >>> is_pdf(b"%PDF-1.7"), is_pdf(b"junk %PDF-1.4"), is_pdf(b"\\x89PNG....tEXt%PDF-1.7")
    (True, True, False)
    """
    if head.startswith(IMAGE_SIGNATURES) or head[4:12] in (b"ftypheic", b"ftypavif", b"ftypmif1", b"ftypheix"):
        return False
    return b"%PDF-" in head[:1024]


def is_pdf_file(path: Path) -> bool:
    """Whether the file at ``path`` is a PDF by its first bytes (:func:`is_pdf`); False when it cannot be
    read, so the image reader says why, in one line."""
    try:
        with open(path, "rb") as f:
            return is_pdf(f.read(1024))
    except OSError:
        return False


def read_document(
    path: Path, *, max_bytes: int, max_pages: int, max_pixels: int = MAX_PIXELS, max_content_bytes: int = MAX_CONTENT_BYTES
) -> Document:
    """Read and check the PDF at ``path``; :class:`DocumentRejected` naming the file when it is not one leaktrace takes.

    ``max_pixels`` bounds each image's declared width × height (pixels); ``max_content_bytes``
    the decoded content streams of the whole document (bytes, a form once per use)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentRejected(path, f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit")
        data = path.read_bytes()
    except OSError as e:
        raise DocumentRejected(path, f"cannot be read ({e.strerror or e})") from None
    pdf = open_document(data, str(path), max_pages=max_pages, max_pixels=max_pixels, max_content_bytes=max_content_bytes)
    return Document(data, _boxes(pdf, str(path)), pdf)


def open_document(
    data: bytes, label: str, *, max_pages: int, max_pixels: int = MAX_PIXELS, max_content_bytes: int = MAX_CONTENT_BYTES
) -> pikepdf.Pdf:
    """The pikepdf document of ``data`` (``label`` names it in errors), checked: readable, no password,
    1..max_pages pages, and no image, stream or content over the limits (see the module docstring)."""
    if not is_pdf(data[:1024]):
        raise DocumentRejected(label, "is not a PDF file (no %PDF- header)")
    try:
        with pikepdf.Pdf.open(io.BytesIO(data), inherit_page_attributes=False) as bare:  # qpdf copies a page used twice, a million times
            if not bare.is_encrypted:
                _count_leaves(bare.Root.get("/Pages"), label, max_pages)
        pdf = pikepdf.Pdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise DocumentRejected(label, "is protected by a password; share the unprotected document") from None
    except (pikepdf.PdfError, ValueError, TypeError, AttributeError, RecursionError) as e:
        raise DocumentRejected(label, f"is not a readable PDF ({_first_line(e)})") from None
    if pdf.is_encrypted:
        raise DocumentRejected(label, "is encrypted; share the unencrypted document (a copy could not keep its permissions)")
    try:
        count = len(pdf.pages)
    except (pikepdf.PdfError, RecursionError) as e:
        raise DocumentRejected(label, f"has an unreadable page tree ({_first_line(e)})") from None
    if count == 0:
        raise DocumentRejected(label, "has no pages")
    if count > max_pages:
        raise DocumentRejected(label, f"has {count} pages, over the limit of {max_pages} (setting max_pages)")
    try:
        _Scan(label, max_pixels, max_content_bytes).document(pdf)
    except (pikepdf.PdfError, RecursionError, TypeError, ValueError, AttributeError, KeyError) as e:
        raise DocumentRejected(label, f"is not a readable PDF ({_first_line(e)})") from None
    return pdf


def page_box(page: pikepdf.Page, label: str = "page") -> PageBox:
    """The crop box (clipped to the media box, as viewers draw it) and rotation of ``page``."""
    try:
        media = [float(v) for v in page.mediabox]
        crop = [float(v) for v in page.cropbox]
        rotate = int(page.obj.get("/Rotate", 0)) % 360
    except (pikepdf.PdfError, TypeError, ValueError) as e:
        raise DocumentRejected(label, f"has a malformed page box ({_first_line(e)})") from None
    x0, x1 = sorted((crop[0], crop[2]))
    y0, y1 = sorted((crop[1], crop[3]))
    mx0, mx1 = sorted((media[0], media[2]))
    my0, my1 = sorted((media[1], media[3]))
    x0, y0, x1, y1 = max(x0, mx0), max(y0, my0), min(x1, mx1), min(y1, my1)
    if rotate not in (0, 90, 180, 270):
        raise DocumentRejected(label, f"has a page rotation of {rotate}°, not a multiple of 90°")
    if not (1.0 <= x1 - x0 <= MAX_SIDE_PT and 1.0 <= y1 - y0 <= MAX_SIDE_PT):
        raise DocumentRejected(label, f"has a page of {x1 - x0:.0f}×{y1 - y0:.0f} pt, outside 1 pt to {MAX_SIDE_PT:.0f} pt a side")
    return PageBox(x0, y0, x1, y1, rotate)


def _boxes(pdf: pikepdf.Pdf, label: str) -> tuple[PageBox, ...]:
    return tuple(page_box(p, f"{label}, page {i + 1}") for i, p in enumerate(pdf.pages))


_REGULAR = rb"[^\s\[\]()<>{}/%]"
_DO = re.compile(rb"/(" + _REGULAR + rb"+)\s*Do(?!" + _REGULAR + rb")")
_SCN = re.compile(rb"/(" + _REGULAR + rb"+)\s*(?:scn|SCN)(?!" + _REGULAR + rb")")
_TF = re.compile(rb"/(" + _REGULAR + rb"+)\s+[-+.\d]+\s*Tf(?!" + _REGULAR + rb")")
_BI = re.compile(rb"(?<!" + _REGULAR + rb")BI(?!" + _REGULAR + rb")")
_ID = re.compile(rb"(?<!" + _REGULAR + rb")ID[\s]")
_INLINE_SIZE = re.compile(rb"/(W|Width|H|Height)\s+(\d+)")
_GENERIC = {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/RunLengthDecode", "/RL", "/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"}
#: Largest expansion each generic filter can give (deflate 1032:1; an LZW code of 9 bits or more gives at most 4096 bytes).
_RATIO = {"/FlateDecode": 1032, "/Fl": 1032, "/LZWDecode": 3641, "/LZW": 3641, "/RunLengthDecode": 64, "/RL": 64}


class _Scan:
    """One pass over a document's pages, refusing what would exhaust PDFium or the pikepdf walkers (see the module docstring)."""

    def __init__(self, label: str, max_pixels: int, max_content: int) -> None:
        self.label, self.max_pixels, self.max_content = label, max_pixels, max_content
        self.total = 0  # decoded content bytes so far, forms per use
        self.costs: dict[tuple, int] = {}  # (stream, resources) -> decoded bytes of one use, its forms per use
        self.images: set[tuple] = set()
        self.decoded: set[tuple] = set()

    def refuse(self, where: str, reason: str):
        raise DocumentRejected(where, reason)

    def document(self, pdf: pikepdf.Pdf) -> None:
        for i, page in enumerate(pdf.pages):
            where = f"{self.label}, page {i + 1}"
            contents = page.obj.get("/Contents")
            parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            data = b"\n".join(self.decode(p, where) for p in parts if isinstance(p, pikepdf.Stream))
            self.total += self.content(data, _inherited_resources(page.obj), where, ())
            self.spend(where)
        for obj in pdf.objects:  # fonts, ICC profiles, CMaps: PDFium decodes each whole
            if not isinstance(obj, pikepdf.Stream) or obj.objgen in self.decoded or obj.get("/Subtype") == "/Image":
                continue
            if obj.get("/Type") != "/EmbeddedFile" and not self.bounded(obj):
                self.decode(obj, self.label)

    def spend(self, where: str) -> None:
        if self.total > self.max_content:
            self.refuse(
                where,
                f"has over {self.total / 2**20:.0f} MB of page content decoded (each form counted per use), over the limit of "
                f"{self.max_content / 2**20:.0f} MB: too many operators to render",
            )

    def content(self, data: bytes, resources, where: str, chain: tuple) -> int:
        """Decoded bytes of one drawing of ``data`` with ``resources``: its own, and those of each form, pattern and Type 3 glyph it uses."""
        cost = len(data)
        self.inline_images(data, where)
        if not isinstance(resources, pikepdf.Dictionary):
            return cost
        for kind, pattern in (("/XObject", _DO), ("/Pattern", _SCN), ("/Font", _TF)):
            named = resources.get(kind)
            if not isinstance(named, pikepdf.Dictionary):
                continue
            uses: dict[str, int] = {}
            for m in pattern.finditer(data):
                name = "/" + re.sub(rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), m.group(1)).decode("latin-1")
                uses[name] = uses.get(name, 0) + 1
            for name, n in uses.items():
                obj = named.get(name)
                if obj is not None:
                    cost += n * self.resource(kind, obj, resources, where, chain)
                    if self.total + cost > self.max_content:
                        self.total += cost
                        self.spend(where)
        return cost

    def resource(self, kind: str, obj, outer, where: str, chain: tuple) -> int:
        if kind == "/Font":
            if obj.get("/Subtype") != "/Type3" or not isinstance(obj.get("/CharProcs"), pikepdf.Dictionary):
                return 0
            inner = obj.get("/Resources", outer)
            return sum(self.form(p, inner, where, chain) for p in obj.CharProcs.values() if isinstance(p, pikepdf.Stream))
        if not isinstance(obj, pikepdf.Stream):
            return 0
        if kind == "/XObject" and obj.get("/Subtype") == "/Image":
            self.image(obj, where)
            return 0
        if kind == "/Pattern" and obj.get("/PatternType") != 1:
            return 0
        return self.form(obj, obj.get("/Resources", outer), where, chain)

    def form(self, obj: pikepdf.Stream, resources, where: str, chain: tuple) -> int:
        key = (obj.objgen, resources.objgen if isinstance(resources, pikepdf.Object) else None)
        if obj.objgen in chain:
            self.refuse(where, "has a form that draws itself (a loop of forms)")
        if len(chain) >= MAX_FORM_NESTING:
            self.refuse(where, f"has forms nested over {MAX_FORM_NESTING} deep")
        if key not in self.costs:
            self.costs[key] = self.content(self.decode(obj, where), resources, where, (*chain, obj.objgen))
        return self.costs[key]

    def image(self, obj: pikepdf.Stream, where: str) -> None:
        if obj.objgen in self.images:
            return
        self.images.add(obj.objgen)
        w, h = _whole(obj.get("/Width")), _whole(obj.get("/Height"))
        if not (w and h and w > 0 and h > 0):
            self.refuse(where, f"has an image of malformed size ({obj.get('/Width')}×{obj.get('/Height')})")
        self.pixels(where, w, h, "")
        filters = _filters(obj)
        if filters and filters[-1] in ("/DCTDecode", "/JPXDecode", "/JBIG2Decode"):
            head = _decode_chain(obj.read_raw_bytes(), filters[:-1], 2**20)[0][: 2**20]
            size = {"/DCTDecode": _jpeg_size, "/JPXDecode": _jpx_size, "/JBIG2Decode": _jbig2_size}[filters[-1]](head)
            if size is not None:
                self.pixels(where, *size, f" in its {filters[-1][1:-6]} data")
        for mask in ("/SMask", "/Mask"):
            if isinstance(obj.get(mask), pikepdf.Stream):
                self.image(obj.get(mask), where)

    def pixels(self, where: str, w: int, h: int, source: str) -> None:
        if w * h > self.max_pixels:
            self.refuse(
                where,
                f"has an image of {w}×{h} pixels{source} ({w * h / 1e6:.0f} MP), over the limit of {self.max_pixels / 1e6:.0f} MP "
                "(setting max_pixels)",
            )

    def inline_images(self, data: bytes, where: str) -> None:
        for m in _BI.finditer(data):
            end = _ID.search(data, m.end(), m.end() + 4096)
            if end is None:
                continue
            size = dict((k[:1], int(v)) for k, v in _INLINE_SIZE.findall(data[m.end() : end.start()]))
            self.pixels(where, size.get(b"W", 1), size.get(b"H", 1), " (inline)")

    def decode(self, obj: pikepdf.Stream, where: str) -> bytes:
        """The decoded data of ``obj``, refused once it passes ``max_content`` bytes (a Flate bomb stops there, the rest unread)."""
        self.decoded.add(obj.objgen)
        raw = obj.read_raw_bytes()
        data, over = _decode_chain(raw, _filters(obj), self.max_content)
        if over:
            self.refuse(where, f"has a stream that decodes to over {self.max_content / 2**20:.0f} MB (a decompression bomb)")
        return data

    def bounded(self, obj: pikepdf.Stream) -> bool:
        """Whether ``obj`` cannot decode past ``max_content`` whatever its data (its raw length times its filters' largest expansion)."""
        most = obj.get("/Length", 0)
        for f in _filters(obj):
            most *= _RATIO.get(f, 1)
        return isinstance(most, int) and most <= self.max_content


def _whole(v) -> int | None:
    """``v`` as an int when it is a whole number (some writers say ``600.0``), else None."""
    if isinstance(v, bool) or not isinstance(v, (int, Decimal, float)) or not float(v).is_integer():
        return None
    return int(v)


def _filters(obj: pikepdf.Stream) -> list[str]:
    f = obj.get("/Filter")
    if isinstance(f, pikepdf.Name):
        return [str(f)]
    return [str(x) for x in f] if isinstance(f, pikepdf.Array) else []


def _decode_chain(data: bytes, filters: list[str], cap: int) -> tuple[bytes, bool]:
    """``data`` through the generic ``filters`` in turn, each stage's output held to ``cap`` bytes:
    (decoded, whether a stage would have given more). Stops, keeping what it has, at an image filter
    or damaged data, as viewers do."""
    for f in filters:
        if f not in _GENERIC:
            break
        try:
            if f in ("/FlateDecode", "/Fl"):
                d = zlib.decompressobj()
                data = d.decompress(data, cap + 1)
            elif f in ("/LZWDecode", "/LZW"):
                data = _lzw(data, cap + 1)
            elif f in ("/RunLengthDecode", "/RL"):
                data = _run_length(data, cap + 1)
            elif f in ("/ASCIIHexDecode", "/AHx"):
                hexed = re.sub(rb"\s", b"", data.split(b">", 1)[0])
                data = binascii.unhexlify(hexed + b"0" * (len(hexed) % 2))
            else:
                body = re.sub(rb"\s", b"", data.split(b"~>", 1)[0])
                data = base64.a85decode(body[2:] if body.startswith(b"<~") else body)
        except (zlib.error, ValueError, binascii.Error):
            break
        if len(data) > cap:
            return data[:cap], True
    return data, False


def _lzw(data: bytes, cap: int) -> bytes:
    """LZW as PDF writes it (MSB first, EarlyChange 1), stopping at ``cap`` bytes of output."""
    out = bytearray()
    table: list[bytes] = [bytes([i]) for i in range(256)] + [b"", b""]
    bits, width, acc, prev = 0, 9, 0, None
    for byte in data:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= width:
            bits -= width
            code = (acc >> bits) & ((1 << width) - 1)
            if code == 256:
                table, width, prev = table[:258], 9, None
                continue
            if code == 257:
                return bytes(out)
            if prev is None:
                entry = table[code] if code < len(table) else b""
            else:
                entry = table[code] if code < len(table) else prev + prev[:1]
                if len(table) < 4096:
                    table.append(prev + entry[:1])
            out += entry
            if len(out) >= cap:
                return bytes(out)
            prev = entry
            if len(table) + 1 >= (1 << width) and width < 12:
                width += 1
    return bytes(out)


def _run_length(data: bytes, cap: int) -> bytes:
    out, i = bytearray(), 0
    while i < len(data) and len(out) < cap:
        n = data[i]
        if n == 128:
            break
        if n < 128:
            out += data[i + 1 : i + 2 + n]
            i += n + 2
        else:
            out += data[i + 1 : i + 2] * (257 - n)
            i += 2
    return bytes(out)


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) a JPEG's start-of-frame declares, or None if not found in ``head``."""
    i = 2
    while i + 9 < len(head):
        if head[i] != 0xFF:
            i += 1
            continue
        marker = head[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", head[i + 5 : i + 9])
            return w, h
        i += 2 + struct.unpack(">H", head[i + 2 : i + 4])[0]
    return None


def _jpx_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) a JPEG 2000 codestream's SIZ marker declares (its reference grid less the offset)."""
    at = head.find(b"\xff\x4f\xff\x51")
    if at < 0 or at + 24 > len(head):
        return None
    xs, ys, x0, y0 = struct.unpack(">IIII", head[at + 8 : at + 24])
    return max(xs - x0, 0), max(ys - y0, 0)


def _jbig2_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) the first page-information segment of an embedded JBIG2 stream declares (an
    unknown height, 0xFFFFFFFF, is left to the dictionary's)."""
    i = 0
    for _ in range(16):
        if i + 11 > len(head):
            return None
        number, flags = struct.unpack(">IB", head[i : i + 5])
        refs = head[i + 5] >> 5
        i += 6
        if refs == 7:
            count = struct.unpack(">I", head[i - 1 : i + 3])[0] & 0x1FFFFFFF
            i += 3 + (count + 8) // 8
            refs = count
        i += refs * (4 if number > 65536 else 2 if number > 256 else 1)
        i += 4 if flags & 0x40 else 1
        if i + 4 > len(head):
            return None
        length = struct.unpack(">I", head[i : i + 4])[0]
        i += 4
        if flags & 0x3F == 48:
            if i + 8 > len(head):
                return None
            w, h = struct.unpack(">II", head[i : i + 8])
            return (w, h) if h != 0xFFFFFFFF else None
        if length == 0xFFFFFFFF:
            return None
        i += length
    return None


def _count_leaves(root, label: str, max_pages: int) -> None:
    """Refuse a page tree that lists far more than ``max_pages`` pages (a shared node counted at each
    use) before qpdf makes its private copy of every use; a tree just over the limit is left to the
    exact count, and loops to qpdf, which names them."""
    most = 16 * max_pages + 1024
    count, stack = 0, [(root, 0)]
    while stack:
        node, depth = stack.pop()
        kids = node.get("/Kids") if isinstance(node, pikepdf.Dictionary) else None
        if not isinstance(kids, pikepdf.Array) or depth > 64:
            count += 1
        elif len(kids) > most:
            raise DocumentRejected(label, f"has {len(kids)} pages, over the limit of {max_pages} (setting max_pages)")
        else:
            stack.extend((kid, depth + 1) for kid in kids)
        if count + len(stack) > most:
            raise DocumentRejected(label, f"has over {most} pages, over the limit of {max_pages} (setting max_pages)")


def _first_line(e: BaseException) -> str:
    text = re.sub(r"stream <[^>]*>\s*", "", str(e)).strip().splitlines()
    return text[0][:200] if text else type(e).__name__
