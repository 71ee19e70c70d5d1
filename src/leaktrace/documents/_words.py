"""Word shifts for :mod:`._text`: each word of a line moves along its baseline by its own amount.

Word-shift coding (Brassil et al. 1995) gives a text page hundreds of independent moves where
line shifts give one per line. A shown string (``Tj``, ``TJ``, and the strings of ``'`` and ``"``)
of a simple font is cut at its spaces (byte 32, which such a font shows as the space and which
``Tw`` applies to) into words; a copy writes it as a ``TJ`` whose numbers move word j by t_j text
space units (a ``TJ`` number n moves what follows by −n/1000 · Tfs · Th) and, after its last word,
back by the last offset, so whatever the line shows next stays where it was. The bytes shown,
their order and their glyphs never change, so the text a viewer extracts is the same.

A word is a run of non-space bytes on one line: a word cut across two strings of the line (a
kerned ``TJ``, a font change) is one word. Words are numbered in content order over the page, the
same in every walk of the original (:func:`leaktrace.documents.strokes.walk_page` sees what a copy
moves). Fonts whose codes are not single bytes (``Type0``), or whose encoding gives code 32
another glyph, are shown unchanged and their words are not counted.
"""

from __future__ import annotations

import math

import pikepdf

from ._numbers import real

SPACE = 32
SIMPLE_FONTS = frozenset({"/Type1", "/MMType1", "/TrueType", "/Type3"})
#: Page-space error allowed per written word offset, pt (as :data:`._text.TOLERANCE_PT`).
TOLERANCE_PT = 1e-4


def splittable(font) -> bool:
    """Whether a font dictionary's strings may be cut at byte 32: a simple font that shows it as its space.

    Examples
    --------
    >>> pdf = pikepdf.new()
    >>> splittable(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    True
    >>> splittable(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0))
    False
    >>> odd = pikepdf.Dictionary(Differences=pikepdf.Array([30, pikepdf.Name.a, pikepdf.Name.b, pikepdf.Name.c]))
    >>> splittable(pikepdf.Dictionary(Subtype=pikepdf.Name.TrueType, Encoding=odd))
    False
    """
    if not isinstance(font, pikepdf.Dictionary) or str(font.get("/Subtype")) not in SIMPLE_FONTS:
        return False
    encoding = font.get("/Encoding")
    differences = encoding.get("/Differences") if isinstance(encoding, pikepdf.Dictionary) else None
    if not isinstance(differences, pikepdf.Array):
        return True
    code = None
    for item in differences:
        if isinstance(item, pikepdf.Name):
            if code == SPACE:
                return str(item) == "/space"
            code = None if code is None else code + 1
        else:
            try:
                code = int(item)
            except (TypeError, ValueError):
                return False
    return True


class Words:
    """Where a line's words start, across the strings it shows: the page's word counter and this line's state."""

    def __init__(self, walk) -> None:
        self.walk = walk
        self.in_word = False

    def new_line(self) -> None:
        self.in_word = False

    def plan(self, ins, elements: list, line: int, axis: tuple[float, float, float], size_tz: float) -> tuple:
        """A ``("show", …)`` plan item for the shown ``elements`` (strings as bytes, numbers as their
        operand objects) on line ``line`` (its origin's point index), baseline ``axis`` = (ux, uy, pt per
        text space unit) in page space, ``size_tz`` = Tfs·Th; each new word is counted on the walk."""
        pieces = []  # ("s", bytes, word or None) or ("n", operand)
        for element in elements:
            if not isinstance(element, bytes):
                pieces.append(("n", element))
                continue
            start, word = 0, (len(self.walk.words) - 1) if self.in_word else None
            for i, byte in enumerate(element):
                if byte == SPACE:
                    self.in_word = False
                elif not self.in_word:
                    if i > start:
                        pieces.append(("s", element[start:i], word))
                    start, word, self.in_word = i, len(self.walk.words), True
                    self.walk.words.append(line)
                    self.walk.word_axes.append(axis)
            if len(element) > start or not element:
                pieces.append(("s", element[start:], word))
        return ("show", ins, pieces, size_tz, axis[2])


def moves(item: tuple, dt: list) -> bool:
    """Whether a planned show moves any of its words under ``dt``."""
    return any(p[0] == "s" and p[2] is not None and dt[p[2]] for p in item[2])


def emit(item: tuple, dt: list) -> list:
    """The instructions of a planned show: the original one when none of its words moves, else one ``TJ``
    that moves word j by ``dt[j]`` (text space units) and back after the last."""
    _, ins, pieces, size_tz, scale = item
    if not moves(item, dt):
        return [ins]
    places = _places(size_tz * scale)
    out: list = []
    current = 0.0
    for piece in pieces:
        if piece[0] == "n":
            out.append(piece[1])
            continue
        _, data, word = piece
        target = 0.0 if word is None else float(dt[word])
        if target != current:
            out.append(real(-1000.0 * (target - current) / size_tz, places))
            current = target
        out.append(pikepdf.String(data))
    if current:
        out.append(real(1000.0 * current / size_tz, places))
    return [pikepdf.ContentStreamInstruction([pikepdf.Array(out)], pikepdf.Operator("TJ"))]


def _places(pt_per_unit: float) -> int:
    """Decimals of a ``TJ`` number (1/1000 text space unit) that keep its page error within :data:`TOLERANCE_PT`."""
    need = 0.5 * abs(pt_per_unit) / 1000.0 / TOLERANCE_PT
    return min(12, max(0, math.ceil(math.log10(need) + 1e-9))) if need > 1.0 else 0
