"""Frozen records that cross layers: what the core returns and what interfaces print.

They hold numbers and ids, never open files or sessions. ``to_dict`` gives the
JSON-ready form the CLI's ``--json`` prints and the REST API answers with.

Every entity a service returns to an interface (recipient, asset, share, copy, finding,
case, user, token, audit entry) is a :class:`Record`: its fields are the keys of its JSON
document, so ``to_dict()`` is the contract and the web schemas are generated from the
fields. A trace and a stored finding are one :class:`Finding`. Only the engine's
:class:`Alignment` (arrays: the homography and the valid-region mask) is not a record: a
finding keeps its numbers as a :class:`FindingAlignment`, the mask as a blob.

>>> r = Recipient(1, "Apex Plastics GmbH", None, "Apex", "2027-01-05T09:00:00+00:00")
>>> r.to_dict()["org"], r["name"], sorted(r)[:2]
('Apex', 'Apex Plastics GmbH', ['archived_at', 'created_at'])
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Alignment:
    """Where a leak sits on its original.

    Attributes
    ----------
    homography : (3, 3) float64 ndarray
        Maps pixel coordinates (x, y) of the original to pixel coordinates of the leak.
        A mirrored leak has the flip folded in (negative determinant).
    valid_mask : (H', W') bool ndarray
        On the original's frame, at a resolution of its own (longest side ≤ 1024 px, the
        original's size when smaller: ``core.align.valid_grid``): where the leak covers the
        original and agrees with it (padding, UI bars, stickers and captions excluded).
        Detection redraws it, and the footprint's edge, at its own resolution.
    mirrored : bool
        True when the leak is a mirror image of the original.
    inliers : int
        Feature correspondences consistent with the homography (0 for feature-free methods).
    coverage : float
        Fraction of the original's area covered by ``valid_mask``, in [0, 1].
    agreement : float
        How well the warped original agrees with the leak (median per-tile correlation
        of lightly blurred images), in [-1, 1]. Chosen on this, never on recipients' scores.
    method : str
        Which hypothesis won: ``"features"``, ``"full-frame"``, ``"search"``.
    """

    homography: np.ndarray
    valid_mask: np.ndarray
    mirrored: bool
    inliers: int
    coverage: float
    agreement: float
    method: str


# --------------------------------------------------------------------------- interface records


def _plain(value: Any, digits: int | None = None) -> Any:
    """``value`` as JSON types: records as dicts, tuples as lists, floats rounded to ``digits``."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if digits is not None and isinstance(value, float):
        return round(value, digits)
    return value


def _rounded(n: int) -> Any:
    """A float field shown rounded to ``n`` decimals by ``to_dict`` (the record keeps the full value)."""
    return field(metadata={"digits": n})


class Record(Mapping):
    """Base of the records services return to interfaces.

    ``to_dict()`` is every field (nested records as dicts, tuples as lists), then the
    properties named in ``derived``. A record also reads as that document
    (``record["id"]``, ``"id" in record``, ``set(record)``), so Python API callers written
    against the dicts the services used to return keep working.
    """

    __slots__ = ()
    #: Properties ``to_dict`` adds after the fields (values the contract carries that follow from the fields).
    derived: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: _plain(getattr(self, f.name), f.metadata.get("digits")) for f in fields(self)}  # type: ignore[arg-type]
        out.update((name, _plain(getattr(self, name))) for name in self.derived)
        return out

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(fields(self)) + len(self.derived)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Recipient(Record):
    """A person or organisation that receives copies (never its key reference)."""

    id: int
    name: str
    email: str | None
    org: str | None
    created_at: str  # ISO 8601, UTC
    archived_at: str | None = None  # ISO 8601, UTC; archived: kept and tested by every trace, offered to no new share


@dataclass(frozen=True)
class Group(Record):
    """A named set of recipients a share can be addressed to; a share records each member it reached,
    so the group is an address book entry, never evidence."""

    id: int
    name: str
    description: str | None
    created_at: str  # ISO 8601, UTC
    archived_at: str | None  # ISO 8601, UTC
    members: tuple[Recipient, ...]  # by id, archived ones too (a share reaches only the others)


