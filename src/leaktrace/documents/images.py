"""Carry a recipient's luminance mark in the raster images a PDF page draws.

Why: a page's luminance carrier is defined on its reference rendering, but vector paths and
text have no pixels to carry it; the page's embedded images do. Each image pixel gets the
carrier's ``delta`` sampled at that pixel's position *on the page* (through the image's CTM and
the rendering's :func:`leaktrace.documents.render.pixel_frame`), not a pattern of the image's own
pixel grid. So the change is the smooth, cell-sized pattern of the rendering wherever the image
lands: a viewer resampling the image to its screen keeps a pattern many pixels wide, where a
pixel-scale pattern would be lost (PDFium averages boxes of image pixels when it draws an image
smaller than its pixels, and replicates pixels, or interpolates bilinearly under
``/Interpolate``, when it draws one larger).

Units: ``delta`` is in grey levels (0..255 scale) per pixel of the reference rendering; it is
added to every channel of an image pixel (the same change of luminance for any RGB weights),
rounded to whole levels and clipped to 0..255. Page coordinates are points of the page's default
user space; CTMs are PDF 6-tuples as in :mod:`._content`.

What is marked: 8-bit DeviceGray/DeviceRGB images (ICCBased with 1 or 3 components too) drawn
with ``Do`` by the page's own content stream, compressed with FlateDecode (rewritten losslessly,
FlateDecode with a PNG predictor) or DCTDecode (re-encoded as a JPEG at ``jpeg_quality`` with
the original's quantization tables and chroma subsampling: a JPEG in the original stays a JPEG of the
same quality, size and colour space). Every marked use
is a new image stream under a new name in a page-private ``/Resources /XObject``, and the page's
``Do`` is renamed to it, so no other page (nor a second use on this page) ever changes. Inline
images, images inside Form XObjects and every other kind of image are left as they are and
reported as skipped, with the reason.
"""

from __future__ import annotations

import io
import math
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
import pikepdf
from PIL import Image
from scipy import ndimage

from ._content import MAX_FORM_DEPTH, _inherited_resources, _Resources, _Walk
from ._numbers import Matrix, instruction, numbers
from ._text import IDENTITY, mul

__all__ = ["MAX_IMAGE_PIXELS", "Marked", "mark_images"]

#: Largest image marked, pixels (declared width × height); a larger one is skipped as too large.
MAX_IMAGE_PIXELS = 100_000_000
#: zlib level of a marked FlateDecode image: on the tender package's 600×375 render, 6 writes 135 kB in
#: 0.05 s and 9 writes 122 kB in 0.5 s (per image, per copy).
FLATE_LEVEL = 6
_STRIP_PIXELS = 1 << 22  # image pixels sampled and filtered at a time (bounds the float maps)
_KEPT = ("/Length", "/Filter", "/DecodeParms", "/DL")  # stream keys not copied to a marked image


@dataclass(frozen=True)
class Marked:
    """What :func:`mark_images` did on one page.

    Attributes
    ----------
    images : int
        Image uses marked (each one now a private image stream).
    skipped : tuple of (str, str)
        Images left unchanged: resource name (``"<inline>"`` for inline images) and the reason.
    pixels : int
        Image pixels written (width × height summed over the marked images).
    """

    images: int
    skipped: tuple[tuple[str, str], ...]
    pixels: int


class _Skip(Exception):
    """An image this module leaves unchanged; ``str()`` is the reason."""


def _components(obj: pikepdf.Object) -> int:
    """Colour components (1 or 3) of an image marked as luminance, or :class:`_Skip`."""
    cs = obj.get("/ColorSpace")
    if cs == pikepdf.Name.DeviceGray:
        return 1
    if cs == pikepdf.Name.DeviceRGB:
        return 3
    if isinstance(cs, pikepdf.Array) and len(cs) == 2 and cs[0] == pikepdf.Name.ICCBased and isinstance(cs[1], pikepdf.Stream):
        n, alternate = cs[1].get("/N"), cs[1].get("/Alternate")
        if n in (1, 3) and alternate in (None, pikepdf.Name.DeviceGray if n == 1 else pikepdf.Name.DeviceRGB):
            return int(n)
        raise _Skip(f"colour space ICCBased with {n} components, alternate {alternate}")
    name = cs[0] if isinstance(cs, pikepdf.Array) and len(cs) else cs
    raise _Skip(f"colour space {name}")


