"""Money as a contract states it: an ISO 4217 currency and an exact amount in its minor units.

A penalty of "250.000,00 EUR" is 25,000,000 cents; it must never become 250 EUR because a
parser took the dot for a decimal point. :func:`parse_amount` reads the ways people write
amounts (``250000``, ``250,000.00``, ``250.000,00``, ``250 000``, ``250'000.50``) and refuses,
in one line, anything it could read two ways (``250.000``, ``1,5,0``) or that has more decimals
than the currency has (``10.5 JPY``). A currency without decimals has no decimal mark to mistake,
so ``100,000 JPY`` and ``100.000 JPY`` are both one hundred thousand yen.

>>> parse_amount("250.000,00", "EUR"), parse_amount("250,000.00", "EUR"), parse_amount("250000", "EUR")
(25000000, 25000000, 25000000)
>>> format_amount(25000000, "EUR")
'250,000.00 EUR'
>>> parse_amount("12.5", "KWD")  # a dinar has 1,000 fils
12500
>>> parse_amount("100,000", "JPY")
100000
"""

from __future__ import annotations

import re

from leaktrace.errors import BadInput

__all__ = ["CURRENCIES", "MAX_MINOR", "currency", "exponent", "format_amount", "parse_amount", "plain_amount"]

#: Active ISO 4217 codes (list one, 2024) → the number of decimals of their minor unit.
CURRENCIES: dict[str, int] = {
    **dict.fromkeys(
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW "
        "CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS "
        "INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN "
        "NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC "
        "SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG".split(),
        2,
    ),
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}

_SPACES = " '\u00a0\u202f_"  # spaces, apostrophes and underscores only ever group digits
#: The largest amount stored, in minor units: what a signed 64-bit column holds.
MAX_MINOR = 2**63 - 1


def currency(code: str) -> str:
    """``code`` as an ISO 4217 currency code (upper case), or a one-line refusal."""
    value = str(code).strip().upper()
    if value not in CURRENCIES:
        raise BadInput(f"currency {code!r} is not an ISO 4217 code such as EUR, USD, CNY or JPY.")
    return value


def exponent(code: str) -> int:
    """How many decimals the minor unit of ``code`` has (2 for EUR, 0 for JPY, 3 for KWD)."""
    return CURRENCIES[currency(code)]


def parse_amount(text: str, code: str) -> int:
    """The amount ``text`` in ``code`` as an exact integer of minor units (cents for EUR).

    Spaces, apostrophes and underscores group thousands. Of ``.`` and ``,``, the last is the
    decimal mark when both appear; when only one appears it groups thousands if it repeats,
    and is the decimal mark otherwise — except that a lone mark followed by exactly three
    digits reads two ways (``250.000``: 250 or 250,000?) and is refused, unless the currency
    has no decimals (then it can only group thousands). Groups of thousands have three
    digits; decimals may not outnumber the currency's; every refusal is one line that says
    how to write the amount instead.
    """
    places = exponent(code)
    raw = str(text).strip()
    body = raw.removeprefix("+")
    for mark in _SPACES:
        body = body.replace(mark, "'")
    if body.startswith("-"):
        raise BadInput(f"penalty amount {raw!r} is negative.")
    if not re.fullmatch(r"[0-9][0-9.,']*", body) or not body[-1].isdigit():
        raise BadInput(f"penalty amount {raw!r} is not a number.")
    whole, fraction = body, ""
    decimal = _decimal_mark(body, raw, currency(code))
    if decimal is not None:
        whole, _, fraction = body.rpartition(decimal)
        if not fraction.isdigit():
            raise BadInput(f"penalty amount {raw!r} is not a number.")
    if len(fraction) > places:
        raise BadInput(f"penalty amount {raw!r} has {_decimals(len(fraction))}; {currency(code)} has {_decimals(places)}.")
    groups = re.split(r"[.,']", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        digits = "".join(groups) + (f".{fraction}" if fraction else "")
        raise BadInput(f"penalty amount {raw!r} groups its digits oddly; write it as digits only, e.g. {digits}.")
    minor = int("".join(groups)) * 10**places + int(fraction.ljust(places, "0") or "0")
    if minor > MAX_MINOR:
        raise BadInput(f"penalty amount {raw!r} is too large to store (at most {format_amount(MAX_MINOR, code)}).")
    return minor


def _decimals(n: int) -> str:
    return "no decimals" if n == 0 else f"{n} decimal place{'s' if n != 1 else ''}"


def _written(minor: int, places: int) -> str:
    """``minor`` units written so that :func:`parse_amount` reads them one way only: thousands
    grouped with ``,`` and decimals after ``.`` (``1,234.00``). A whole part under 1,000 with
    exactly three decimals (``1.234``) would read two ways, so it gets a zero group (``0,001.234``)."""
    whole, fraction = divmod(minor, 10**places)
    text = f"{whole:,}" + (f".{fraction:0{places}d}" if places else "")
    if places == 3 and whole < 1000:
        text = f"0,{whole:03d}.{fraction:03d}" if fraction else str(whole)
    return text


def _decimal_mark(body: str, raw: str, code: str) -> str | None:
    """Which of ``.`` and ``,`` is the decimal mark in ``body`` (None: there are no decimals)."""
    places = CURRENCIES[code]
    marks = [m for m in ".," if m in body]
    if len(marks) == 2:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        if body.count(decimal) > 1:
            raise BadInput(f"penalty amount {raw!r} is not a number.")
        return decimal
    if not marks:
        return None
    mark = marks[0]
    if body.count(mark) > 1:
        return None
    head, tail = body.split(mark)
    if len(tail) == 3 and places == 0:
        return None  # no decimals in this currency: the mark can only group thousands
    if len(tail) == 3 and len(head) <= 3 and "'" not in body and head.strip("0"):  # 1.234 could be 1,234
        plain = int(head + tail)
        big = _written(plain * 10**places, places)
        ways = f"({plain:,} or {int(head):,}.{tail})"
        if places >= 3 or tail.endswith("0"):  # the smaller reading is an amount this currency has
            small = _written(int(head) * 10**places + int(tail.ljust(places, "0")[:places]), places)
            raise BadInput(f"penalty amount {raw!r} reads two ways {ways}: write {big} or {small}.")
        raise BadInput(f"penalty amount {raw!r} reads two ways {ways}: write {big} if you mean {plain:,} ({code} has {_decimals(places)}).")
    return mark


def plain_amount(minor: int, code: str) -> str:
    """``minor`` units of ``code`` as a plain exact decimal, e.g. ``'250000.00'``."""
    places = exponent(code)
    sign, (whole, fraction) = "-" if minor < 0 else "", divmod(abs(minor), 10**places)
    return f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}"


def format_amount(minor: int, code: str) -> str:
    """``minor`` units of ``code`` for people: thousands grouped, the currency's decimals, the code."""
    places, code = exponent(code), currency(code)
    sign, (whole, fraction) = "-" if minor < 0 else "", divmod(abs(minor), 10**places)
    return f"{sign}{whole:,}.{fraction:0{places}d} {code}" if places else f"{sign}{whole:,} {code}"