@dataclass(frozen=True)
class RecipientRef(Record):
    """A recipient named inside another record."""

    id: int
    name: str


@dataclass(frozen=True)
class Asset(Record):
    """A registered original (never its key reference)."""

    id: int
    title: str
    filename: str
    sha256: str
    format: str  # PNG, JPEG, WEBP…
    width: int  # pixels
    height: int  # pixels
    carrier: tuple[int, int]  # carrier grid (rows, columns): K = rows · columns
    strength: float = _rounded(4)  # luminance levels
    created_at: str  # ISO 8601, UTC
    #: The geometric carrier's grid (rows, columns; 2 · rows · columns signs), None when the asset has none.
    geometric_carrier: tuple[int, int] | None
    geometric_amplitude_px: float | None = _rounded(4)  # RMS displacement per axis, pixels of the original
    max_displacement_px: float | None = _rounded(4)  # bound on any copy's displacement, pixels of the original
    #: "image", "document" (a PDF: its pages are assets of kind "page") or "page".
    kind: str = field(default="image", kw_only=True)
    pages: int | None = field(default=None, kw_only=True)  # a document's page count
    #: A page's document and number (from 1); a page's pixels are its rendering at ``dpi`` pixels per inch.
    document_id: int | None = field(default=None, kw_only=True)
    page: int | None = field(default=None, kw_only=True)
    dpi: float | None = field(default=None, kw_only=True)
    #: A document's pages, in order (their ids and carriers), in ``asset show``; empty elsewhere.
    page_assets: tuple = field(default=(), kw_only=True)
    #: When the asset was archived (ISO 8601, UTC; a document's pages with it), None while in use.
    archived_at: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class AssetAdded(Asset):
    """One file given to ``asset add``: the asset, the file it was read from, and whether it was
    registered already (same bytes; the existing asset is returned)."""

    path: str
    duplicate: bool


@dataclass(frozen=True)
class AssetRef(Record):
    """An asset named inside another record."""

    id: int
    title: str


@dataclass(frozen=True)
class Copy(Record):
    """The file one recipient received in a share: the asset plus that recipient's fingerprint."""

    recipient: str
    recipient_id: int
    sha256: str
    share_id: int
    filename: str
    psnr: float  # dB, of the copy against the original
    ssim: float
    #: Where this share wrote the file (None when listing recorded copies).
    path: str | None = None
    size: int | None = None  # bytes of the file; None for copies made before sizes were kept
    #: When the copy left the workspace (ISO 8601, UTC); None while it waits for its share's sender to take it.
    delivered_at: str | None = None
    #: Whether the file is still in the workspace's blob store (waiting for delivery, or retained).
    stored: bool = False
    #: dB, the luminance mark alone (the copy against the original displaced by the geometric
    #: carrier), shown when the copy was just made and the asset has a geometric carrier.
    psnr_luminance: float | None = None
    #: When the portal stopped serving this copy (ISO 8601, UTC); None while it may be downloaded.
    revoked_at: str | None = None


@dataclass(frozen=True)
class RegeneratedCopy(Record):
    """A copy made again from the master key and the original: a privileged act, recorded in the
    audit log with its reason. ``matches`` says whether the file is byte for byte the one recorded."""

    share_id: int
    recipient: str
    recipient_id: int
    filename: str
    sha256: str  # of the file made now
    recorded_sha256: str  # of the file the share recorded
    matches: bool
    size: int  # bytes
    #: Where the file was written (None when it was handed over another way).
    path: str | None = None