def _filter(obj: pikepdf.Object) -> str:
    f = obj.get("/Filter")
    if isinstance(f, pikepdf.Array) and len(f) == 1:
        f = f[0]
    if f == pikepdf.Name.FlateDecode or f == pikepdf.Name.DCTDecode:
        return str(f)
    raise _Skip(f"filter {f if not isinstance(f, pikepdf.Array) else ' '.join(map(str, f))}")


def _check(obj: pikepdf.Object) -> tuple[int, int, int, str]:
    """(h, w, components, filter) of an image this module can mark, or :class:`_Skip` with why not."""
    if obj.get("/ImageMask") is True:
        raise _Skip("a stencil mask (1-bit /ImageMask)")
    w, h, bpc = obj.get("/Width"), obj.get("/Height"), obj.get("/BitsPerComponent")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (w, h)) or w <= 0 or h <= 0:
        raise _Skip("no valid /Width and /Height")
    if w * h > MAX_IMAGE_PIXELS:
        raise _Skip(f"too large ({w}×{h} pixels)")
    if bpc != 8:
        raise _Skip(f"{bpc} bits per component")
    if "/Decode" in obj:
        raise _Skip("a /Decode array")
    if isinstance(obj.get("/Mask"), pikepdf.Array) and "/SMask" not in obj:
        raise _Skip("a colour-key /Mask array")
    filt = _filter(obj)
    n = _components(obj)
    if filt == "/DCTDecode" and "/DecodeParms" in obj:
        raise _Skip("DCTDecode with /DecodeParms")
    return int(h), int(w), n, filt


