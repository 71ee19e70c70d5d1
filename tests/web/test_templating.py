"""templating: the pages' Jinja2 environment (package templates, filters for times, p-values, numbers, audit details)."""

from __future__ import annotations

import math

import pytest
from fastapi.templating import Jinja2Templates

from leaktrace.web import templating as t


@pytest.mark.parametrize(
    "value, text",
    [
        ("2025-04-17T14:03:22.123456+00:00", "2025-04-17 14:03 UTC"),
        ("2025-04-17T14:03", "2025-04-17 14:03 UTC"),
        ("", ""),
        (None, ""),
    ],
)
def test_when(value, text):
    assert t._when(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (None, "–"),
        (0.0, "< 1e-300"),
        (-1.0, "< 1e-300"),
        (1.6e-44, "1.6e-44"),
        (0.00999, "1.0e-02"),
        (0.01, "0.010"),
        (0.5, "0.500"),
        (1.0, "1.000"),
    ],
)
def test_pvalue(value, text):
    assert t._pvalue(value) == text


@pytest.mark.parametrize(
    "value, digits, text",
    [
        (None, 2, "–"),
        (math.nan, 2, "–"),
        (math.inf, 2, "–"),
        (23.456, 2, "23.46"),
        (23.456, 0, "23"),
        (7, 3, "7.000"),
    ],
)
def test_number(value, digits, text):
    assert t._number(value, digits) == text


def test_details_shorten_hashes_and_long_values():
    sha = "ab" * 32
    pairs = t._details({"sha256": sha, "copies": [{"recipient_id": 1, "sha256": sha}], "note": "Größe", "n": 3, "x": None})
    assert pairs == [
        ("sha256", "abababababab…"),
        ("copies", '[{"recipient_id": 1, "sha256": "abababababab…"}]'),
        ("note", "Größe"),
        ("n", "3"),
        ("x", "null"),
    ]
    ((key, text),) = t._details({"note": "x" * 500})
    assert key == "note" and len(text) == 240 and text.endswith("…")
    assert t._details({"note": "y" * 240}) == [("note", "y" * 240)]
    assert t._details("raw " + sha) == [("", "raw abababababab…")]  # details no longer JSON: shown as stored
    assert t._details({"id": "A" * 64}) == [("id", "A" * 64)]  # only lower-case SHA-256 digests are shortened


def test_make_registers_filters_and_globals():
    templates = t.make(Jinja2Templates)
    env = templates.env
    assert {"when", "pvalue", "number", "details"} <= set(env.filters)
    assert {"csrf_token", "CSRF_FIELD", "can"} <= set(env.globals) and env.globals["CSRF_FIELD"] == "csrf_token"
    for name in ("login.html", "dashboard.html", "finding.html", "error.html", "users.html"):
        assert env.get_template(name) is not None
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"  # escaped
    rendered = env.from_string("{{ v | pvalue }} {{ w | when }} {{ n | number(1) }}").render(v=1e-9, w="2025-01-02T03:04:05", n=2.26)
    assert rendered == "1.0e-09 2025-01-02 03:04 UTC 2.3"