@dataclass(frozen=True)
class Share(Record):
    """One act of sending an asset to recipients: who, when, why, and every copy made."""

    id: int
    asset_id: int
    note: str | None
    created_by: str | None
    created_at: str  # ISO 8601, UTC
    copies: tuple[Copy, ...]
    #: "portal" when each recipient's user downloads a copy made at that moment; None: the sender delivers.
    delivery: str | None = None
    terms: str | None = None  # the NDA reference or text a recipient accepts before the first download
    expires_at: str | None = None  # ISO 8601, UTC: the portal serves the share's copies until then


@dataclass(frozen=True)
class LeakInfo(Record):
    """The leak a finding was traced from: where it was read, its file's SHA-256, its size."""

    path: str
    sha256: str
    width: int  # pixels (of the page tested, when the leak is a PDF)
    height: int  # pixels
    #: When the leak is a PDF file: the page of it (from 1) the finding rests on, rendered at ``document_dpi``.
    page: int | None = None


@dataclass(frozen=True)
class Match(Record):
    """How the leak matched its asset: inliers of the alignment, coverage of the original, mirrored."""

    inliers: int  # feature correspondences (0 for feature-free methods, or when nothing aligned)
    coverage: float = _rounded(4)  # fraction of the original the leak covers, in [0, 1]
    mirrored: bool


@dataclass(frozen=True)
class AssetMatch(Record):
    """The asset a finding's leak comes from, and how well it matched."""

    id: int
    title: str
    match: Match
    #: When the leak is a page of a document: the page's number (from 1) and its document.
    page: int | None = None
    document: AssetRef | None = None


@dataclass(frozen=True)
class RecipientScore(Record):
    """One recipient's test in a finding: the statistic, its p-bound, and whether it accuses."""

    recipient: str
    recipient_id: int
    score: float = _rounded(4)  # the statistic T
    p_value: float  # Hoeffding bound on P(T ≥ score) for an innocent (0.0 once it underflows, from T ≈ 38.6)
    accused: bool
    #: log10 of the same bound, which never underflows: ``core.bound.log10_p_bound`` of the score and the
    #: alignments tested (services fill it); when not given, log10(p_value) if that is a normal float, else None.
    log10_p_bound: float | None = field(default=None, metadata={"digits": 4})
    #: The statistic the score came from (:mod:`leaktrace.core.verdict`'s names: ``"luminance"``, ``"geometric"``,
    #: ``"outline"``, ``"combined"``, ``"words"``, ``"geometric+words"``): the carrier that gave the evidence.
    statistic: str | None = None

    def __post_init__(self) -> None:
        if self.log10_p_bound is None and math.isfinite(self.p_value) and self.p_value >= sys.float_info.min:
            object.__setattr__(self, "log10_p_bound", min(0.0, math.log10(self.p_value)))


@dataclass(frozen=True)
class FindingAlignment(Record):
    """The alignment a finding's verdict used: the numbers of the engine's :class:`Alignment`,
    whose valid-region mask is a blob in the store (``valid_mask_sha256``, a PNG on the grid
    of ``core.align.valid_grid``) with its bounding box in the original's pixels."""

    homography: tuple[tuple[float, ...], ...]  # 3 × 3, original (x, y) → leak (x, y)
    mirrored: bool | None
    method: str | None  # features | full-frame | search
    agreement: float | None  # in [-1, 1]
    coverage: float | None  # in [0, 1]
    inliers: int | None
    hypotheses: int  # alignments tested (the bound covers every one)
    valid_bbox: tuple[int, ...] | None  # x0, y0, x1, y1 (exclusive ends) in the original, pixels
    valid_mask_sha256: str | None


@dataclass(frozen=True)
class Custody(Record):
    """The leak's chain of custody as recorded at trace time, sealed with its finding."""

    source_url: str | None = None  # where the leak was found
    found_at: str | None = None  # ISO 8601, UTC: when it was found
    captured_by: str | None = None  # who captured the leak file
    note: str | None = None