def _decode(obj: pikepdf.Object, h: int, w: int, n: int, filt: str) -> np.ndarray:
    """The image's pixels, (h, w, n) uint8, or :class:`_Skip` if its data is not what it declares."""
    if filt == "/FlateDecode":
        parms = obj.get("/DecodeParms")
        if isinstance(parms, pikepdf.Array):
            parms = parms[0] if len(parms) == 1 else None
        predicted = isinstance(parms, pikepdf.Dictionary) and isinstance(parms.get("/Predictor"), int) and parms.Predictor >= 10
        limit = h * (w * n + int(predicted))  # decompressed bytes it declares (PNG predictors add a byte a row)
        try:
            if len(zlib.decompressobj().decompress(obj.read_raw_bytes(), limit + 1)) > limit:  # a Flate bomb stops here
                raise _Skip("data larger than its declared size")
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # qpdf warns, and goes on, on damaged data
                data = obj.read_bytes()
        except (pikepdf.PdfError, zlib.error, UserWarning, RuntimeError) as exc:
            raise _Skip(f"cannot be decoded ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
        if len(data) != h * w * n:
            raise _Skip(f"data of {len(data)} bytes, not the {h * w * n} its size declares")
        return np.frombuffer(data, np.uint8).reshape(h, w, n)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked against MAX_IMAGE_PIXELS
            with Image.open(io.BytesIO(obj.read_raw_bytes()), formats=["JPEG"]) as im:
                if im.size != (w, h):
                    raise _Skip(f"JPEG of {im.size[0]}×{im.size[1]} pixels, not the {w}×{h} it declares")
                if im.mode != ("L" if n == 1 else "RGB"):
                    raise _Skip(f"JPEG in mode {im.mode} for {n} components")
                pixels = np.asarray(im)  # decodes
    except _Skip:
        raise
    except Exception as exc:  # Pillow raises many kinds on hostile data (OSError, SyntaxError, ValueError…)
        raise _Skip(f"cannot be decoded ({type(exc).__name__}: {exc})") from None
    return pixels.reshape(h, w, n)


def _filtered(rows: np.ndarray, above: np.ndarray | None) -> np.ndarray:
    """PNG-filtered ``rows`` (k, w, n) uint8 given the row ``above`` them (None at the top): (k, 1 + w·n) uint8.

    Each row takes the filter (None, Sub, Up, Average or Paeth) with the least sum of absolute
    residuals, the heuristic libpng uses; every filter reads the unfiltered neighbours, so all
    rows are filtered at once."""
    x = rows.astype(np.int16)
    k, w, n = x.shape
    b = np.empty_like(x)
    b[0] = 0 if above is None else above
    b[1:] = x[:-1]
    a = np.zeros_like(x)
    a[:, 1:] = x[:, :-1]
    c = np.zeros_like(x)
    c[:, 1:] = b[:, :-1]
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    residuals = np.stack([x, x - a, x - b, x - (a + b) // 2, x - paeth]).reshape(5, k, w * n) & 0xFF  # 5 k w·n
    cost = np.minimum(residuals, 256 - residuals).sum(axis=2, dtype=np.int64)  # 5 k, residuals as signed bytes
    kind = np.argmin(cost, axis=0)  # k: PNG filter types 0..4
    out = np.take_along_axis(residuals, kind[None, :, None], axis=0)[0].astype(np.uint8)
    return np.hstack([kind.astype(np.uint8)[:, None], out])


def _flate(pixels: np.ndarray) -> bytes:
    """Zlib data of ``pixels`` (h, w, n) uint8 under ``/Predictor 15`` (PNG filters, chosen row by row)."""
    h, w, n = pixels.shape
    step = max(1, _STRIP_PIXELS // (4 * w * n))
    z = zlib.compressobj(FLATE_LEVEL)
    parts = [z.compress(_filtered(pixels[r : r + step], pixels[r - 1] if r else None).tobytes()) for r in range(0, h, step)]
    return b"".join(parts) + z.flush()


def _sampled(delta: np.ndarray, frame: np.ndarray, ctm: Matrix, h: int, w: int) -> np.ndarray:
    """``delta`` rounded to whole levels at each pixel centre of an h×w image drawn under ``ctm``: (h, w) int16."""
    a, b, c, d, e, f = ctm
    # image pixel (i, j) → unit square (u, v) = ((j + .5) / w, 1 − (i + .5) / h) → page (x, y) → rendering (col, row)
    ux, uy, vx, vy = a / w, b / w, -c / h, -d / h  # page pt per image column, per image row
    x0, y0 = 0.5 * ux + 0.5 * vx + c + e, 0.5 * uy + 0.5 * vy + d + f  # page position of pixel (0, 0)
    lin = frame[:, :2].astype(np.float64)
    per_j, per_i = lin @ [ux, uy], lin @ [vx, vy]
    origin = lin @ [x0, y0] + frame[:, 2]
    out = np.empty((h, w), np.int16)
    step = max(1, _STRIP_PIXELS // w)
    jj = np.arange(w, dtype=np.float64)[None, :]
    for r in range(0, h, step):
        ii = np.arange(r, min(h, r + step), dtype=np.float64)[:, None]
        col = origin[0] + per_j[0] * jj + per_i[0] * ii
        row = origin[1] + per_j[1] * jj + per_i[1] * ii
        out[r : r + len(ii)] = np.rint(ndimage.map_coordinates(delta, [row, col], order=1, mode="nearest"))
    return out


def _marked_stream(pdf: pikepdf.Pdf, obj: pikepdf.Object, pixels: np.ndarray, filt: str, jpeg_quality: int) -> pikepdf.Stream:
    """A new image stream: ``obj``'s dictionary (size, colour space, /SMask…) with ``pixels`` encoded as ``filt``."""
    h, w, n = pixels.shape
    stream = pdf.make_stream(b"")
    for key, value in obj.stream_dict.items():
        if key not in _KEPT:
            stream[key] = value
    if filt == "/FlateDecode":
        parms = pikepdf.Dictionary(Predictor=15, Colors=n, BitsPerComponent=8, Columns=w)
        stream.write(_flate(pixels), filter=pikepdf.Name.FlateDecode, decode_parms=parms)
    else:
        out = io.BytesIO()
        Image.fromarray(pixels[:, :, 0] if n == 1 else pixels).save(out, "JPEG", optimize=True, **_jpeg_options(obj, jpeg_quality))
        stream.write(out.getvalue(), filter=pikepdf.Name.DCTDecode)
    return stream


def _jpeg_options(obj: pikepdf.Object, jpeg_quality: int) -> dict:
    """Encode as the original JPEG was: its quantization tables and chroma subsampling (so the copy's
    image is as large and as sharp as the original's); ``jpeg_quality`` with full chroma when they
    cannot be read."""
    from PIL import JpegImagePlugin

    try:
        with Image.open(io.BytesIO(obj.read_raw_bytes()), formats=["JPEG"]) as im:
            tables = getattr(im, "quantization", None)
            sampling = JpegImagePlugin.get_sampling(im)
            if tables and sampling in (0, 1, 2):
                return {"qtables": [list(tables[k]) for k in sorted(tables)], "subsampling": sampling}
    except Exception:  # the pixels were decoded already: only the tables are missing
        pass
    return {"quality": int(jpeg_quality), "subsampling": 0}


def _form_images(walk: _Walk, form: pikepdf.Stream, outer: _Resources, name: str, depth: int, seen: set) -> list[tuple[str, str]]:
    """Skipped entries for the images drawn inside ``form`` (used as ``name``), nested forms followed to :data:`MAX_FORM_DEPTH`."""
    if form.objgen in seen and form.objgen != (0, 0):
        return []
    seen.add(form.objgen)
    if depth >= MAX_FORM_DEPTH:
        return [(name, "a form XObject nested too deep to look into")]
    inner = form.get("/Resources")
    resources = _Resources(form, inner if inner is not None else outer.source)
    out: list[tuple[str, str]] = []
    for ins in walk.parse(form):
        if isinstance(ins, pikepdf.ContentStreamInlineImage):
            out.append(("<inline>", f"an inline image inside form XObject {name}"))
        elif str(ins.operator) == "Do" and ins.operands and isinstance(ins.operands[0], pikepdf.Name):
            xobject = resources.xobject(ins.operands[0])
            subtype = None if xobject is None else xobject.get("/Subtype")
            if subtype == pikepdf.Name.Image:
                out.append((str(ins.operands[0]), f"inside form XObject {name}"))
            elif subtype == pikepdf.Name.Form:
                out += _form_images(walk, xobject, resources, f"{name} {ins.operands[0]}", depth + 1, seen)
    return out


def mark_images(
    pdf: pikepdf.Pdf, page: pikepdf.Page, delta: np.ndarray, frame: np.ndarray, *, jpeg_quality: int = 95, max_operators: int = 2_000_000
) -> Marked:
    """Add ``delta``, sampled where each pixel lands on the page, to the images ``page`` draws.

    Parameters
    ----------
    pdf : pikepdf.Pdf
        The document holding ``page``; the marked image streams are created in it.
    page : pikepdf.Page
        Rewritten in place when an image is marked: its content (each marked ``Do`` renamed) and
        a page-private /Resources. Other pages and the original image streams are never changed.
    delta : (H, W) float32 ndarray, grey levels
        The luminance change on the page's reference rendering.
    frame : (2, 3) float ndarray
        Page points → pixel coordinates of that rendering (:func:`.render.pixel_frame`).
    jpeg_quality : int
        Pillow quality a DCTDecode image is re-encoded at (full chroma) when its own quantization
        tables cannot be read; otherwise it is encoded with them and its chroma subsampling.
    max_operators : int
        Limit on content-stream operators parsed, forms looked into included.

    Returns
    -------
    Marked
        Image uses marked, those skipped with the reason, image pixels written.

    Raises
    ------
    DocumentRejected
        The page's content (or a form's) cannot be parsed, or has more than ``max_operators`` operators.

    Examples
    --------
    >>> from leaktrace.documents import reading, render
    >>> pdf = pikepdf.new(); page = pdf.add_blank_page(page_size=(72, 72))
    >>> im = pdf.make_stream(zlib.compress(bytes(range(256)) * 3), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
    ...     Width=16, Height=16, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, Filter=pikepdf.Name.FlateDecode)
    >>> page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=im))
    >>> page.obj.Contents = pdf.make_stream(b"q 36 0 0 36 18 18 cm /Im0 Do Q")
    >>> mark_images(pdf, page, np.full((150, 150), 2, np.float32), render.pixel_frame(reading.page_box(page), 150))
    Marked(images=1, skipped=(), pixels=256)
    >>> sorted(page.obj.Resources.XObject.keys()), b"/Im0_lt1 Do" in page.obj.Contents.read_bytes()
    (['/Im0_lt1'], True)
    """
    delta = np.asarray(delta, np.float32)
    frame = np.asarray(frame, np.float64)
    if delta.ndim != 2 or frame.shape != (2, 3):
        raise ValueError(f"delta must be (H, W) and frame (2, 3), not {delta.shape} and {frame.shape}")
    try:
        label = f"page {page.index + 1}"
    except Exception:
        label = "page"
    walk = _Walk(pdf, label, max_operators)
    instructions = walk.parse(page.obj)
    resources = _Resources(page.obj, _inherited_resources(page.obj))
    skipped: list[tuple[str, str]] = []
    uses: list[tuple[int, pikepdf.Name, pikepdf.Stream, Matrix]] = []
    ctm, stack, seen, inherits = IDENTITY, [], set(), False  # inherits: a form drawn here uses the page's /Resources
    for k, ins in enumerate(instructions):
        if isinstance(ins, pikepdf.ContentStreamInlineImage):
            skipped.append(("<inline>", "an inline image"))
            continue
        op = str(ins.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
        elif op == "cm" and (m := numbers(ins.operands, 6)) is not None:
            ctm = mul(m, ctm)
        elif op == "Do" and ins.operands and isinstance(ins.operands[0], pikepdf.Name):
            name = ins.operands[0]
            xobject = resources.xobject(name)
            subtype = None if xobject is None else xobject.get("/Subtype")
            if subtype == pikepdf.Name.Image:
                uses.append((k, name, xobject, ctm))
            elif subtype == pikepdf.Name.Form:
                inherits |= "/Resources" not in xobject
                skipped += _form_images(walk, xobject, resources, str(name), 0, seen)
    marked = pixels = 0
    for k, name, xobject, m in uses:
        try:
            det = m[0] * m[3] - m[1] * m[2]
            if not all(math.isfinite(v) for v in m) or abs(det) < 1e-12:
                raise _Skip("a degenerate placement (singular CTM)")
            h, w, n, filt = _check(xobject)
            original = _decode(xobject, h, w, n, filt)
        except _Skip as why:
            skipped.append((str(name), str(why)))
            continue
        d = _sampled(delta, frame, m, h, w)
        out = np.clip(original.astype(np.int16) + d[:, :, None], 0, 255).astype(np.uint8)
        instructions[k] = instruction("Do", [resources.add(str(name)[1:], _marked_stream(pdf, xobject, out, filt, jpeg_quality))])
        marked += 1
        pixels += h * w
    if marked:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        if not inherits:  # the page's private dict no longer holds an original it stopped drawing (the file does not keep both)
            drawn = {
                str(i.operands[0]) for i in instructions if isinstance(i, pikepdf.ContentStreamInstruction) and str(i.operator) == "Do" and i.operands
            }
            for _, name, _, _ in uses:
                if str(name) not in drawn and name in resources.source.XObject:
                    del resources.source.XObject[name]
    return Marked(marked, tuple(skipped), pixels)
