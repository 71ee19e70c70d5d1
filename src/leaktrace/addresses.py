"""One e-mail address, as an invitation or a reminder is sent to it: ``name@example.com``, nothing more.

An invitation's address becomes a message's ``To`` header and the audit log's "to whom". A
text such as ``a@x.example, b@evil.example`` or ``Buyer <buyer@evil.example>`` is read by mail
software as other or more recipients than the one shown, so :func:`checked_address` accepts a
bare address only (RFC 5322 ``addr-spec``, parsed by :class:`email.headerregistry.Address`) and
refuses display names, lists, comments, quoting and IP-literal domains in one line.

>>> checked_address("  Buyer@ApexPlastics.example ")
'Buyer@ApexPlastics.example'
>>> checked_address("a@x.example, b@evil.example")
Traceback (most recent call last):
...
leaktrace.errors.BadInput: 'a@x.example, b@evil.example' is not one e-mail address (name@example.com): no display name, list, comment or quotes.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address

from leaktrace.errors import BadInput

__all__ = ["MAX_ADDRESS", "checked_address"]

#: Longest address (RFC 5321: 64-octet local part, @, 255-octet domain).
MAX_ADDRESS = 320

_FORBIDDEN = re.compile(r'[\s,;<>()"\[\]\\:]|[\x00-\x1f\x7f]')
_DOMAIN = re.compile(r"^(?=.{1,255}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def checked_address(text: str) -> str:
    """``text`` stripped, if it is one bare e-mail address; else :class:`BadInput` (one line)."""
    address = text.strip()
    problem = f"{address!r} is not one e-mail address (name@example.com): no display name, list, comment or quotes."
    if not address or len(address) > MAX_ADDRESS or _FORBIDDEN.search(address) or address.count("@") != 1:
        raise BadInput(problem)
    local, domain = address.split("@")
    if not local or len(local.encode("utf-8")) > 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        raise BadInput(problem)
    if not _DOMAIN.match(domain):
        raise BadInput(problem)
    try:
        parsed = Address(addr_spec=address)
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise BadInput(problem) from exc
    if parsed.addr_spec != address:
        raise BadInput(problem)
    return address
