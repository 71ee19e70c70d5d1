"""Text-line positioning for :mod:`._content`: each line moves rigidly by the field at its origin.

Every line-positioning operator (``Td``, ``TD``, ``Tm``, ``T*``, ``'``, ``"``) is replaced by an
absolute ``Tm`` holding the *intended* line matrix translated by that line's own displacement,
so no later line inherits an earlier line's edit. ``TD`` keeps its leading (``TL``), ``'`` and
``"`` become ``Tm`` + ``Tj`` (``"`` first sets ``Tw`` and ``Tc``). ``Tj``/``TJ`` strings are never
changed. A line whose own displacement is zero, while the line matrix is where the original
puts it, keeps its original operator. Coordinates in pt, page default user space; matrices as in
:mod:`._content`.

Numbers are written as :mod:`._numbers` says.
"""

from __future__ import annotations

import math

import pikepdf

from . import _words
from ._numbers import Matrix, instruction, numbers, places

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
TEXT_OPS = frozenset({"BT", "ET", "Td", "TD", "Tm", "T*", "'", '"', "TL", "Tf", "Tz", "Tj", "TJ"})


def mul(m: Matrix, n: Matrix) -> Matrix:
    """Return the matrix product ``m × n`` (apply ``m`` first, then ``n``)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


class TextState:
    """Text object state of one content stream: line matrix, leading, font, first-line flag, and its words.

    ``font_of(name)`` says whether the font a ``Tf`` names may have its strings cut into words
    (:func:`._words.splittable`); ``params`` are the text state a form inherits (:meth:`saved`).
    """

    INITIAL = (0.0, False, 0.0, 100.0)  # a page's content starts with leading 0, no font, Tz 100

    def __init__(self, walk, font_of, params: tuple = INITIAL) -> None:
        self.walk, self.font_of = walk, font_of
        self.leading, self.split, self.size, self.tz = params  # TL, Tf's font and size, Tz: graphics state (saved by q)
        self.in_text = False
        self.tlm = IDENTITY
        self.linear: tuple = (1, 0, 0, 1)  # the line matrix's a b c d as operand objects (only Tm sets them)
        self.pending = False  # a BT whose first line has no positioning operator yet
        self.line_point = -1  # the current line origin's point index (-1: a line the walk cannot move)
        self.words = _words.Words(walk)

    def saved(self) -> tuple:
        """The text state parameters ``q`` saves: (leading, font splittable, font size, Tz)."""
        return (self.leading, self.split, self.size, self.tz)

    def restore(self, params: tuple) -> None:
        self.leading, self.split, self.size, self.tz = params

    def line(self, ins, ctm, prefix: list, suffix: list) -> list:
        """Plan one line start at the current (intended) line matrix; ``ins`` is the original operator,
        ``suffix`` the instructions after the ``Tm`` (a show among them is given as ``(ins, op)``)."""
        self.pending = False
        k = self.walk.collect(ctm, self.tlm[4:6], text=True)
        if k >= 0:
            self.walk.lines += 1
        self.line_point = k
        self.words.new_line()
        shown = [self.show(*x, ctm) if isinstance(x, tuple) else x for x in suffix]
        return [("text", prefix, self.tlm, self.linear, k, shown, ins, places(ctm))]

    def show(self, ins, op: str, ctm):
        """Plan a ``Tj``/``TJ`` of the current line: its words (:mod:`._words`), or ``ins`` unchanged when
        its font's strings cannot be cut or its line does not move."""
        operands = ins.operands
        size_tz = self.size * self.tz / 100.0
        if not (self.split and self.line_point >= 0 and math.isfinite(size_tz) and abs(size_tz) > 1e-9 and len(operands) == 1):
            return ins
        if op == "Tj" and isinstance(operands[0], pikepdf.String):
            elements = [bytes(operands[0])]
        elif op == "TJ" and isinstance(operands[0], pikepdf.Array):
            elements = [bytes(e) if isinstance(e, pikepdf.String) else e for e in operands[0]]
            if any(not isinstance(e, bytes) and numbers([e], 1) is None for e in elements):
                return ins
        else:
            return ins
        m = mul((*self.tlm[:4], 0.0, 0.0), ctm)
        scale = math.hypot(m[0], m[1])  # page pt per text space unit along the baseline
        if not (math.isfinite(scale) and scale > 1e-9):
            return ins
        return self.words.plan(ins, elements, self.line_point, (m[0] / scale, m[1] / scale, scale), size_tz)

    def move(self, tx: float, ty: float) -> None:
        self.tlm = mul((1.0, 0.0, 0.0, 1.0, tx, ty), self.tlm)

    def handle(self, ins, op: str, ctm) -> list:
        """Plan items for one text operator ``ins`` under ``ctm``; malformed ones pass unchanged."""
        operands = ins.operands
        if op == "BT":
            self.in_text, self.tlm, self.linear, self.pending = True, IDENTITY, (1, 0, 0, 1), True
            self.line_point = -1
        elif op == "ET":
            self.in_text = self.pending = False
        elif op == "TL":
            if (v := numbers(operands, 1)) is not None:
                self.leading = v[0]
        elif op == "Tf":
            if len(operands) == 2 and isinstance(operands[0], pikepdf.Name) and (v := numbers(operands[1:], 1)) is not None:
                self.split, self.size = bool(self.font_of(operands[0])), v[0]
            else:
                self.split = False
        elif op == "Tz":
            if (v := numbers(operands, 1)) is not None:
                self.tz = v[0]
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
            return self.line(ins, ctm, [], [(instruction("Tj", operands), "Tj")])
        elif op == '"' and len(operands) == 3 and numbers(operands[:2], 2) is not None:
            self.move(0.0, -self.leading)
            return self.line(
                ins, ctm, [instruction("Tw", [operands[0]]), instruction("Tc", [operands[1]])], [(instruction("Tj", [operands[2]]), "Tj")]
            )
        elif op in ("Tj", "TJ") and self.pending:
            return self.line(ins, ctm, [], [(ins, op)])
        elif op in ("Tj", "TJ"):
            return [self.show(ins, op, ctm)]
        return [ins]

    @staticmethod
    def emit(item: tuple, du: list, dt: list, clean: bool) -> tuple[list, bool]:
        """Instructions for a planned line, and whether the line matrix is then where the original puts it.

        ``clean``: it is so before this line. An unmoved line keeps its original operator then (unless
        a word it shows moves: ``dt``, per word, text space units); otherwise it becomes prefix,
        ``Tm`` (intended + own shift), suffix.
        """
        _, prefix, tlm, linear, k, suffix, ins, n = item
        still = k < 0 or du[k] == [0.0, 0.0]
        if still and clean and not any(isinstance(s, tuple) and _words.moves(s, dt) for s in suffix):
            return [ins], True
        shown = [x for s in suffix for x in (_words.emit(s, dt) if isinstance(s, tuple) else [s])]
        e, f = tlm[4], tlm[5]
        if not still:
            e, f = e + du[k][0], f + du[k][1]
        return [*prefix, instruction("Tm", [*linear, e, f], n), *shown], still
