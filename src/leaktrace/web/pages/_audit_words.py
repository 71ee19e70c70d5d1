"""The audit log in the web's words: each action as a phrase, each entry's details as one short line,
and its subject as a link to the page that shows it.

The entry itself (its JSON details, its hash) stays on the page, under a ``<details>`` element:
these words are a reading aid, never the record. An action or a detail this module does not know
(one added later) is shown by its name and its values, never dropped.

>>> phrase("copy.download"), phrase("something.new")
('downloaded a copy', 'something new')
>>> summary("trace", {"accused": ["Apex"], "n_tests": 6, "asset_id": 2}, {})
'accused Apex · asset #2 · 6 tests'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["ACTION_WORDS", "link", "phrase", "summary"]

#: Each audit action as the log page says it.
ACTION_WORDS = {
    "workspace.init": "created the workspace",
    "asset.add": "registered an asset",
    "asset.edit": "edited an asset",
    "asset.archive": "archived an asset",
    "asset.restore": "restored an asset",
    "recipient.add": "added a recipient",
    "recipient.update": "changed a recipient",
    "recipient.remove": "removed a recipient",
    "recipient.edit": "edited a recipient",
    "recipient.archive": "archived a recipient",
    "recipient.restore": "restored a recipient",
    "group.create": "created a recipient group",
    "group.add": "added recipients to a group",
    "group.remove": "removed recipients from a group",
    "group.archive": "archived a recipient group",
    "share": "shared an asset",
    "copy.deliver": "handed over a copy",
    "copy.download": "downloaded a copy",
    "copy.regenerate": "made a copy again",
    "copy.discard": "discarded delivered copies",
    "blob.collect": "removed unused files",
    "trace": "traced a leak",
    "report": "issued a report",
    "case.open": "opened a case",
    "case.update": "updated a case",
    "login": "signed in",
    "login.failed": "failed to sign in",
    "logout": "signed out",
    "user.unlock": "unlocked a user",
    "key.export": "backed up the master key",
    "key.import": "restored the master key",
    "key.split": "split the master key",
    "checkpoint": "signed a checkpoint",
    "seal": "sealed a record",
    "user.add": "added a user",
    "user.update": "changed a user",
    "token.create": "created an API token",
    "token.revoke": "revoked an API token",
    "reminder.sent": "sent reminders of due actions",
    "invitation.create": "invited a recipient's user",
    "invitation.accept": "accepted an invitation",
    "invitation.cancel": "cancelled an invitation",
    "invitation.email": "e-mailed an invitation",
    "terms.accept": "accepted a share's terms",
    "portal.download": "downloaded a copy from the portal",
    "share.revoke": "revoked a share",
}


def phrase(action: str) -> str:
    """``action`` in words (an unknown one: its name, dots and underscores as spaces)."""
    return ACTION_WORDS.get(action) or action.replace(".", " ").replace("_", " ")


def link(subject_type: str | None, subject_id: str | None, *, users: bool = False) -> str | None:
    """The page that shows the entry's subject, or None (a key, a checkpoint; users for a non-admin)."""
    if not subject_type or not subject_id:
        return None
    ref = quote(f"#{subject_id}")
    pages = {
        "finding": f"/findings/{subject_id}",
        "case": f"/cases/{subject_id}",
        "asset": f"/assets?q={ref}",
        "recipient": f"/recipients?q={ref}",
        "share": f"/share?q={ref}",
    }
    if users:
        pages.update(user="/users", token="/users")
    return pages.get(subject_type) if subject_id.isdigit() else None


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        return text[:12] + "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names(ids: list[Any], names: Mapping[int, str]) -> str:
    shown = [names.get(i, f"#{i}") if isinstance(i, int) else str(i) for i in ids]
    return ", ".join(shown[:4]) + (f" and {len(shown) - 4} more" if len(shown) > 4 else "")


def _recipient(d: dict, names: Mapping[int, str]) -> str:
    rid = d.get("recipient_id")
    return f"for {names.get(rid, f'recipient #{rid}')}" if rid is not None else ""


def _copies(count: int) -> str:
    return f"{count} cop{'y' if count == 1 else 'ies'}"


def _quoted(text: Any) -> str:
    return f"“{_short(text)}”" if text else ""


