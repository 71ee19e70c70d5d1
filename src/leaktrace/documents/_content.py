"""Move every vector path and text line of a PDF page by a recipient's displacement field.

Why: the geometric fingerprint of a vector page is *where* its strokes and text lines are. A
rendered, screenshotted or photographed page keeps those positions, so a per-recipient field
of sub-point displacements survives every route out of the PDF. Only the end and control
points of a path move, so a straight segment stays straight and a curve stays smooth. Text is
moved line by line, rigidly, by the field at each line's start (line-shift coding, Brassil et
al. 1995), and its words along their baseline, each by its own amount (word-shift coding,
:mod:`._words`): the glyphs and their order are never changed, so extracted text is identical.

Units: all coordinates and displacements are PDF points (1/72 in) in the page's default user
space (y up), the space in which the page content starts before any ``cm``. Matrices are PDF
6-tuples ``(a, b, c, d, e, f)`` with the row-vector convention ``[x y 1] × M``.

Images (XObjects and inline) are left unchanged but their placements are recorded for the
step that fingerprints images. Form XObjects get one private copy per use, so each use carries
the field at its own place; nested forms are followed to depth 8.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pikepdf

from leaktrace.errors import DocumentRejected

from . import _words
from ._numbers import Matrix, instruction, numbers, places
from ._text import IDENTITY, TEXT_OPS, TextState, mul

MAX_FORM_DEPTH = 8
PAGE_TEXT_STATE = TextState.INITIAL
_PATH_ARITY = {"m": 2, "l": 2, "c": 6, "v": 4, "y": 4, "re": 4}


@dataclass(frozen=True)
class Moved:
    """What :func:`displace_page` moved on one page.

    Attributes
    ----------
    points : int
        Path points displaced (``re`` counts its four corners).
    lines : int
        Text line starts shifted (each line-positioning operator, and a BT's first shown line).
    forms : int
        Form XObject uses rewritten (each one a private copy).
    images : tuple of (str, tuple of 6 float)
        Image placements: resource name (``"<inline>"`` for inline images) and the CTM at
        that point, page default user space, pt.
    max_shift_pt : float
        Largest displacement length applied, pt (paths and line origins; a word's move is on top).
    words : int
        Words of shown strings that a word shift could move (:mod:`._words`).
    """

    points: int
    lines: int
    forms: int
    images: tuple[tuple[str, Matrix], ...]
    max_shift_pt: float
    words: int = 0


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """Map the point ``(x, y)`` through ``m``."""
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


def inverse_linear(m: Matrix) -> tuple[float, float, float, float] | None:
    """Inverse of the linear part of ``m`` as ``(a, b, c, d)``, or None when ``m`` is singular."""
    det = m[0] * m[3] - m[1] * m[2]
    if not math.isfinite(det) or abs(det) < 1e-12:
        return None
    inv = (m[3] / det, -m[1] / det, -m[2] / det, m[0] / det)
    return inv if all(math.isfinite(v) for v in inv) else None


class _Resources:
    """A content stream's /Resources, made private to ``owner`` the first time a name is added."""

    def __init__(self, owner: pikepdf.Object, source: pikepdf.Object | None) -> None:
        self.owner, self.source, self.private = owner, source, False

    def font(self, name: pikepdf.Name) -> pikepdf.Object | None:
        fonts = self.source.get("/Font") if isinstance(self.source, pikepdf.Dictionary) else None
        return fonts.get(name) if isinstance(fonts, pikepdf.Dictionary) else None

    def xobject(self, name: pikepdf.Name) -> pikepdf.Object | None:
        xobjects = self.source.get("/XObject") if isinstance(self.source, pikepdf.Dictionary) else None
        obj = xobjects.get(name) if isinstance(xobjects, pikepdf.Dictionary) else None
        return obj if isinstance(obj, pikepdf.Stream) else None

    def add(self, base: str, stream: pikepdf.Stream) -> pikepdf.Name:
        if not self.private:
            source = self.source if isinstance(self.source, pikepdf.Dictionary) else pikepdf.Dictionary()
            old = source.get("/XObject")
            copy = pikepdf.Dictionary(dict(source.items()))
            copy.XObject = pikepdf.Dictionary(dict(old.items()) if isinstance(old, pikepdf.Dictionary) else {})
            self.owner.Resources = self.source = copy
            self.private = True
        taken = set(self.source.XObject.keys())
        k = 1
        while f"/{base}_lt{k}" in taken:
            k += 1
        name = pikepdf.Name(f"/{base}_lt{k}")
        self.source.XObject[name] = stream
        return name


class _Walk:
    """First pass: track q/Q, cm and text state; collect page-space points; plan the rewrite."""

    def __init__(self, pdf: pikepdf.Pdf, label: str, max_operators: int) -> None:
        self.pdf, self.label, self.budget = pdf, label, max_operators
        self.points: list[tuple[float, float]] = []
        self.text: list[bool] = []  # per point: a text line's origin (else a path point)
        self.words: list[int] = []  # per word of the shown strings: its line origin's point index
        self.word_axes: list[tuple[float, float, float]] = []  # per word: its baseline (ux, uy) and pt per text space unit
        self.invs: list[tuple[float, float, float, float]] = []
        self.streams: list[tuple[pikepdf.Object, list, tuple | None]] = []  # (owner, plan, (bbox, inv) for forms)
        self.n_points = self.lines = self.forms = 0
        self.images: list[tuple[str, Matrix]] = []
        self._ctm: Matrix | None = None
        self._inv: tuple[float, float, float, float] | None = None
        self._places = 0

    def parse(self, source: pikepdf.Object) -> list:
        """Instructions of a page (all its content streams, joined) or of a form stream."""
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if not isinstance(source, pikepdf.Stream):  # a page: qpdf's page parser does not warn, so join and parse as one
                    parts = source.get("/Contents")
                    parts = [parts] if isinstance(parts, pikepdf.Stream) else list(parts) if isinstance(parts, pikepdf.Array) else []
                    source = self.pdf.make_stream(b"\n".join(p.read_bytes() for p in parts if isinstance(p, pikepdf.Stream)))
                instructions = pikepdf.parse_content_stream(source)
        except (pikepdf.PdfError, ValueError, TypeError, RuntimeError) as exc:
            raise DocumentRejected(self.label, f"content stream cannot be parsed: {exc}") from None
        if caught:  # qpdf stops at the damage and warns: rewriting would silently drop the rest
            raise DocumentRejected(self.label, f"content stream cannot be parsed: {caught[0].message}")
        self.budget -= len(instructions)
        if self.budget < 0:
            raise DocumentRejected(self.label, "too many content-stream operators")
        return instructions

    def collect(self, ctm: Matrix, xy: tuple[float, ...], *, text: bool = False) -> int:
        """Queue user-space points ``xy`` (x0, y0, x1, …) under ``ctm`` (``text``: a line origin); index of the first, or -1 if not movable."""
        if ctm is not self._ctm:
            self._ctm, self._inv, self._places = ctm, inverse_linear(ctm), places(ctm)
        if self._inv is None:
            return -1
        pts = [apply(ctm, xy[i], xy[i + 1]) for i in range(0, len(xy), 2)]
        if not all(math.isfinite(v) for p in pts for v in p):
            return -1
        self.points += pts
        self.text += [text] * len(pts)
        self.invs += [self._inv] * len(pts)
        return len(self.points) - len(pts)

    def walk(self, instructions: list, ctm: Matrix, params: tuple, resources: _Resources, depth: int) -> list:
        """Plan the rewrite of one content stream drawn under ``ctm`` with text state ``params`` (:meth:`TextState.saved`)."""
        plan: list = []
        stack: list[tuple[Matrix, tuple]] = []
        fonts: dict = {}

        def font_of(name: pikepdf.Name) -> bool:
            if name not in fonts:
                fonts[name] = _words.splittable(resources.font(name))
            return fonts[name]

        text = TextState(self, font_of, params)
        for ins in instructions:
            if isinstance(ins, pikepdf.ContentStreamInlineImage):
                self.images.append(("<inline>", ctm))
                plan.append(ins)
                continue
            op, operands = str(ins.operator), ins.operands
            if op in _PATH_ARITY and (xy := numbers(operands, _PATH_ARITY[op])) is not None:
                if op == "re":
                    x, y, w, h = xy
                    xy = (x, y, x + w, y, x + w, y + h, x, y + h)
                if (k := self.collect(ctm, xy)) < 0:
                    plan.append(ins)
                else:
                    self.n_points += len(xy) // 2
                    plan.append(("path", op, xy, k, ins, self._places))
            elif op == "q":
                stack.append((ctm, text.saved()))
                plan.append(ins)
            elif op == "Q":
                if stack:
                    ctm, saved = stack.pop()
                    text.restore(saved)
                plan.append(ins)
            elif op == "cm":
                if (m := numbers(operands, 6)) is not None:
                    ctm = mul(m, ctm)
                plan.append(ins)
            elif op in TEXT_OPS:
                plan.extend(text.handle(ins, op, ctm))
            elif op == "Do" and operands and isinstance(operands[0], pikepdf.Name):
                plan.append(self.draw(ins, operands[0], ctm, text.saved(), resources, depth))
            else:
                plan.append(ins)
        return plan

    def draw(self, ins, name: pikepdf.Name, ctm: Matrix, params: tuple, resources: _Resources, depth: int):
        """Plan a ``Do``: record an image, or walk a private copy of a form and draw that instead."""
        xobject = resources.xobject(name)
        if xobject is None:
            return ins
        subtype = xobject.get("/Subtype")
        if subtype == pikepdf.Name.Image:
            self.images.append((str(name), ctm))
            return ins
        if subtype != pikepdf.Name.Form or depth >= MAX_FORM_DEPTH:
            return ins
        raw = xobject.get("/Matrix")
        matrix = IDENTITY if raw is None else numbers(list(raw), 6) if isinstance(raw, pikepdf.Array) else None
        if matrix is None:
            return ins
        copy = self.pdf.make_stream(b"")
        for key, value in xobject.stream_dict.items():
            if key not in ("/Length", "/Filter", "/DecodeParms", "/DL"):
                copy[key] = value
        inner = xobject.get("/Resources")
        form_ctm = mul(matrix, ctm)
        plan = self.walk(self.parse(xobject), form_ctm, params, _Resources(copy, inner if inner is not None else resources.source), depth + 1)
        self.streams.append((copy, plan, (xobject.get("/BBox"), inverse_linear(form_ctm))))
        self.forms += 1
        return instruction("Do", [resources.add(str(name)[1:], copy)])

    @staticmethod
    def emit(plan: list, du: list, dt: list) -> list:
        """Instructions of a planned stream: an unmoved path operator as it was; a moved one with
        each coordinate rounded to its CTM's :func:`._numbers.places` (an unmoved coordinate of a
        moved operator keeps its operand object); shown strings with their words moved by ``dt``."""
        out = []
        clean = True  # the text line matrix is where the original puts it
        for item in plan:
            if not isinstance(item, tuple):
                out.append(item)
                if isinstance(item, pikepdf.ContentStreamInstruction) and str(item.operator) == "BT":
                    clean = True
            elif item[0] == "path":
                _, op, xy, k, ins, n = item
                d = [du[k + i // 2][i % 2] for i in range(len(xy))]
                if not any(d):
                    out.append(ins)
                elif op == "re":
                    moved = [v + dv for v, dv in zip(xy, d)]
                    out += [instruction("m", moved[:2], n), *(instruction("l", moved[i : i + 2], n) for i in (2, 4, 6)), instruction("h")]
                else:
                    moved = [o if dv == 0.0 else v + dv for o, v, dv in zip(ins.operands, xy, d)]
                    out.append(instruction(op, moved, n))
            elif item[0] == "show":
                out += _words.emit(item, dt)
            else:
                lines, clean = TextState.emit(item, du, dt, clean)
                out += lines
        return out


def _expanded_bbox(bbox, inv, margin_pt: float):
    """The form /BBox grown by ``margin_pt`` (page pt) in form space, so moved content is not clipped."""
    box = numbers(list(bbox), 4) if isinstance(bbox, pikepdf.Array) else None
    if box is None or inv is None:
        return bbox
    grow = margin_pt * math.sqrt(sum(v * v for v in inv)) + 1e-3
    return pikepdf.Array([min(box[0], box[2]) - grow, min(box[1], box[3]) - grow, max(box[0], box[2]) + grow, max(box[1], box[3]) + grow])


def _inherited_resources(page_obj: pikepdf.Object) -> pikepdf.Object | None:
    node, seen = page_obj, 0
    while isinstance(node, pikepdf.Dictionary) and seen < 64:
        if "/Resources" in node:
            return node.Resources
        node, seen = node.get("/Parent"), seen + 1
    return None


def displace_page(
    pdf: pikepdf.Pdf,
    page: pikepdf.Page,
    shift: Callable[[np.ndarray], np.ndarray],
    *,
    max_operators: int = 2_000_000,
    label: str | None = None,
    text_shift: Callable[[np.ndarray], np.ndarray] | None = None,
    word_shift: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> Moved:
    """Rewrite ``page``'s content so every path point and text line moves by ``shift``.

    Parameters
    ----------
    pdf : pikepdf.Pdf
        The document holding ``page``; new form copies are created in it.
    page : pikepdf.Page
        Rewritten in place: one new content stream, and a private /Resources if forms are used.
        Other pages are never changed, even when they share resources or forms with this one.
    shift : callable, (n, 2) float64 ndarray -> (n, 2) float64 ndarray
        Displacement field: points in the page's default user space, pt, to displacements in
        the same space, pt. Called once per page with every point (paths and line origins).
    max_operators : int
        Limit on operators parsed, forms included (each use counts).
    label : str, optional
        Names the page in a :class:`DocumentRejected`; default ``"page N"``.
    text_shift : callable, optional
        The displacement of text line origins, as ``shift`` (default: ``shift``).
    word_shift : callable, optional
        ``(origins, axes) -> moves``: each word's move along its baseline, pt, from its line's origin
        (n, 2) page pt and its baseline (n, 2) unit vectors in page space (default: words stay).

    Returns
    -------
    Moved
        Counts of what moved, image placements and the largest shift, pt.

    Raises
    ------
    DocumentRejected
        A content stream that cannot be parsed, or more than ``max_operators`` operators.

    Examples
    --------
    >>> pdf = pikepdf.new(); page = pdf.add_blank_page(page_size=(200, 200))
    >>> page.obj.Contents = pdf.make_stream(b"10 10 m 100 10 l S")
    >>> displace_page(pdf, page, lambda p: np.full_like(p, 0.5)).points
    2
    """
    if label is None:
        try:
            label = f"page {page.index + 1}"
        except Exception:
            label = "page"
    walk = _Walk(pdf, label, max_operators)
    page_plan = walk.walk(walk.parse(page.obj), IDENTITY, PAGE_TEXT_STATE, _Resources(page.obj, _inherited_resources(page.obj)), 0)
    du: list = []
    dt: list = [0.0] * len(walk.words)
    if word_shift is not None and walk.words:
        axes = np.asarray(walk.word_axes, np.float64)
        moves = np.asarray(word_shift(np.asarray(walk.points, np.float64)[walk.words], axes[:, :2]), np.float64).reshape(-1)
        if moves.shape != (len(walk.words),):
            raise ValueError(f"word_shift returned shape {moves.shape}, expected {(len(walk.words),)}")
        dt = (np.where(np.isfinite(moves), moves, 0.0) / axes[:, 2]).tolist()  # text space units
    max_shift = 0.0
    if walk.points:
        points = np.asarray(walk.points, dtype=np.float64)
        d = np.asarray(shift(points), dtype=np.float64)
        lines = np.asarray(walk.text, bool)
        if text_shift is not None and lines.any() and d.shape == points.shape:
            d[lines] = np.asarray(text_shift(points[lines]), dtype=np.float64).reshape(-1, 2)
        if d.shape != (len(walk.points), 2):
            raise ValueError(f"shift returned shape {d.shape}, expected {(len(walk.points), 2)}")
        d = np.where(np.isfinite(d), d, 0.0)
        inv = np.asarray(walk.invs, dtype=np.float64)
        du = np.stack([d[:, 0] * inv[:, 0] + d[:, 1] * inv[:, 2], d[:, 0] * inv[:, 1] + d[:, 1] * inv[:, 3]], axis=1).tolist()
        max_shift = float(np.max(np.hypot(d[:, 0], d[:, 1])))
    for owner, plan, (bbox, inv) in walk.streams:
        owner.write(pikepdf.unparse_content_stream(walk.emit(plan, du, dt)))
        if bbox is not None:
            owner.BBox = _expanded_bbox(bbox, inv, max_shift)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(walk.emit(page_plan, du, dt)))
    return Moved(walk.n_points, walk.lines, walk.forms, tuple(walk.images), max_shift, len(walk.words))
