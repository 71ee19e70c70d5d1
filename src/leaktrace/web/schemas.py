"""Pydantic shapes of the REST API: ``XPublic`` (one), ``XsPublic`` (a list), ``XCreate`` (a request).

Answers are generated from the records: a record's fields are the keys of its JSON
document (:meth:`leaktrace.records.Record.to_dict`, which is also what the CLI's ``--json``
prints), so :func:`public` builds each ``XPublic`` from the record's dataclass fields, nested
records becoming models of their own. Routes return ``record.to_dict()`` and the model checks
it: a field the record gains is in the API and its schema at once, and a key the model does
not know fails loudly instead of vanishing. Lists are ``{"data": [...], "count": N}``.

Requests (``XCreate``, ``XUpdate``) are written here by hand: they are what a client may
send, with their limits.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, create_model

from leaktrace import records

Role = Literal["admin", "analyst", "auditor"]
_OUT = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------ generated


def _model_type(tp: Any) -> Any:
    """``tp`` with every record type replaced by its public model (and ``tuple[X, ...]`` by ``list[X]``)."""
    if dataclasses.is_dataclass(tp):
        return public(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_model_type(a) for a in args)]  # noqa: UP007 (built at run time)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return list[_model_type(args[0])]
    if origin in (tuple, list) and args:
        return origin[tuple(_model_type(a) for a in args)] if origin is tuple else list[_model_type(args[0])]
    return tp


@functools.cache
def public(record: type, name: str | None = None) -> type[BaseModel]:
    """The response model of ``record``: one required field per dataclass field and per ``derived`` property."""
    hints = typing.get_type_hints(record)
    spec: dict[str, Any] = {f.name: (_model_type(hints[f.name]), ...) for f in dataclasses.fields(record)}
    for key in getattr(record, "derived", ()):
        spec[key] = (_model_type(typing.get_type_hints(getattr(record, key).fget)["return"]), ...)
    model = create_model(name or f"{record.__name__}Public", __config__=_OUT, **spec)
    if record.__doc__ and not record.__doc__.startswith(f"{record.__name__}("):  # not the dataclass's generated one
        model.__doc__ = record.__doc__
    return model


@functools.cache
def listing(model: type[BaseModel], name: str) -> type[BaseModel]:
    """``{"data": [model, ...], "count": N}``."""
    return create_model(name, __config__=_OUT, data=(list[model], ...), count=(int, ...))


def page(rows: list) -> dict:
    """The body of a list answer."""
    return {"data": [r.to_dict() for r in rows], "count": len(rows)}


# ------------------------------------------------------------------------------------ recipients
class RecipientCreate(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Apex Plastics GmbH"])
    email: str | None = Field(default=None, max_length=320)
    org: str | None = Field(default=None, max_length=200)


RecipientPublic = public(records.Recipient)
RecipientsPublic = listing(RecipientPublic, "RecipientsPublic")


class RecipientUpdate(_In):
    """What ``recipient edit`` changes (a field left out is kept; a blank e-mail or organisation clears it)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    org: str | None = Field(default=None, max_length=200)


class RecipientArchive(_In):
    reason: str = Field(min_length=1, max_length=2000, description="Why the recipient is archived; recorded in the audit log.")


GroupPublic = public(records.Group)
GroupsPublic = listing(GroupPublic, "GroupsPublic")