@dataclass(frozen=True)
class Finding(Record):
    """A trace's result: the leak, the asset, the alignment, every recipient's score and p-bound,
    who is accused, and (once stored) its id, when, by whom and with which version.

    The one record of a finding: what ``trace``, ``finding show`` and ``finding list`` print
    with ``--json``, and the REST body of a trace and of a stored finding. ``accused``
    follows from the candidates; ``finding_id`` (= ``id``) and ``false_accusation_bound``
    (= ``epsilon``) are the names the ``trace --json`` document has always had.
    """

    leak: LeakInfo
    asset: AssetMatch | None  # None when no registered asset matches
    alignment: FindingAlignment | None  # None when no asset matched or none aligned
    candidates: tuple[RecipientScore, ...]  # highest score first
    epsilon: float  # the family-wise false-accusation bound ε
    threshold: float | None  # the score an accusation needs; None when no alignment was made
    n_tests: int  # tests the bound covers: recipients × alignments
    reason: str | None  # why nobody was tested, when nobody was
    elapsed_s: float = _rounded(3)
    id: int | None = None  # None until the finding is stored
    created_at: str | None = None  # ISO 8601, UTC; when it was stored
    actor: str | None = None  # who ran the trace
    software_version: str | None = None  # leaktrace version that stored it
    custody: Custody | None = None  # where, when and by whom the leak was found (as the analyst recorded it)

    derived = ("accused", "finding_id", "false_accusation_bound", "leak_sha256", "leak_path", "n_tested")

    @property
    def accused(self) -> tuple[str, ...]:
        """Names of the accused recipients, highest score first (empty: the evidence names nobody)."""
        return tuple(c.recipient for c in self.candidates if c.accused)

    @property
    def finding_id(self) -> int | None:
        return self.id

    @property
    def false_accusation_bound(self) -> float:
        return self.epsilon

    @property
    def leak_sha256(self) -> str:
        return self.leak.sha256

    @property
    def leak_path(self) -> str:
        return self.leak.path

    @property
    def n_tested(self) -> int:
        return len(self.candidates)


@dataclass(frozen=True)
class CaseFinding(Record):
    """The finding a case is about, in brief."""

    id: int
    accused: tuple[str, ...]
    leak_sha256: str
    asset: AssetRef | None


@dataclass(frozen=True)
class Penalty(Record):
    """A contractual penalty, exact: ``minor`` units (cents) of an ISO 4217 ``currency``."""

    amount: str  # the exact plain decimal, e.g. "250000.00" (leaktrace.money.plain_amount)
    currency: str  # ISO 4217 code, e.g. EUR
    minor: int  # the amount in the currency's minor units, e.g. 25000000 (cents)
    display: str  # for people, e.g. "250,000.00 EUR" (leaktrace.money.format_amount)


@dataclass(frozen=True)
class RemediationStep(Record):
    id: int
    text: str
    due: str | None  # YYYY-MM-DD
    done: bool
    done_at: str | None  # ISO 8601, UTC


@dataclass(frozen=True)
class CaseEvent(Record):
    """One change on a case's timeline: who, when, which field, old → new."""

    id: int
    at: str  # ISO 8601, UTC
    actor: str
    kind: str  # opened | change | action | action_done | note | override (a rule of evidence set aside, new = the reason)
    field: str | None
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Case(Record):
    """A leak incident followed over time: its finding, the responsible recipients (several when
    colluders are named), the NDA, the penalty, the remediation plan, the status, and the timeline.
    ``responsible`` is the first of ``responsibles`` (None when nobody is held responsible)."""

    id: int
    finding_id: int
    status: str
    responsibles: tuple[RecipientRef, ...]
    nda: str | None
    penalty: Penalty | None
    opened_by: str
    created_at: str  # ISO 8601, UTC
    updated_at: str  # ISO 8601, UTC
    finding: CaseFinding
    actions: tuple[RemediationStep, ...]
    events: tuple[CaseEvent, ...]

    derived = ("actions_open", "responsible")

    @property
    def actions_open(self) -> int:
        return sum(not a.done for a in self.actions)

    @property
    def responsible(self) -> RecipientRef | None:
        return self.responsibles[0] if self.responsibles else None


