"""Numbers, dates and sentences as a reader outside engineering reads them.

Everything returns plain text (the template escapes it); superscripts are Unicode so
the words survive copying out of the PDF.

Examples
--------
>>> one_in(1e-6)
'1 in 1,000,000'
>>> probability(3.2e-12)
'3.2 × 10⁻¹²'
>>> probability(0.0)
'< 10⁻³⁰⁰'
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")

#: How each alignment method is explained.
METHODS = {
    "features": "matched by distinctive points (corners, line ends) found in both images",
    "full-frame": "the leak is the whole original, resized",
    "search": "found by searching the original for the leak at every scale",
}


#: Below this a p-bound is printed as "< 10⁻³⁰⁰": float64 keeps no precision past it (it
#: underflows to 0.0 from T ≈ 38.6, and a subnormal 5e-324 is only the nearest of a few values).
FLOOR = 1e-300
BELOW_FLOOR = "< 10" + "-300".translate(_SUP)


def _decimal(x: float) -> tuple[int, int]:
    """``x`` > 0 as (digits, exponent) with ``x`` ≈ digits × 10^exponent, from its shortest repr
    (exact for every float, subnormals included: no 10.0**exp, which is 0.0 below 10⁻³²³)."""
    sign, digits, exp = Decimal(repr(float(x))).as_tuple()
    return int("".join(map(str, digits))), int(exp)


def _mantissa(x: float, *, up: bool) -> tuple[Decimal, int]:
    """``x`` > 0 as (m, n), 1 ≤ m < 10 with one decimal, x ≈ m × 10ⁿ; rounded up when ``up``."""
    digits, exp = _decimal(x)
    n = len(str(digits)) - 1 + exp
    m = Decimal(digits).scaleb(exp - n)  # 1 ≤ m < 10, exactly
    m = m.quantize(Decimal("0.1"), rounding=ROUND_CEILING if up else ROUND_HALF_EVEN)
    if m >= 10:
        m, n = Decimal("1.0"), n + 1
    return m, n


def power_of_ten(x: float, *, up: bool = False) -> str:
    """``x`` ≥ 0 as 'm × 10ⁿ' (or plain for ordinary sizes); rounded up when ``up`` (for a bound).

    >>> power_of_ten(5e-324), power_of_ten(3.21e-12, up=True), power_of_ten(1234.5)
    ('5.0 × 10⁻³²⁴', '3.3 × 10⁻¹²', '1,234')
    """
    x = float(x)
    if x == 0.0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        return _plain(x, up=up)
    m, n = _mantissa(abs(x), up=up)
    head = "" if m == 1 else f"{m} × "
    return f"{'-' if x < 0 else ''}{head}10{str(n).translate(_SUP)}"


def _plain(x: float, *, up: bool) -> str:
    """Three significant digits (two, rounded up, for a bound), without trailing zeros."""
    if not up:
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
    digits, exp = _decimal(x)
    q = Decimal(digits).scaleb(exp)
    step = Decimal(1).scaleb(q.adjusted() - 1)  # two significant digits
    r = q.quantize(step, rounding=ROUND_CEILING) if step < 1 else q.quantize(Decimal(1), rounding=ROUND_CEILING)
    return f"{r.normalize():f}"


def probability(p: float) -> str:
    """A probability bound, rounded up to two digits so that it stays a bound: '1', '0.043',
    '3.2 × 10⁻¹²', and '< 10⁻³⁰⁰' below 10⁻³⁰⁰ (where float64 has underflowed or lost its digits)."""
    p = float(p)
    if not math.isfinite(p):
        return "–"
    if p < FLOOR:
        return BELOW_FLOOR
    if p >= 1.0:
        return "1"
    return _plain(p, up=True) if p >= 1e-3 else power_of_ten(p, up=True)


def probability_words(p: float) -> str:
    """The same bound inside a sentence: 'at most 3.2 × 10⁻¹²', 'below 10⁻³⁰⁰'."""
    text = probability(p)
    if text == "–":
        return text
    return "below " + text[2:] if text.startswith("< ") else f"at most {text}"


def one_in(epsilon: float) -> str:
    """ε as '1 in 1,000,000'."""
    return f"1 in {round(1.0 / float(epsilon)):,}"


def score(t: float) -> str:
    return "–" if not math.isfinite(float(t)) else f"{float(t):.2f}"


def size(n: int | None) -> str:
    """A file size as '48,213 bytes'; 'not recorded' for copies made before sizes were kept."""
    return "not recorded" if n is None else f"{int(n):,} byte{'s' if int(n) != 1 else ''}"


def percent(x: float) -> str:
    return f"{100.0 * float(x):.0f} %"


def day(when: datetime) -> str:
    """'4 March 2025'."""
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def moment(when: datetime) -> str:
    """'17 April 2025, 14:03:22 UTC+02:00' (the time zone it was recorded in)."""
    off = when.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    zone = "UTC" if minutes == 0 else f"UTC{'+' if minutes > 0 else '−'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{day(when)}, {when:%H:%M:%S} {zone}"


#: What each of :mod:`leaktrace.core.verdict`'s statistics reads, as the report says it.
STATISTICS = {
    "luminance": "the fingerprint in the grey levels",
    "geometric": "where the lines are, read from the grey levels",
    "outline": "where the lines are, read from the outlines of the strokes",
    "combined": "the grey levels and the line positions together",
    "words": "where each word sits on its line",
    "geometric+words": "the line positions and the words together",
}


def statistic(name: str | None) -> str:
    """What the statistic ``name`` read, in words ("" for none).

    >>> statistic("words")
    'where each word sits on its line'
    """
    return STATISTICS.get(name or "", name or "")


def count(n: int) -> str:
    """A small count in words, as a sentence says it ("four"); digits from 13.

    >>> count(4), count(13)
    ('four', '13')
    """
    small = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    return small[n] if 0 <= n < len(small) else str(n)


def names(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
