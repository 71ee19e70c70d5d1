"""Pydantic shapes of the REST API: ``XCreate`` (request), ``XPublic`` (one), ``XsPublic`` (a list).

Lists are ``{"data": [...], "count": N}``. Single objects carry the same fields as the
CLI's ``--json`` output of the same verb (fields are only ever added).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["admin", "analyst", "auditor"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# recipients -------------------------------------------------------------------------------
class RecipientCreate(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Apex Plastics GmbH"])
    email: str | None = Field(default=None, max_length=320)
    org: str | None = Field(default=None, max_length=200)


class RecipientPublic(_Out):
    id: int
    name: str
    email: str | None = None
    org: str | None = None
    created_at: str


class RecipientsPublic(BaseModel):
    data: list[RecipientPublic]
    count: int


# assets -----------------------------------------------------------------------------------
class AssetAdded(_Out):
    """One row of ``asset add --json``."""

    id: int
    path: str
    sha256: str
    width: int
    height: int


class AssetPublic(_Out):
    id: int
    title: str
    filename: str
    sha256: str
    width: int
    height: int
    created_at: str


class AssetsPublic(BaseModel):
    data: list[AssetPublic]
    count: int


# shares -----------------------------------------------------------------------------------
class ShareCreate(_In):
    asset_id: int
    to: list[str] = Field(min_length=1, description="Recipient names or ids.")
    note: str | None = Field(default=None, max_length=2000)


class CopyPublic(_Out):
    """One row of ``share --json`` plus where to download the copy."""

    recipient: str
    recipient_id: int
    path: str
    sha256: str
    download: str


class SharePublic(_Out):
    id: int
    asset_id: int
    note: str | None = None
    created_by: str | None = None
    created_at: str
    copies: list[dict[str, Any]]


class SharesPublic(BaseModel):
    data: list[SharePublic]
    count: int


# findings ---------------------------------------------------------------------------------
class FindingTraced(_Out):
    """The ``trace --json`` document (with ``finding_id``)."""

    leak: dict[str, Any]
    asset: dict[str, Any] | None
    candidates: list[dict[str, Any]]
    accused: list[str]
    false_accusation_bound: float
    elapsed_s: float
    finding_id: int | None = None


class FindingPublic(_Out):
    id: int
    created_at: str
    accused: list[str]


class FindingsPublic(BaseModel):
    data: list[FindingPublic]
    count: int


# cases ------------------------------------------------------------------------------------
class CaseCreate(_In):
    finding_id: int
    responsible: str | None = Field(default=None, description="Recipient name or id held responsible (default: the one accused).")
    nda: str | None = Field(default=None, max_length=200, description="The NDA the recipient signed.")


class CaseUpdate(_In):
    """Fields of ``case update``; every field left out stays as it is."""

    status: Literal["open", "notified", "penalty_applied", "remediation", "closed"] | None = None
    responsible: str | None = None
    nda: str | None = Field(default=None, max_length=200)
    penalty_amount: str | None = Field(default=None, max_length=32, description="Exact decimal, e.g. '250000.00'.")
    penalty_currency: str | None = Field(default=None, max_length=3, description="Three-letter code, e.g. EUR.")
    add_action: str | None = Field(default=None, max_length=2000, description="A remediation step to add.")
    due: str | None = Field(default=None, description="Due date of the added step, YYYY-MM-DD.")
    action_done: int | None = Field(default=None, description="Id of a remediation step now done.")
    note: str | None = Field(default=None, max_length=4000)


class CasePublic(_Out):
    id: int
    finding_id: int
    status: str


class CasesPublic(BaseModel):
    data: list[CasePublic]
    count: int


# audit ------------------------------------------------------------------------------------
class AuditEntryPublic(_Out):
    id: int
    at: str
    actor: str
    action: str


class AuditPublic(BaseModel):
    data: list[AuditEntryPublic]
    count: int


class AuditVerifyPublic(_Out):
    ok: bool
    entries: int


# users and tokens -------------------------------------------------------------------------
class UserCreate(_In):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=8, max_length=1000)


class UserUpdate(_In):
    disabled: bool


class UserPublic(_Out):
    id: int
    name: str
    role: str
    disabled: bool
    created_at: str


class UsersPublic(BaseModel):
    data: list[UserPublic]
    count: int


class TokenCreate(_In):
    user: str = Field(description="Name of the user the token acts as.")
    name: str = Field(default="", max_length=200, description="What the token is for.")


class TokenCreated(_Out):
    id: int
    user: str
    name: str
    token: str = Field(description="Shown once; only its hash is stored.")


class TokenRevoked(_Out):
    id: int
    user: str
    revoked: bool
