"""The leak's chain of custody: where and when it was found, who captured it, a note.

An analyst gives these at trace time (``trace --source-url --found-at --captured-by
--note``, the web form, the REST body); :func:`parse` checks them once, for every interface,
and the finding stores them in the same transaction as its ``trace`` audit entry, so they
are sealed with it.

- ``found_at`` is an ISO 8601 date or date and time. A date alone means that day and is
  stored as 00:00 UTC of it; a time needs its zone (``Z`` or an offset such as ``+01:00``):
  a time without one is refused, since the record must not depend on the clock of whoever
  reads it. It is stored in UTC and may not lie in the future (a few minutes of clock skew
  allowed; a date, not before that day has begun somewhere on Earth).
- ``source_url`` is an ``http(s)://`` or ``file://`` URL, or a free reference ("Telegram
  channel @x, message 123") of at most 2,000 characters.
- ``captured_by`` is a name of at most 200 characters; ``note`` at most 4,000.

No field may hold control characters (a note may hold line breaks and tabs) nor the
Unicode controls that reorder text on screen.

>>> c = parse(found_at="2027-01-05T14:30+01:00", captured_by="  J.  Doe ", now=datetime(2027, 2, 1, tzinfo=UTC))
>>> c.found_at, c.captured_by, c.source_url
('2027-01-05T13:30:00+00:00', 'J. Doe', None)
>>> parse() is None
True
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

from leaktrace.errors import BadInput
from leaktrace.records import Custody

SOURCE_MAX = 2000  # characters of source_url
CAPTURED_BY_MAX = 200  # characters of captured_by (the column's size)
NOTE_MAX = 4000  # characters of the custody note
CLOCK_SKEW = timedelta(minutes=5)  # how far in the future found_at may lie
URL_SCHEMES = ("http", "https", "file")  # a source with one of these is checked as a URL

_EARLIEST_ZONE = timezone(timedelta(hours=14))  # where a calendar day begins first
_REORDERING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def parse(
    *,
    source_url: str | None = None,
    found_at: str | date | datetime | None = None,
    captured_by: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Custody | None:
    """The checked custody record of these fields (blank ones count as not given); None when none
    is given. Raises :class:`~leaktrace.errors.BadInput`, one line naming the field, otherwise."""
    source = _text(source_url, "--source-url", SOURCE_MAX)
    if source is not None:
        _check_url(source)
    found = None if _blank(found_at) else found_at_utc(found_at, now=now).isoformat()
    who = _text(captured_by, "--captured-by", CAPTURED_BY_MAX)
    who = None if who is None else " ".join(who.split())
    text = _text(note, "--note", NOTE_MAX, breaks=True)
    if source is found is who is text is None:
        return None
    return Custody(source, found, who, text)


def found_at_utc(value: str | date | datetime, *, now: datetime | None = None) -> datetime:
    """``value`` (ISO 8601 text, a date, or a timezone-aware datetime) as a UTC datetime; a date
    is 00:00 UTC of that day. Refuses garbage, a time without a zone, and the future."""
    if not isinstance(value, (str, date)):
        raise BadInput(f"--found-at must be ISO 8601 text, a date or a datetime, not {type(value).__name__}.")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    shown = value.strip() if isinstance(value, str) else value.isoformat()
    shown = shown if len(shown) <= 60 else shown[:59] + "…"
    if isinstance(value, str):
        value = _iso(value.strip(), shown)
    if not isinstance(value, datetime):  # a date: that day
        start = datetime.combine(value, time(), _EARLIEST_ZONE)
        if start > now + CLOCK_SKEW:
            raise BadInput(f"--found-at {shown} is in the future (today is {now.date().isoformat()} UTC).")
        return datetime.combine(value, time(), UTC)
    if value.utcoffset() is None:
        raise BadInput(f"--found-at {shown} has no time zone; add Z (UTC) or an offset such as +01:00, or give a date alone.")
    try:
        found = value.astimezone(UTC)
    except OverflowError:
        raise BadInput(f"--found-at {shown} is out of range.") from None
    if found > now + CLOCK_SKEW:
        raise BadInput(f"--found-at {shown} is in the future (it is now {now:%Y-%m-%dT%H:%M}Z).")
    return found


def _iso(text: str, shown: str) -> date | datetime:
    """ISO 8601 text as a date (when it is a date alone) or a datetime (naive if it has no zone)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--found-at {shown!r} is not an ISO 8601 date or date and time (e.g. 2027-01-05 or 2027-01-05T14:30+01:00).") from None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: str | None, option: str, limit: int, *, breaks: bool = False) -> str | None:
    """``value`` stripped (None when blank), refused when too long or holding a control character."""
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise BadInput(f"{option} must be text, not {type(value).__name__}.")
    text = value.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise BadInput(f"{option} is {len(text):,} characters long; at most {limit:,} are kept.")
    for i, ch in enumerate(text):
        allowed = breaks and ch in "\n\t"
        if not allowed and (unicodedata.category(ch) == "Cc" or ch in _REORDERING):
            raise BadInput(f"{option} holds a control character (U+{ord(ch):04X}) at position {i + 1}.")
    return text


def _check_url(source: str) -> None:
    """An ``http(s)``/``file`` URL must name its host (http) or its path (file); any other text is a free reference."""
    scheme, sep, _ = source.partition("://")
    if not sep or scheme.lower() not in URL_SCHEMES or any(ch.isspace() for ch in source):
        return  # a free reference (a URL followed by words is one too)
    try:
        parts = urlsplit(source)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        raise BadInput(f"--source-url {source!r} is not a valid URL ({exc}).") from None
    if parts.scheme in ("http", "https") and not parts.hostname:
        raise BadInput(f"--source-url {source!r} names no host.")
    if parts.scheme == "file" and not parts.path:
        raise BadInput(f"--source-url {source!r} names no file.")
