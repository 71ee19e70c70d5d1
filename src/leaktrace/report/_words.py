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
'less than 10⁻³⁰⁰'
"""

from __future__ import annotations

import math
from datetime import datetime

_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")

#: How each alignment method is explained.
METHODS = {
    "features": "matched by distinctive points (corners, line ends) found in both images",
    "full-frame": "the leak is the whole original, resized",
    "search": "found by searching the original for the leak at every scale",
}


def power_of_ten(x: float) -> str:
    """``x`` ≥ 0 as 'm × 10ⁿ' (or plain for ordinary sizes)."""
    if x == 0.0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.3g}"
    exp = math.floor(math.log10(abs(x)))
    mant = x / 10.0**exp
    if round(mant, 1) >= 10.0:
        mant, exp = mant / 10.0, exp + 1
    head = "" if round(mant, 1) == 1.0 else f"{mant:.1f} × "
    return f"{head}10{str(exp).translate(_SUP)}"


def probability(p: float) -> str:
    """A probability bound: '1', '0.042', '3.2 × 10⁻¹²', 'less than 10⁻³⁰⁰' (an underflow)."""
    p = float(p)
    if not math.isfinite(p):
        return "–"
    if p <= 0.0:
        return "less than 10" + "-300".translate(_SUP)
    if p >= 1.0:
        return "1"
    return f"{p:.2g}" if p >= 1e-3 else power_of_ten(p)


def one_in(epsilon: float) -> str:
    """ε as '1 in 1,000,000'."""
    return f"1 in {round(1.0 / float(epsilon)):,}"


def score(t: float) -> str:
    return "–" if not math.isfinite(float(t)) else f"{float(t):.2f}"


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


def names(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
