"""Text-line positioning for :mod:`._content`: each line moves rigidly by the field at its origin.

Every line-positioning operator (``Td``, ``TD``, ``Tm``, ``T*``, ``'``, ``"``) is replaced by an
absolute ``Tm`` holding the *intended* line matrix translated by that line's own displacement,
so no later line inherits an earlier line's edit. ``TD`` keeps its leading (``TL``), ``'`` and
``"`` become ``Tm`` + ``Tj`` (``"`` first sets ``Tw`` and ``Tc``). ``Tj``/``TJ`` strings are never
changed. Coordinates in pt, page default user space; matrices as in :mod:`._content`.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_PLACES = 9  # decimals written: 1e-9 user units keeps a 0.01 pt shift exact under any sane cm
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


def real(v: float) -> Decimal | pikepdf.Object:
    """``v`` rounded to 9 decimals for writing (pikepdf writes a Python float with only 6)."""
    if abs(v) < 1e-6:  # Decimal would print as 1E-7, which is not PDF syntax
        return pikepdf.Real(v, _PLACES)
    return Decimal(f"{v:.{_PLACES}f}".rstrip("0").rstrip("."))


def instruction(operator: str, operands=()) -> pikepdf.ContentStreamInstruction:
    """A content-stream instruction; float operands are written with 9 decimals."""
    return pikepdf.ContentStreamInstruction([real(v) if isinstance(v, float) else v for v in operands], pikepdf.Operator(operator))


class TextState:
    """Text object state of one content stream: line matrix, leading, first-line flag."""

    def __init__(self, walk) -> None:
        self.walk = walk
        self.leading = 0.0  # TL, text space units; part of the graphics state (saved by q)
        self.in_text = False
        self.tlm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        self.pending = False  # a BT whose first line has no positioning operator yet

    def line(self, ctm, prefix: list, suffix: list) -> list:
        """Plan one line start at the current (intended) line matrix."""
        self.pending = False
        k = self.walk.collect(ctm, self.tlm[4:6], text=True)
        if k >= 0:
            self.walk.lines += 1
        return [("text", prefix, self.tlm, k, suffix)]

    def move(self, tx: float, ty: float) -> None:
        self.tlm = mul((1.0, 0.0, 0.0, 1.0, tx, ty), self.tlm)

    def handle(self, ins, op: str, ctm) -> list:
        """Plan items for one text operator ``ins`` under ``ctm``; malformed ones pass unchanged."""
        operands = ins.operands
        if op == "BT":
            self.in_text, self.tlm, self.pending = True, IDENTITY, True
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
                return self.line(ctm, [instruction("TL", [-v[1]])], [])
            return self.line(ctm, [], [])
        elif op == "Tm" and (v := numbers(operands, 6)) is not None:
            self.tlm = v
            return self.line(ctm, [], [])
        elif op == "T*" and not operands:
            self.move(0.0, -self.leading)
            return self.line(ctm, [], [])
        elif op == "'" and len(operands) == 1:
            self.move(0.0, -self.leading)
            return self.line(ctm, [], [instruction("Tj", operands)])
        elif op == '"' and len(operands) == 3 and numbers(operands[:2], 2) is not None:
            self.move(0.0, -self.leading)
            return self.line(ctm, [instruction("Tw", [operands[0]]), instruction("Tc", [operands[1]])], [instruction("Tj", [operands[2]])])
        elif op in ("Tj", "TJ") and self.pending:
            return self.line(ctm, [], [ins])
        return [ins]

    @staticmethod
    def emit(item: tuple, du: list) -> list:
        """Instructions for a planned line: prefix, ``Tm`` (intended + own shift), suffix."""
        _, prefix, tlm, k, suffix = item
        e, f = tlm[4], tlm[5]
        if k >= 0:
            e, f = e + du[k][0], f + du[k][1]
        return [*prefix, instruction("Tm", [*tlm[:4], e, f]), *suffix]
