"""An invitation or reminder goes to one bare address: lists, display names and header tricks are refused."""

from __future__ import annotations

import pytest

from leaktrace.addresses import checked_address
from leaktrace.errors import BadInput


@pytest.mark.parametrize("text", ["buyer@apexplastics.example", "a+tag@sub.x-y.org", "O'Brien@example.co.uk", " padded@example.com \n"])
def test_a_bare_address_is_kept_stripped(text):
    assert checked_address(text) == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "a,b@c.example",  # a list: mail software sends to both
        "a@x.example, b@evil.example",
        "x<y@evil.example>",  # a display name hides the real recipient
        "Buyer <buyer@evil.example>",
        '"a b"@x.example',
        "(comment)a@x.example",
        "a@x.example\nBcc: e@evil.example",  # header injection
        "a@x.example;b@y.example",
        "a@[192.0.2.1]",
        "a@localhost",
        "a@b.c",
        "a..b@x.example",
        ".a@x.example",
        "a@-x.example",
        "@x.example",
        "a@",
        "",
        "a" * 65 + "@x.example",
        "a@" + "b" * 320 + ".example",
    ],
)
def test_anything_else_is_refused_in_one_line(text):
    with pytest.raises(BadInput) as refused:
        checked_address(text)
    assert "\n" not in str(refused.value).replace("\\n", "")