class GroupCreate(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Tender T-14 bidders"])
    description: str | None = Field(default=None, max_length=2000)
    members: list[str | int] = Field(default_factory=list, max_length=10_000, description="Recipient names or ids (recipients in use).")


class GroupMembers(_In):
    members: list[str | int] = Field(min_length=1, max_length=10_000, description="Recipient names or ids.")


# ------------------------------------------------------------------------------------ assets
AssetPublic = public(records.Asset)
AssetsPublic = listing(AssetPublic, "AssetsPublic")
AssetAdded = public(records.AssetAdded, "AssetAdded")  # one row of ``asset add --json``; ``path`` is the upload's name


class AssetUpdate(_In):
    """What ``asset edit`` changes: the title (the file and the fingerprints never change)."""

    title: str = Field(min_length=1, max_length=500)


# ------------------------------------------------------------------------------------ shares


class ShareCreate(_In):
    asset_id: int
    to: list[str] = Field(default_factory=list, max_length=10_000, description="Recipient names or ids ('all': every recipient in use).")
    groups: list[str] = Field(
        default_factory=list, max_length=1000, description="Recipient group names or ids: their members in use now, each recorded in the share."
    )
    note: str | None = Field(default=None, max_length=2000)


class PortalShareCreate(ShareCreate):
    """A share through the recipient portal: no file kept; each recipient's user accepts ``terms`` and downloads a copy made then."""

    terms: str | None = Field(default=None, max_length=20_000, description="The NDA reference or text accepted before the first download.")
    expires_days: float | None = Field(default=None, gt=0, le=3650, description="Days the copies can be downloaded (none: until revoked).")


class ShareRevoke(_In):
    recipients: list[str] = Field(default_factory=list, max_length=10_000, description="Recipient names or ids (none: every copy).")


class InvitationCreate(_In):
    email: str = Field(min_length=3, max_length=320, examples=["buyer@apex.example"])
    expires_days: float = Field(default=7, gt=0, le=90, description="Days the one-time link works.")


InvitationPublic = public(records.Invitation)
InvitationsPublic = listing(InvitationPublic, "InvitationsPublic")
ReceiptPublic = public(records.Receipt)
ReceiptsPublic = listing(ReceiptPublic, "ReceiptsPublic")


CopyPublic = public(records.Copy)
SharePublic = public(records.Share)
SharesPublic = listing(SharePublic, "SharesPublic")


class CopySent(public(records.Copy, "CopyRow")):  # type: ignore[misc]
    """One row of ``share --json`` (``path`` is the file's name) plus where to download the copy (``POST``, once)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def download(self) -> str:
        return f"/api/v1/copies/{self.sha256}"


class CopyRequest(_In):
    """A privileged act on one recorded copy: which share, whose copy, and why (required)."""

    share_id: int
    recipient: str = Field(min_length=1, max_length=200, description="Recipient name or id.")
    reason: str = Field(default="", max_length=2000, description="Why; recorded in the audit log (a blank reason is refused).")


# ------------------------------------------------------------------------------------ traces
#: The chain-of-custody fields of a trace (form fields of ``POST /api/v1/traces`` beside the
#: file; checked by ``services.custody``, a bad one is a 400 naming it).
TRACE_CUSTODY = {
    "source_url": "Where the leak was found: an http(s)/file URL or a free reference (at most 2,000 characters).",
    "found_at": "When it was found, ISO 8601: a date (2027-01-05, that day) or a time with its zone (2027-01-05T14:30+01:00); not in the future.",
    "captured_by": "Who captured the leak file (at most 200 characters).",
    "note": "A note on the leak's custody (at most 4,000 characters).",
}

# ------------------------------------------------------------------------------------ findings
FindingPublic = public(records.Finding, "FindingPublic")  # a trace's answer and a stored finding: one record
FindingsPublic = listing(FindingPublic, "FindingsPublic")

# ------------------------------------------------------------------------------------ cases


_OVERRIDE = "Written reason to hold responsible, or penalise, a recipient the finding does not accuse (on the timeline and in the audit log)."


class CaseCreate(_In):
    finding_id: int
    responsible: str | list[str] | None = Field(
        default=None, description="Recipient name or id, or a list of them (colluders), held responsible (default: every recipient accused)."
    )
    nda: str | None = Field(default=None, max_length=200, description="The NDA the recipient signed.")
    override_reason: str | None = Field(default=None, max_length=2000, description=_OVERRIDE)


class CaseUpdate(_In):
    """Fields of ``case update``; every field left out stays as it is."""

    status: Literal["open", "notified", "penalty_applied", "remediation", "closed"] | None = None
    responsible: str | None = Field(default=None, description="Recipient name or id: the only responsible recipient from now on.")
    add_responsible: list[str] | None = Field(default=None, description="Recipients (names or ids) also held responsible.")
    remove_responsible: list[str] | None = Field(default=None, description="Recipients (names or ids) no longer held responsible.")
    nda: str | None = Field(default=None, max_length=200)
    penalty_amount: str | None = Field(
        default=None, max_length=32, description="Exact amount: '250000', '250,000.00' or '250.000,00' (an ambiguous '250.000' is refused)."
    )
    penalty_currency: str | None = Field(default=None, max_length=3, description="ISO 4217 code, e.g. EUR (may come before the amount).")
    add_action: str | None = Field(default=None, max_length=2000, description="A remediation step to add.")
    due: str | None = Field(default=None, description="Due date of the added step, YYYY-MM-DD.")
    action_done: int | None = Field(default=None, description="Id of a remediation step now done.")
    note: str | None = Field(default=None, max_length=4000)
    override_reason: str | None = Field(default=None, max_length=2000, description=_OVERRIDE)


CasePublic = public(records.Case)
CasesPublic = listing(CasePublic, "CasesPublic")

# ------------------------------------------------------------------------------------ audit
AuditEntryPublic = public(records.AuditEntry)
AuditPublic = listing(AuditEntryPublic, "AuditPublic")
AuditVerifyPublic = public(records.AuditCheck, "AuditVerifyPublic")
CheckpointPublic = public(records.Checkpoint)  # also the body of POST /audit/verify: a checkpoint exported earlier
ConsistencyCheckPublic = public(records.ConsistencyCheck)
AuditVerifyAgainstPublic = create_model(
    "AuditVerifyAgainstPublic",
    __base__=AuditVerifyPublic,
    __doc__="The answer of POST /audit/verify: the whole check of the chain and the seals (as GET /audit/verify), plus "
    '"against", whether today\'s log extends the checkpoint sent. ``ok`` only when both hold; ``reason`` the first that fails.',
    against=(ConsistencyCheckPublic, ...),
)

# ------------------------------------------------------------------------------------ users and tokens


class UserCreate(_In):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=8, max_length=1000)


class UserUpdate(_In):
    disabled: bool


UserPublic = public(records.User)
UsersPublic = listing(UserPublic, "UsersPublic")


class TokenCreate(_In):
    user: str = Field(description="Name of the user the token acts as.")
    name: str = Field(default="", max_length=200, description="What the token is for.")
    reason: str = Field(default="", max_length=500, description="Why an admin makes a token that acts as another user (required then, and audited).")


TokenPublic = public(records.Token)  # ``token`` (the secret) is set only in the answer to its creation