def _members(d: dict) -> list[Any]:
    members = d.get("members")
    return list(members) if isinstance(members, (list, tuple)) else []


def _edits(d: dict) -> str:
    """A ``recipient.edit``'s fields, each ``field old → new``."""
    before, after = d.get("before"), d.get("after")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ""
    return "; ".join(f"{k} {_short(before.get(k) or '–', 30)} → {_short(v or '–', 30)}" for k, v in after.items())


def _field(d: dict, side: str, name: str) -> Any:
    """``d[side][name]`` when it is there (an ``asset.edit``'s title before or after)."""
    part = d.get(side)
    return part.get(name) if isinstance(part, dict) else None


def _ids(values: Any) -> str:
    return ", ".join(f"#{v}" for v in values) if isinstance(values, (list, tuple)) else ""


def _of_document(d: dict) -> str:
    return f"a page of document #{d['document_id']}" if d.get("document_id") else ""


def _changes(d: dict, names: Mapping[int, str]) -> str:
    out = []
    for c in d.get("changes", ()):
        if not isinstance(c, dict):
            continue
        field, old, new = (c.get("field") or c.get("kind") or "").replace("_", " "), c.get("old"), c.get("new")
        if c.get("kind") == "note":
            out.append(f"note {_quoted(new)}")
        elif old is None:
            out.append(f"{field} {_short(new)}")
        else:
            out.append(f"{field} {_short(old, 30)} → {_short(new, 30)}")
    return "; ".join(out)