@dataclass(frozen=True)
class User(Record):
    """A user as interfaces see it: never the password hash."""

    id: int
    name: str
    role: str  # admin | analyst | auditor
    disabled: bool
    created_at: str  # ISO 8601, UTC
    tokens: int = 0  # live (unrevoked) API tokens
    locked: bool = False  # after 20 failed logins, until an admin unlocks (in user lists)


#: The earlier name of :class:`User`.
UserView = User


@dataclass(frozen=True)
class Token(Record):
    """A REST API token; ``token`` (the secret) is set only in the answer that created it."""

    id: int
    user: str
    name: str
    revoked: bool
    created_at: str  # ISO 8601, UTC
    last_used_at: str | None
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AuditEntry(Record):
    """One entry of the hash-chained audit trail (``details`` as stored: JSON, or the raw text
    when it no longer parses, which ``audit verify`` reports)."""

    id: int
    at: str  # ISO 8601, UTC
    actor: str
    action: str
    subject_type: str | None
    subject_id: str | None
    details: dict[str, Any] | str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditHead(Record):
    id: int
    hash: str


@dataclass(frozen=True)
class AuditCheck(Record):
    """The result of verifying the audit chain: ok, or the first bad entry and what is wrong."""

    ok: bool
    entries: int
    bad_id: int | None
    problem: str | None  # edited | removed | reordered | inserted
    reason: str
    head: AuditHead | None
    record: str | None = None  # the sealed record that fails ("finding 3"), when it is a record, not the chain
    records: int = 0  # sealed records (findings, shares, cases, assets, recipients) checked against their seals


@dataclass(frozen=True)
class Checkpoint(Record):
    """A signed head of the audit log, as a Certificate Transparency signed tree head: the RFC 9162
    Merkle root of the first ``tree_size`` entries' hashes, when it was signed, and the Ed25519
    signature (base64) of the workspace's log key over :func:`leaktrace.core.merkle`'s signed
    bytes. Exported as this record's JSON; anyone holding one can later prove the log only grew."""

    log_id: str  # the workspace's master-key fingerprint: which log this is
    tree_size: int  # entries covered
    root_hash: str  # hex SHA-256 Merkle root
    timestamp: str  # ISO 8601, UTC
    key_id: str  # hex SHA-256 of the raw Ed25519 public key
    public_key: str  # base64 of the raw 32-byte Ed25519 public key
    signature: str  # base64


@dataclass(frozen=True)
class InclusionProof(Record):
    """That audit entry ``entry_id`` (leaf ``entry_id - 1``) is in the tree of ``tree_size`` entries
    whose root is ``root_hash``: the RFC 9162 audit path, hex hashes from the leaf up."""

    entry_id: int
    entry_hash: str
    tree_size: int
    root_hash: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class ConsistencyCheck(Record):
    """Whether today's log extends the one an older checkpoint saw (RFC 9162 consistency proof)."""

    ok: bool
    reason: str  # one line: why not, or what was proven
    checkpoint: Checkpoint
    tree_size: int  # entries in today's log
    root_hash: str  # today's Merkle root
    proof: tuple[str, ...]  # hex hashes of the consistency proof (empty when not ok)


@dataclass(frozen=True)
class StoredFile:
    """A stored file handed to an interface: its bytes, a file name and its media type."""

    data: bytes = field(repr=False)
    filename: str
    media_type: str


@dataclass(frozen=True)
class LooseFile(Record):
    """A file or folder in the workspace that others may read, write or enter."""

    path: str  # relative to the workspace folder
    mode: str  # octal, as "0644"


