"""Numbers in a rewritten content stream: operands read as floats, coordinates written with the
fewest decimals that keep a page-space error within :data:`TOLERANCE_PT`.

A rewritten coordinate gets the fewest decimals that keep its page-space rounding error within
:data:`TOLERANCE_PT` under the CTM at that point (:func:`places`), trailing zeros dropped; every
number that is not rewritten keeps its original operand object, so it is written byte for byte.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
TOLERANCE_PT = 1e-4  # page-space error allowed per rewritten point, pt (0.0002 px at 150 dpi)
MAX_PLACES = 12


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
