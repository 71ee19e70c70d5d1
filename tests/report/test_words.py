"""_words: numbers, dates and lists as a reader outside engineering reads them (plain text, Unicode powers)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from leaktrace.report import _words as w


@pytest.mark.parametrize(
    "x, text",
    [
        (0.0, "0"),
        (1e-3, "0.001"),
        (0.25, "0.25"),
        (42.0, "42"),
        (1e-6, "10⁻⁶"),
        (3.2e-12, "3.2 × 10⁻¹²"),
        (9.94e-5, "9.9 × 10⁻⁵"),
        (9.96e-7, "10⁻⁶"),  # the mantissa rounds up to 10: one power more
        (1.04e-8, "10⁻⁸"),
        (2.5e5, "2.5 × 10⁵"),
        (1e4, "10⁴"),
        (1e-300, "10⁻³⁰⁰"),
        (5e-324, "5.0 × 10⁻³²⁴"),  # the smallest subnormal: no division by 10.0**-324 (which is 0.0)
        (1234.5, "1,234"),
    ],
)
def test_power_of_ten(x, text):
    assert w.power_of_ten(x) == text


@pytest.mark.parametrize(
    "p, text",
    [
        (1.0, "1"),
        (2.0, "1"),  # a bound above 1 says nothing more than 1
        (0.5, "0.5"),
        (0.0421, "0.043"),  # a bound is rounded up, never down
        (0.0011, "0.0011"),
        (0.9991, "1"),
        (1e-3, "0.001"),
        (3.2e-12, "3.2 × 10⁻¹²"),
        (3.21e-12, "3.3 × 10⁻¹²"),
        (1.1e-300, "1.1 × 10⁻³⁰⁰"),
        (9e-301, "< 10⁻³⁰⁰"),
        (1.5e-323, "< 10⁻³⁰⁰"),  # subnormal: float64 has lost its digits
        (5e-324, "< 10⁻³⁰⁰"),
        (0.0, "< 10⁻³⁰⁰"),  # exp(−T²/2) underflowed: never "0"
        (-1e-9, "< 10⁻³⁰⁰"),
        (math.nan, "–"),
        (math.inf, "–"),
    ],
)
def test_probability(p, text):
    assert w.probability(p) == text


def test_probability_of_a_score_recovers_the_bound():
    """T = 8 gives exp(−32) = 1.27 × 10⁻¹⁴; T = 5.2565 gives 1.00001 × 10⁻⁶, printed rounded up; T = 5.2566 just under 10⁻⁶."""
    assert w.probability(math.exp(-(8.0**2) / 2)) == "1.3 × 10⁻¹⁴"
    assert w.probability(math.exp(-(5.2565**2) / 2)) == "1.1 × 10⁻⁶"
    assert w.probability(math.exp(-(5.2566**2) / 2)) == "10⁻⁶"


@pytest.mark.parametrize("t", [38.5, 38.6, 38.7, 40.0, 100.0])
def test_probability_of_a_score_whose_bound_underflows_never_reads_as_zero(t):
    """From T ≈ 38.6 exp(−T²/2) is subnormal, then 0.0: the report says "< 10⁻³⁰⁰" and never crashes."""
    p = math.exp(-(t**2) / 2)
    assert p < 1e-300
    assert w.probability(p) == "< 10⁻³⁰⁰" and w.probability_words(p) == "below 10⁻³⁰⁰"


def test_probability_in_words():
    assert w.probability_words(0.0421) == "at most 0.043"
    assert w.probability_words(3.2e-12) == "at most 3.2 × 10⁻¹²"
    assert w.probability_words(math.nan) == "–"


@pytest.mark.parametrize("eps, text", [(1e-6, "1 in 1,000,000"), (1e-3, "1 in 1,000"), (3e-7, "1 in 3,333,333"), (1e-9, "1 in 1,000,000,000")])
def test_one_in(eps, text):
    assert w.one_in(eps) == text


def test_scores_and_percentages():
    assert w.score(23.456) == "23.46" and w.score(-0.004) == "-0.00" and w.score(5) == "5.00"
    assert w.score(math.nan) == w.score(-math.inf) == "–"
    assert w.percent(0.934) == "93 %" and w.percent(1.0) == "100 %" and w.percent(0.004) == "0 %"


def test_days_and_moments_keep_their_time_zone():
    when = datetime(2025, 4, 17, 14, 3, 22, tzinfo=timezone(timedelta(hours=2)))
    assert w.day(when) == "17 April 2025"
    assert w.day(datetime(2025, 3, 4)) == "4 March 2025"
    assert [w.day(datetime(2025, m, 1)).split()[1] for m in range(1, 13)] == list(w._MONTHS)
    assert w.moment(when) == "17 April 2025, 14:03:22 UTC+02:00"
    assert w.moment(when.astimezone(UTC)) == "17 April 2025, 12:03:22 UTC"
    assert w.moment(datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone(-timedelta(hours=5, minutes=30)))) == "2 January 2025, 03:04:05 UTC−05:30"
    assert w.moment(datetime(2025, 1, 2, 3, 4, 5)) == "2 January 2025, 03:04:05 UTC"  # naive: shown as UTC


@pytest.mark.parametrize(
    "items, text",
    [
        ([], ""),
        (["Apex"], "Apex"),
        (["Apex", "Jansen BV"], "Apex and Jansen BV"),
        (["A", "B", "C"], "A, B and C"),
        (["A", "B", "C", "D"], "A, B, C and D"),
    ],
)
def test_names(items, text):
    assert w.names(items) == text


def test_every_alignment_method_is_explained():
    assert set(w.METHODS) == {"features", "full-frame", "search"}
    assert all(text and text == text.lower()[:1] + text[1:] and not text.endswith(".") for text in w.METHODS.values())


def test_sizes():
    assert w.size(48213) == "48,213 bytes" and w.size(1) == "1 byte" and w.size(None) == "not recorded"
