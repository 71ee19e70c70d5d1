"""custody: ISO 8601 dates and times read to UTC, the future refused, URLs and references kept as typed, control characters refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from leaktrace.errors import BadInput
from leaktrace.records import Custody
from leaktrace.services import custody

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, stored",
    [
        ("2027-01-05", "2027-01-05T00:00:00+00:00"),  # a date alone: that day, from 00:00 UTC
        ("20270105", "2027-01-05T00:00:00+00:00"),  # ISO 8601 basic format
        ("2027-01-05T14:30Z", "2027-01-05T14:30:00+00:00"),
        ("2027-01-05T14:30:15+01:00", "2027-01-05T13:30:15+00:00"),
        ("2027-01-05 14:30-05:30", "2027-01-05T20:00:00+00:00"),
        (" 2027-03-10T12:04:59+00:00 ", "2027-03-10T12:04:59+00:00"),  # 5 minutes of clock skew allowed
        ("2027-03-11", "2027-03-11T00:00:00+00:00"),  # already 11 March at UTC+14 (10 March 10:00 UTC)
    ],
)
def test_found_at_is_read_to_utc(text, stored):
    assert custody.parse(found_at=text, now=NOW) == Custody(found_at=stored)


def test_found_at_from_python_dates_and_datetimes():
    assert custody.parse(found_at=date(2027, 1, 5), now=NOW).found_at == "2027-01-05T00:00:00+00:00"
    when = datetime(2027, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert custody.parse(found_at=when, now=NOW).found_at == "2027-01-05T01:00:00+00:00"


@pytest.mark.parametrize(
    "value, words",
    [
        ("yesterday", "--found-at 'yesterday' is not an ISO 8601 date or date and time (e.g. 2027-01-05 or 2027-01-05T14:30+01:00)."),
        ("05/01/2027", "--found-at '05/01/2027' is not an ISO 8601 date"),
        ("2027-02-30", "--found-at '2027-02-30' is not an ISO 8601 date"),
        ("2027-01-05T14:30", "--found-at 2027-01-05T14:30 has no time zone; add Z (UTC) or an offset such as +01:00, or give a date alone."),
        (datetime(2027, 1, 5, 14, 30), "--found-at 2027-01-05T14:30:00 has no time zone"),
        ("2027-03-10T12:05:01Z", "--found-at 2027-03-10T12:05:01Z is in the future (it is now 2027-03-10T12:00Z)."),
        ("2027-03-10T13:30+01:00", "--found-at 2027-03-10T13:30+01:00 is in the future"),  # 12:30 UTC
        ("2027-03-12", "--found-at 2027-03-12 is in the future (today is 2027-03-10 UTC)."),
        ("0001-01-01T00:00+14:00", "--found-at 0001-01-01T00:00+14:00 is out of range."),
        ("9" * 500, "--found-at '" + "9" * 59 + "…' is not an ISO 8601 date"),  # the message stays short
        (20270105, "--found-at must be ISO 8601 text, a date or a datetime, not int."),
    ],
)
def test_bad_found_at_is_refused_in_one_line(value, words):
    with pytest.raises(BadInput) as caught:
        custody.parse(found_at=value, now=NOW)
    assert str(caught.value).startswith(words) and "\n" not in str(caught.value)
    assert caught.value.exit_code == 2 and caught.value.http_status == 400


def test_the_clock_is_the_real_one_by_default():
    assert custody.parse(found_at=datetime.now(UTC) + timedelta(minutes=1)) is not None
    with pytest.raises(BadInput, match="is in the future"):
        custody.parse(found_at=(datetime.now(UTC) + timedelta(minutes=10)).isoformat())


@pytest.mark.parametrize(
    "source",
    [
        "https://forum.example/t/bumper-leak/123?page=2#post-7",
        "HTTP://Example.COM",
        "file:///srv/evidence/2027-01-05/leak.jpg",
        "Telegram channel @carleaks, message 4512",  # a free reference
        "ipfs://bafy…",  # any other scheme is a reference, kept as typed (and never made a link)
        "https://x.example/p and its 3 reposts",  # a URL followed by words is a reference
        "x" * custody.SOURCE_MAX,
    ],
)
def test_sources_are_kept_as_typed(source):
    assert custody.parse(source_url=f"  {source} ", now=NOW) == Custody(source_url=source)


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("source_url", "https:///leak.jpg", "--source-url 'https:///leak.jpg' names no host."),
        ("source_url", "http://forum.example:99999/", "--source-url 'http://forum.example:99999/' is not a valid URL (Port out of range 0-65535)."),
        ("source_url", "file://", "--source-url 'file://' names no file."),
        ("source_url", "x" * 2001, "--source-url is 2,001 characters long; at most 2,000 are kept."),
        ("source_url", "https://a.example/\x00x", "--source-url holds a control character (U+0000) at position 19."),
        ("source_url", "https://a.example/\nhttps://b.example/", "--source-url holds a control character (U+000A) at position 19."),
        ("source_url", "https://a.example/\u202egpj.exe", "--source-url holds a control character (U+202E) at position 19."),
        ("captured_by", "J. Doe\tIT", "--captured-by holds a control character (U+0009) at position 7."),
        ("captured_by", "x" * 201, "--captured-by is 201 characters long; at most 200 are kept."),
        ("note", "ok\x1b[31m", "--note holds a control character (U+001B) at position 3."),
        ("note", "x" * 4001, "--note is 4,001 characters long; at most 4,000 are kept."),
    ],
)
def test_bad_text_is_refused_naming_the_field(field, value, words):
    with pytest.raises(BadInput) as caught:
        custody.parse(**{field: value}, now=NOW)
    assert str(caught.value) == words


def test_names_are_tidied_notes_keep_their_lines_blank_fields_are_not_given():
    c = custody.parse(captured_by="  Jane   Doe ", note=" seen at 09:12,\r\n\tsaved by browser ", source_url="", found_at="  ", now=NOW)
    assert c == Custody(None, None, "Jane Doe", "seen at 09:12,\n\tsaved by browser")
    assert custody.parse(source_url=" ", found_at="", captured_by=None, note="\n") is None
    assert custody.parse() is None