_SUMMARIES: dict[str, Callable[[dict, Mapping[int, str]], list[str]]] = {
    "workspace.init": lambda d, n: [d.get("database", "")],
    "asset.add": lambda d, n: [
        _quoted(d.get("title")),
        d.get("filename", ""),
        f"PDF, {d['pages']} pages" if d.get("pages") else (f"{d['width']}×{d['height']}" if d.get("width") else ""),
    ],
    "asset.edit": lambda d, n: [f"title {_quoted(_field(d, 'before', 'title'))} → {_quoted(_field(d, 'after', 'title'))}"],
    "asset.archive": lambda d, n: [f"with its pages {_ids(d.get('pages'))}" if d.get("pages") else "", _of_document(d)],
    "asset.restore": lambda d, n: [f"with its pages {_ids(d.get('pages'))}" if d.get("pages") else "", _of_document(d)],
    "recipient.add": lambda d, n: [d.get("name", ""), d.get("org") or "", d.get("email") or ""],
    "recipient.edit": lambda d, n: [_edits(d)],
    "recipient.archive": lambda d, n: [d.get("name", ""), _quoted(d.get("reason"))],
    "recipient.restore": lambda d, n: [d.get("name", "")],
    "group.create": lambda d, n: [d.get("name", ""), f"members {_names(_members(d), n)}" if d.get("members") else ""],
    "group.add": lambda d, n: [d.get("name", ""), f"added {_names(_members(d), n)}"],
    "group.remove": lambda d, n: [d.get("name", ""), f"removed {_names(_members(d), n)}"],
    "group.archive": lambda d, n: [d.get("name", "")],
    "share": lambda d, n: [
        f"asset #{d.get('asset_id')}",
        f"to {_names([c.get('recipient_id') for c in d.get('copies', ()) if isinstance(c, dict)], n)}",
        _quoted(d.get("note")),
    ],
    "copy.deliver": lambda d, n: [_recipient(d, n), f"via {d['via']}" if d.get("via") else ""],
    "copy.download": lambda d, n: [
        _recipient(d, n),
        _quoted(d.get("reason")),
        f"the leak of finding #{d['finding_id']}" if d.get("finding_id") else "",
    ],
    "copy.regenerate": lambda d, n: [_recipient(d, n), _quoted(d.get("reason")), "" if d.get("matches", True) else "differs from the recorded copy"],
    "copy.discard": lambda d, n: [_copies(len(d.get("copies", ()))) + " removed from the store", d.get("reason", "")],
    "blob.collect": lambda d, n: [f"{d.get('count', 0)} files", f"{d.get('bytes', 0):,} bytes" if isinstance(d.get("bytes"), int) else ""],
    "trace": lambda d, n: [
        f"accused {', '.join(d['accused'])}" if d.get("accused") else "accused nobody",
        f"asset #{d['asset_id']}" if d.get("asset_id") else "no asset matched",
        f"{d['n_tests']} tests" if d.get("n_tests") else "",
    ],
    "report": lambda d, n: [str(d.get("format", "")).upper(), f"{d['bytes']:,} bytes" if isinstance(d.get("bytes"), int) else ""],
    "case.open": lambda d, n: [
        f"on finding #{d.get('finding_id')}",
        "responsible " + ", ".join(r.get("name", "?") for r in d.get("responsibles", ()) if isinstance(r, dict)) if d.get("responsibles") else "",
        f"NDA {d['nda']}" if d.get("nda") else "",
    ],
    "case.update": lambda d, n: [_changes(d, n)],
    "login": lambda d, n: [f"with a {d['via']}" if d.get("via") else ""],
    "login.failed": lambda d, n: [
        f"as {_quoted(d.get('name'))}",
        f"from {d['client']}" if d.get("client") else "",
        "account locked" if d.get("locked") else "",
    ],
    "logout": lambda d, n: [],
    "user.unlock": lambda d, n: [d.get("name", ""), f"after {d['failures']} failures" if d.get("failures") else ""],
    "user.add": lambda d, n: [d.get("name", ""), f"as {d['role']}" if d.get("role") else ""],
    "user.update": lambda d, n: [
        d.get("name", ""),
        *(f"{k} {v}" if k != "disabled" else ("disabled" if v else "enabled") for k, v in d.items() if k in ("role", "disabled", "password")),
    ],
    "token.create": lambda d, n: [_quoted(d.get("name")), f"for {d['user']}" if d.get("user") else "", _quoted(d.get("reason"))],
    "token.revoke": lambda d, n: [_quoted(d.get("name")), f"of {d['user']}" if d.get("user") else ""],
    "checkpoint": lambda d, n: [f"over {d['tree_size']} entries" if d.get("tree_size") else ""],
    "key.split": lambda d, n: [f"{d.get('shares')} shares, any {d.get('threshold')} restore it"],
    "reminder.sent": lambda d, n: [f"to {', '.join(map(str, d.get('to', ())))}", f"{len(d.get('actions', ()))} actions"],
    "invitation.create": lambda d, n: [
        _recipient(d, n),
        f"to {d['email']}" if d.get("email") else "",
        f"expires {str(d.get('expires_at', ''))[:10]}",
    ],
    "invitation.accept": lambda d, n: [f"user {d['user']}" if d.get("user") else "", _recipient(d, n)],
    "invitation.cancel": lambda d, n: [_recipient(d, n), f"to {d['email']}" if d.get("email") else ""],
    "invitation.email": lambda d, n: [f"to {d['to']}" if d.get("to") else ""],
    "terms.accept": lambda d, n: [f"share #{d.get('share_id')}", _recipient(d, n), f"by {d['user']}" if d.get("user") else ""],
    "portal.download": lambda d, n: [f"share #{d.get('share_id')}", _recipient(d, n), f"from {d['client']}" if d.get("client") else ""],
    "share.revoke": lambda d, n: ["every copy" if d.get("all") else f"the copies of {_names(list(d.get('recipients', ())), n)}"],
}

#: Details no summary repeats: hashes, and what the attribution adds (said once, at the end).
_QUIET = {"sha256", "copy_sha256", "leak_sha256", "regenerated_sha256", "evidence_digest", "root_hash", "key_id", "via_token", "token_minted_by"}


def summary(action: str, details: Any, recipients: Mapping[int, str]) -> str:
    """One short line of ``details`` (``recipients``: id → name, for those they name by id)."""
    if not isinstance(details, dict):
        return _short(details, 120)
    make = _SUMMARIES.get(action)
    if make is None:
        parts = [f"{k} {_short(v, 40)}" for k, v in details.items() if k not in _QUIET][:4]
    else:
        try:
            parts = make(details, recipients)
        except (TypeError, ValueError, KeyError, AttributeError):  # details of an older shape: their values as they are
            parts = [f"{k} {_short(v, 40)}" for k, v in details.items() if k not in _QUIET][:4]
    if details.get("token_minted_by"):
        parts.append(f"with a token minted by {details['token_minted_by']}")
    return " · ".join(str(p) for p in parts if p)
