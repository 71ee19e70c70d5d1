"""Text-line positioning for :mod:`._content`: each line moves rigidly by the field at its origin.

Every line-positioning operator (``Td``, ``TD``, ``Tm``, ``T*``, ``'``, ``"``) is replaced by an
absolute ``Tm`` holding the *intended* line matrix translated by that line's own displacement,
so no later line inherits an earlier line's edit. ``TD`` keeps its leading (``TL``), ``'`` and
``"`` become ``Tm`` + ``Tj`` (``"`` first sets ``Tw`` and ``Tc``). ``Tj``/``TJ`` strings are never
changed. A line whose own displacement is zero, while the line matrix is where the original
puts it, keeps its original operator. Coordinates in pt, page default user space; matrices as in
:mod:`._content`.

Numbers written: a rewritten coordinate gets the fewest decimals that keep its page-space
rounding error within :data:`TOLERANCE_PT` under the CTM at that point (:func:`places`),
trailing zeros dropped; every number that is not rewritten keeps its original operand object,
so it is written byte for byte as it was.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
TOLERANCE_PT = 1e-4  # page-space error allowed per rewritten point, pt (0.0002 px at 150 dpi)
MAX_PLACES = 12
TEXT_OPS = frozenset({"BT", "ET", "Td", "TD", "Tm", "T*", "'", '"', "TL", "Tj", "TJ"})


def mul(m: Matrix, n: Matrix) -> Matrix:
    """Return the matrix product ``m × n`` (apply ``m`` first, then ``n``)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def numbers(operands, n: int) -> tuple[float, ...] | None:
    """The ``n`` operands as finite floats, or None if their count or types are wrong."""
    if len(operands) != n:
        return None
    out = []
    for o in operands:
        if isinstance(o, bool) or not isinstance(o, (int, float, Decimal)):
            return None
        v = float(o)
        if not math.isfinite(v):
            return None
        out.append(v)
    return tuple(out)


def places(m: Matrix) -> int:
    """Decimals for user-space coordinates under CTM ``m`` that keep a point's page error within :data:`TOLERANCE_PT`.

    Rounding both coordinates to ``n`` decimals moves the point by at most ``0.5e-n·√2`` user
    units, and the CTM stretches that by at most its largest singular value σ, so ``n`` is the
    smallest with ``0.5e-n·√2·σ ≤ TOLERANCE_PT`` (σ = 1: 4 decimals; σ = 10: 5; σ = 0.1: 3).
    """
    a, b, c, d = m[0], m[1], m[2], m[3]
    s = a * a + b * b + c * c + d * d
    sigma = math.sqrt(max(0.5 * (s + math.sqrt(max(s * s - 4.0 * (a * d - b * c) ** 2, 0.0))), 0.0))
    need = 0.5 * math.sqrt(2.0) * sigma / TOLERANCE_PT
    if not math.isfinite(need):
        return MAX_PLACES
    return min(MAX_PLACES, max(0, math.ceil(math.log10(need) + 1e-9))) if need > 1.0 else 0


def real(v: float, n: int) -> int | Decimal:
    """``v`` rounded to ``n`` decimals, trailing zeros dropped, for writing.

    A Python float would be written with 6 decimals, so a Decimal (or an int) is returned.
    pikepdf writes a Decimal below 1e-6 in magnitude as 0 (6 decimals), so those are 0 here too.
    """
    text = f"{v:.{n}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if "." not in text:
        return int(text)
    d = Decimal(text)
    return 0 if d.adjusted() < -6 else d


def instruction(operator: str, operands=(), n: int = MAX_PLACES) -> pikepdf.ContentStreamInstruction:
    """A content-stream instruction; float operands are written with ``n`` decimals, others as they are."""
    return pikepdf.ContentStreamInstruction([real(v, n) if isinstance(v, float) else v for v in operands], pikepdf.Operator(operator))


class TextState:
    """Text object state of one content stream: line matrix, leading, first-line flag."""

    def __init__(self, walk) -> None:
        self.walk = walk
        self.leading = 0.0  # TL, text space units; part of the graphics state (saved by q)
        self.in_text = False
        self.tlm = IDENTITY
        self.linear: tuple = (1, 0, 0, 1)  # the line matrix's a b c d as operand objects (only Tm sets them)
        self.pending = False  # a BT whose first line has no positioning operator yet

    def line(self, ins, ctm, prefix: list, suffix: list) -> list:
        """Plan one line start at the current (intended) line matrix; ``ins`` is the original operator."""
        self.pending = False
        k = self.walk.collect(ctm, self.tlm[4:6], text=True)
        if k >= 0:
            self.walk.lines += 1
        return [("text", prefix, self.tlm, self.linear, k, suffix, ins, places(ctm))]

    def move(self, tx: float, ty: float) -> None:
        self.tlm = mul((1.0, 0.0, 0.0, 1.0, tx, ty), self.tlm)

    def handle(self, ins, op: str, ctm) -> list:
        """Plan items for one text operator ``ins`` under ``ctm``; malformed ones pass unchanged."""
        operands = ins.operands
        if op == "BT":
            self.in_text, self.tlm, self.linear, self.pending = True, IDENTITY, (1, 0, 0, 1), True
        elif op == "ET":
            self.in_text = self.pending = False
        elif op == "TL":
            if (v := numbers(operands, 1)) is not None:
                self.leading = v[0]
        elif not self.in_text:
            pass
        elif op in ("Td", "TD") and (v := numbers(operands, 2)) is not None:
            self.move(*v)
            if op == "TD":
                self.leading = -v[1]
                return self.line(ins, ctm, [instruction("TL", [-operands[1]])], [])
            return self.line(ins, ctm, [], [])
        elif op == "Tm" and (v := numbers(operands, 6)) is not None:
            self.tlm, self.linear = v, tuple(operands[:4])
            return self.line(ins, ctm, [], [])
        elif op == "T*" and not operands:
            self.move(0.0, -self.leading)
            return self.line(ins, ctm, [], [])
        elif op == "'" and len(operands) == 1:
            self.move(0.0, -self.leading)
            return self.line(ins, ctm, [], [instruction("Tj", operands)])
        elif op == '"' and len(operands) == 3 and numbers(operands[:2], 2) is not None:
            self.move(0.0, -self.leading)
            return self.line(ins, ctm, [instruction("Tw", [operands[0]]), instruction("Tc", [operands[1]])], [instruction("Tj", [operands[2]])])
        elif op in ("Tj", "TJ") and self.pending:
            return self.line(ins, ctm, [], [ins])
        return [ins]

    @staticmethod
    def emit(item: tuple, du: list, clean: bool) -> tuple[list, bool]:
        """Instructions for a planned line, and whether the line matrix is then where the original puts it.

        ``clean``: it is so before this line. An unmoved line keeps its original operator then;
        otherwise it becomes prefix, ``Tm`` (intended + own shift), suffix.
        """
        _, prefix, tlm, linear, k, suffix, ins, n = item
        still = k < 0 or du[k] == [0.0, 0.0]
        if still and clean:
            return [ins], True
        e, f = tlm[4], tlm[5]
        if not still:
            e, f = e + du[k][0], f + du[k][1]
        return [*prefix, instruction("Tm", [*linear, e, f], n), *suffix], still