@dataclass(frozen=True)
class IndexCheck(Record):
    """The kept FAISS index (``HOME/cache/assets.ann``) against the store: ``leaktrace index check``.

    An entry is stale when its SHA-256 is not its asset's file (a database restored from a backup
    that reuses ids); stale, missing and extra entries are brought in step at the next trace that
    uses the index, or at once by ``leaktrace index rebuild``.
    """

    backend: str  # the index_backend setting
    in_use: bool  # whether traces use the kept index now (ann, or auto from AUTO_ANN_FROM assets)
    kept: bool  # an index file is kept and readable
    readable: bool  # false: a file is there but damaged or of an older format (it will be rebuilt)
    assets: int  # assets in the store
    entries: int  # assets the index holds
    missing: tuple[int, ...]  # asset ids the index does not hold
    extra: tuple[int, ...]  # ids the index holds that the store has not
    stale: tuple[int, ...]  # ids held with another file's SHA-256

    derived = ("in_step",)

    @property
    def in_step(self) -> bool:
        return self.kept and not (self.missing or self.extra or self.stale)


@dataclass(frozen=True)
class DoctorReport(Record):
    """What ``leaktrace doctor`` found in a workspace, and what ``--repair`` collected.

    Orphans are stored files that no record names (not an asset's original, not a copy's file,
    not a finding's leak or mask), older than the grace period (a share or a trace under way
    stores its files before its record): left by a killed process. Only orphans and partial
    files are repaired; the rest is reported.
    """

    ok: bool  # nothing left that needs attention (after --repair, if given)
    blobs: int  # files in the blob store
    orphans: tuple[str, ...]  # SHA-256 of the orphans found
    orphan_bytes: int
    young: int  # stored files no record names yet, younger than the grace period: left alone
    partial_files: int  # leftovers of interrupted writes in the blob store, older than the grace period
    missing: tuple[str, ...]  # SHA-256 of files a record needs that are not stored
    audit: AuditCheck
    loose: tuple[LooseFile, ...]  # files and folders others may reach (the workspace is the owner's alone)
    grace_s: float  # seconds
    repaired: bool  # --repair was given
    removed: int  # orphans and partial files removed
    removed_bytes: int


@dataclass(frozen=True)
class Invitation(Record):
    """A one-time link that makes a user of one recipient; ``token`` and ``link`` only in the answer that made it.

    ``state``: ``pending`` (the link works), ``accepted``, ``cancelled`` or ``expired``, as of the
    answer; ``emailed``: the answer that made it also e-mailed the link to ``email``."""

    id: int
    recipient: str
    recipient_id: int
    email: str
    created_by: str
    created_at: str  # ISO 8601, UTC
    expires_at: str  # ISO 8601, UTC
    accepted_at: str | None = None
    user: str | None = None  # the user it made
    token: str | None = None
    link: str | None = None
    cancelled_at: str | None = None  # ISO 8601, UTC
    state: str = "pending"
    emailed: bool = False
    email_problem: str | None = None  # why the link was not e-mailed, when sending failed


@dataclass(frozen=True)
class Acceptance(Record):
    """A recipient's user accepted a share's terms (their SHA-256 as shown)."""

    id: int
    share_id: int
    recipient: str
    user: str
    at: str  # ISO 8601, UTC
    terms_sha256: str


@dataclass(frozen=True)
class Receipt(Record):
    """One download through the recipient portal; ``id`` is the receipt's number.

    ``sha256`` is the file handed over, made for the recipient at that moment; ``matches`` whether
    it is byte for byte the copy the share recorded (the fingerprint is the same either way).
    """

    id: int
    share_id: int
    recipient: str
    recipient_id: int
    user: str
    at: str  # ISO 8601, UTC
    sha256: str
    size: int  # bytes
    filename: str
    matches: bool
    client: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class PortalShare(Record):
    """A share as its recipient's user sees it in the portal: never another recipient's name or copy.

    ``state`` is "available", "revoked", "closed" (the sender archived the recipient) or "expired"; ``accepted`` whether the terms were accepted.
    """

    id: int
    title: str
    filename: str
    shared_at: str  # ISO 8601, UTC
    terms: str
    expires_at: str | None
    state: str
    accepted: bool
    receipts: tuple[Receipt, ...] = ()
