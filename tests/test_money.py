"""money: amounts read the ways people write them, exactly, in minor units; anything that reads two
ways, has more decimals than its currency, or names no ISO 4217 currency is refused in one line."""

from __future__ import annotations

import pytest

from leaktrace import money
from leaktrace.errors import BadInput


@pytest.mark.parametrize(
    ("text", "code", "minor"),
    [
        # the three forms: 250,000 euros, never 250
        ("250.000,00", "EUR", 25_000_000),
        ("250,000.00", "EUR", 25_000_000),
        ("250000", "EUR", 25_000_000),
        # digits grouped by spaces, apostrophes, no-break spaces, underscores
        ("250 000", "EUR", 25_000_000),
        ("250 000,50", "EUR", 25_000_050),
        ("250'000.50", "CHF", 25_000_050),
        ("1\u00a0000\u202f000", "EUR", 100_000_000),
        ("1_000_000", "CNY", 100_000_000),
        ("1.000.000", "EUR", 100_000_000),  # a repeated mark only ever groups
        ("1,000,000", "USD", 100_000_000),
        ("1.000.000,5", "EUR", 100_000_050),
        ("12,345,678.9", "USD", 1_234_567_890),
        # a lone mark with one, two or more than three digits after it is the decimal mark
        ("1,5", "EUR", 150),
        ("1.50", "EUR", 150),
        ("1234.500", "KWD", 1_234_500),  # 1234 cannot be a group of thousands' head
        ("0.500", "KWD", 500),  # neither can 0
        (" +42 ", "EUR", 4_200),
        ("0", "EUR", 0),
        # currencies without decimals: a mark can only group thousands
        ("100,000", "JPY", 100_000),
        ("100.000", "JPY", 100_000),
        ("1234", "jpy", 1_234),
        # three decimals (fils)
        ("12.5", "KWD", 12_500),
        ("1,000.000", "KWD", 1_000_000),
        ("1.000,250", "BHD", 1_000_250),
        ("0,001.234", "KWD", 1_234),  # the unambiguous way to write 1.234 dinars
        ("1,234.0", "CLF", 12_340_000),  # four
    ],
)
def test_amounts_are_read_exactly(text, code, minor):
    assert money.parse_amount(text, code) == minor


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("250.000", "EUR", "penalty amount '250.000' reads two ways (250,000 or 250.000): write 250,000.00 or 250.00."),
        ("250,000", "EUR", "penalty amount '250,000' reads two ways (250,000 or 250.000): write 250,000.00 or 250.00."),
        ("1.234", "EUR", "penalty amount '1.234' reads two ways (1,234 or 1.234): write 1,234.00 if you mean 1,234 (EUR has 2 decimal places)."),
        ("1.234", "KWD", "penalty amount '1.234' reads two ways (1,234 or 1.234): write 1,234.000 or 0,001.234."),
        ("1.000", "KWD", "penalty amount '1.000' reads two ways (1,000 or 1.000): write 1,000.000 or 1."),
        ("10.5", "JPY", "penalty amount '10.5' has 1 decimal place; JPY has no decimals."),
        ("1,000.5", "JPY", "penalty amount '1,000.5' has 1 decimal place; JPY has no decimals."),
        ("12.3456", "KWD", "penalty amount '12.3456' has 4 decimal places; KWD has 3 decimal places."),
        ("0.125", "EUR", "penalty amount '0.125' has 3 decimal places; EUR has 2 decimal places."),
        ("1,5,0", "EUR", "penalty amount '1,5,0' groups its digits oddly; write it as digits only, e.g. 150."),
        ("12,34.56", "EUR", "penalty amount '12,34.56' groups its digits oddly; write it as digits only, e.g. 1234.56."),
        ("1 2345", "EUR", "penalty amount '1 2345' groups its digits oddly; write it as digits only, e.g. 12345."),
        ("1.234,5,6", "EUR", "penalty amount '1.234,5,6' is not a number."),
        ("-5", "EUR", "penalty amount '-5' is negative."),
        ("lots", "EUR", "penalty amount 'lots' is not a number."),
        ("1e6", "EUR", "penalty amount '1e6' is not a number."),
        ("5.", "EUR", "penalty amount '5.' is not a number."),
        (".5", "EUR", "penalty amount '.5' is not a number."),
        ("", "EUR", "penalty amount '' is not a number."),
        ("\u0661\u0662", "EUR", "penalty amount '\u0661\u0662' is not a number."),  # Arabic-Indic digits: ASCII only
        ("10" * 12, "EUR", "penalty amount '101010101010101010101010' is too large to store (at most 92,233,720,368,547,758.07 EUR)."),
        ("100", "euro", "currency 'euro' is not an ISO 4217 code such as EUR, USD, CNY or JPY."),
        ("100", "XXX", "currency 'XXX' is not an ISO 4217 code such as EUR, USD, CNY or JPY."),
    ],
)
def test_refusals_are_one_line_and_say_what_to_write(text, code, message):
    with pytest.raises(BadInput) as refused:
        money.parse_amount(text, code)
    assert str(refused.value) == message and "\n" not in message


@pytest.mark.parametrize("code", sorted(money.CURRENCIES))
def test_every_suggestion_reads_back_one_way(code):
    """What a refusal suggests writing is read as the amount it names, in every currency."""
    places = money.exponent(code)
    for minor in (0, 1, 1_234, 250_000 * 10**places, 1_234_567):
        written = money._written(minor, places)
        assert money.parse_amount(written, code) == minor, written


def test_plain_and_display_forms():
    assert money.plain_amount(25_000_000, "EUR") == "250000.00" and money.format_amount(25_000_000, "eur") == "250,000.00 EUR"
    assert money.plain_amount(100_000, "JPY") == "100000" and money.format_amount(100_000, "JPY") == "100,000 JPY"
    assert money.plain_amount(1_234, "KWD") == "1.234" and money.format_amount(5, "KWD") == "0.005 KWD"
    assert money.plain_amount(-5, "EUR") == "-0.05" and money.format_amount(-123_456, "EUR") == "-1,234.56 EUR"
    for code in ("EUR", "JPY", "CLF"):  # the plain form reads back (with three decimals it may read two ways: 1.234 KWD)
        for minor in (0, 7, 25_000_000, money.MAX_MINOR):
            assert money.parse_amount(money.plain_amount(minor, code), code) == minor


def test_currencies():
    assert money.currency(" cny ") == "CNY" and money.exponent("JPY") == 0 and money.exponent("KWD") == 3 and money.exponent("EUR") == 2
    assert len(money.CURRENCIES) > 150 and all(len(c) == 3 and c.isupper() for c in money.CURRENCIES)
