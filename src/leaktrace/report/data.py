"""Everything an evidence report shows, in plain Python and numpy.

The services layer fills an :class:`EvidenceData` from the store (finding, asset, leak,
share records, audit log, signed log head); the renderers only read it. Nothing here opens
a file or a session, and the master key never enters: only its fingerprint.

Examples
--------
>>> from datetime import datetime, timezone
>>> import numpy as np
>>> img = np.zeros((8, 8, 3), np.uint8)
>>> data = EvidenceData(
...     finding_id="F-1", created_at=datetime(2025, 3, 1, tzinfo=timezone.utc), actor="analyst",
...     software_version="0.1.0", key_fingerprint="ab12", epsilon=1e-6, threshold=5.76,
...     n_tests=16, hypotheses=1,
...     leak=LeakEvidence("leak.jpg", "0" * 64, 8, 8, img), asset=None, alignment=None,
...     candidates=(), accused=(), shares=(), input_hashes={})
>>> len(data.digest())
64
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

import numpy as np

from ..errors import BadInput
from ..records import Alignment, Checkpoint, Custody, InclusionProof

__all__ = [
    "EvidenceData",
    "LeakEvidence",
    "AssetEvidence",
    "Candidate",
    "ReceiptEvidence",
    "ShareEvidence",
    "OtherTrace",
    "CopyEvent",
    "Alignment",
    "Checkpoint",
    "Custody",
    "InclusionProof",
]


def _rgb(image: np.ndarray, what: str) -> np.ndarray:
    a = np.asarray(image)
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] != 3 or min(a.shape[:2]) < 1:
        raise BadInput(f"the {what} image must be an (H, W, 3) uint8 array, got {a.dtype} {a.shape}")
    return a


def _aware(when: datetime, what: str) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise BadInput(f"{what} must be a timezone-aware datetime, got {when.isoformat()}")


@dataclass(frozen=True, eq=False)
class LeakEvidence:
    """The image found outside.

    Attributes
    ----------
    path : str, where it was read from (shown as given)
    sha256 : str, hex digest of the file as found
    width, height : int, pixels of the file (of the page tested, for a PDF)
    image : (height, width, 3) uint8 ndarray, RGB
    page : int or None, the page of a leaked PDF the finding rests on (rendered as ``image``)
    """

    path: str
    sha256: str
    width: int
    height: int
    image: np.ndarray
    page: int | None = None

    def __post_init__(self) -> None:
        _rgb(self.image, "leak")


@dataclass(frozen=True, eq=False)
class AssetEvidence:
    """The confidential original the leak matched.

    Attributes
    ----------
    id : int
    title : str
    sha256 : str, hex digest of the stored original file
    width, height : int, pixels
    image : (height, width, 3) uint8 ndarray, RGB, the original (never a copy)
    document : str or None, for a page of a PDF document: which page of which file, in words
        (the original is then that page's rendering)
    """

    id: int
    title: str
    sha256: str
    width: int
    height: int
    image: np.ndarray
    document: str | None = None

    def __post_init__(self) -> None:
        _rgb(self.image, "original")


@dataclass(frozen=True)
class Candidate:
    """One recipient of the asset, as tested.

    Attributes
    ----------
    recipient : str, name
    recipient_id : int
    score : float, T_r = ⟨s_r, y⟩ / ‖y‖ (best over the alignments tested)
    p_value : float, the bound on the chance that an innocent scores this high (as the finding gives it;
        0.0 once it underflows)
    accused : bool
    log10_p : float or None, log10 of the same bound, which never underflows
    """

    recipient: str
    recipient_id: int
    score: float
    p_value: float
    accused: bool
    log10_p: float | None = None
    statistic: str | None = None  # the statistic the score came from (core.verdict's name; None: one tested, or not recorded)


@dataclass(frozen=True)
class ShareEvidence:
    """The record of one copy made for an accused recipient (in a share made before the trace).

    Attributes
    ----------
    share_id : int
    recipient : str, name of the recipient the copy was made for
    sent_at : datetime, timezone-aware: when the share was recorded
    sent_by : str, who made the share
    note : str, why (as recorded; may be empty)
    copy_sha256 : str, hex digest of the copy file made for the recipient
    size : int or None, bytes of that file (None for copies made before sizes were kept)
    in_store : bool or None, whether the copy's file is still held in the sender's blob store
        (None: not known)
    portal : bool, whether the recipient's users downloaded it from the recipient portal
    receipts : tuple of ReceiptEvidence, the portal's receipts of those downloads before the trace
    """

    share_id: int
    recipient: str
    sent_at: datetime
    sent_by: str
    note: str
    copy_sha256: str
    size: int | None = None
    in_store: bool | None = None
    portal: bool = False
    receipts: tuple[ReceiptEvidence, ...] = ()

    def __post_init__(self) -> None:
        _aware(self.sent_at, f"share {self.share_id}'s sent_at")
        object.__setattr__(self, "receipts", tuple(self.receipts))


@dataclass(frozen=True)
class ReceiptEvidence:
    """One download of a copy through the recipient portal: proof of receipt, not just of sending.

    Attributes
    ----------
    number : int, the receipt's number
    user : str, the recipient's user who downloaded it
    at : datetime, timezone-aware
    sha256 : str, hex digest of the file handed over
    """

    number: int
    user: str
    at: datetime
    sha256: str

    def __post_init__(self) -> None:
        _aware(self.at, f"receipt {self.number}'s time")


@dataclass(frozen=True)
class OtherTrace:
    """Another stored trace of the same leak file (same SHA-256), or against the same original,
    before or after this one.

    Attributes
    ----------
    finding_id : str
    traced_at : datetime, timezone-aware
    actor : str, who ran it
    accused : tuple of str, whom it accused (empty: it named nobody)
    asset : str or None, the asset it matched ("title (asset 3)"), None when none
    reason : str or None, why nobody was tested, when nobody was
    epsilon : float, the bound it used
    n_tests : int
    leak_sha256 : str or None, hex digest of the leak file it traced (None: not recorded)
    """

    finding_id: str
    traced_at: datetime
    actor: str
    accused: tuple[str, ...]
    asset: str | None
    reason: str | None
    epsilon: float
    n_tests: int
    leak_sha256: str | None = None

    def __post_init__(self) -> None:
        _aware(self.traced_at, f"finding {self.finding_id}'s time")
        object.__setattr__(self, "accused", tuple(self.accused))


@dataclass(frozen=True)
class CopyEvent:
    """One audit entry about the handling of an accused recipient's copy on the sender's side:
    delivered (``copy.deliver``), downloaded again (``copy.download``), re-made from the key and
    the original (``copy.regenerate``) or its file removed from the blob store (``copy.discard``).

    Attributes
    ----------
    entry_id : int, the audit entry
    action : str
    at : datetime, timezone-aware
    actor : str
    share_id : int
    recipient : str
    copy_sha256 : str or None
    reason : str or None, as recorded (downloads and regenerations must give one)
    via : str or None, how a delivered copy left ("folder", "zip", "download")
    matches : bool or None, whether a re-made copy is byte for byte the file recorded
    """

    entry_id: int
    action: str
    at: datetime
    actor: str
    share_id: int
    recipient: str
    copy_sha256: str | None
    reason: str | None
    via: str | None = None
    matches: bool | None = None

    def __post_init__(self) -> None:
        _aware(self.at, f"audit entry {self.entry_id}'s time")


@dataclass(frozen=True, eq=False)
class EvidenceData:
    """Everything an evidence report shows.

    Attributes
    ----------
    finding_id : str
    created_at : datetime, timezone-aware: when the analysis ran
    actor : str, who ran it
    software_version : str, leaktrace version that produced the finding
    key_fingerprint : str, fingerprint of the workspace's master key (never the key)
    epsilon : float, the family-wise false-accusation bound ε
    threshold : float, score τ* an accusation needs (√(2 ln(n_tests/ε)))
    n_tests : int, tests the bound covers: recipients × alignments
    hypotheses : int, alignments tested (h ≥ 1; 1 in the usual case)
    leak : LeakEvidence
    asset : AssetEvidence or None, None when no asset matched
    alignment : leaktrace.records.Alignment or None, None when the leak could not be aligned
    candidates : tuple of Candidate, every recipient tested (any order; shown by score)
    accused : tuple of str, names of the accused recipients (empty: the evidence names nobody)
    shares : tuple of ShareEvidence, the share records of the accused made before the trace
    input_hashes : mapping str → str, SHA-256 of every other input (name → hex)
    case_ref : str or None
    report_at : datetime or None, timezone-aware: when this report was made (not the trace)
    report_by : str or None, who made it (a signed-in user, or the OS account@host)
    custody : Custody or None, where, when and by whom the leak was found, as recorded at trace time
    other_traces : tuple of OtherTrace, every other stored trace of the same leak file
    asset_traces : tuple of OtherTrace, every other stored trace against the same original, from any
        leak file (a leak re-saved with one byte changed has another SHA-256 but the same original)
    key_custodians : tuple of str, the sender's holders of the master key as configured (empty: not recorded)
    retain_copies : bool or None, whether the workspace keeps copies after delivery
    copy_events : tuple of CopyEvent, every delivery, download and regeneration of the accused's copies
    checkpoint_dir : str or None, the folder the workspace exports checkpoints into ("": none, so the
        newest entries are vouched for by this system alone; None: not recorded)
    statistics : int or None, statistics per recipient and alignment (4 with a geometric carrier, else 1;
        None: from the counts)
    statistic_names : tuple of str, those statistics in the order tested (:mod:`leaktrace.core.verdict`'s
        names); () when not known (then the count alone says)
    checkpoint : Checkpoint or None, the signed head of the audit log at the time of the report
    inclusion : InclusionProof or None, that the finding's ``trace`` entry is in that head's tree
    """

    finding_id: str
    created_at: datetime
    actor: str
    software_version: str
    key_fingerprint: str
    epsilon: float
    threshold: float
    n_tests: int
    hypotheses: int
    leak: LeakEvidence
    asset: AssetEvidence | None
    alignment: Alignment | None
    candidates: tuple[Candidate, ...]
    accused: tuple[str, ...]
    shares: tuple[ShareEvidence, ...]
    input_hashes: Mapping[str, str] = field(default_factory=dict)
    case_ref: str | None = None
    report_at: datetime | None = None
    report_by: str | None = None
    custody: Custody | None = None
    other_traces: tuple[OtherTrace, ...] = ()
    key_custodians: tuple[str, ...] = ()
    retain_copies: bool | None = None
    copy_events: tuple[CopyEvent, ...] = ()
    checkpoint: Checkpoint | None = None
    inclusion: InclusionProof | None = None
    asset_traces: tuple[OtherTrace, ...] = ()
    checkpoint_dir: str | None = None
    #: Statistics tested per recipient and alignment (4 with a geometric carrier, else 1); None: worked out
    #: from the counts (a leaked PDF's pages add up, so its count says nothing about one page's).
    statistics: int | None = None
    statistic_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _aware(self.created_at, "created_at")
        if self.report_at is not None:
            _aware(self.report_at, "report_at")
        if not 0.0 < float(self.epsilon) < 1.0:
            raise BadInput(f"epsilon must be in (0, 1), got {self.epsilon}")
        set_ = object.__setattr__
        set_(self, "candidates", tuple(sorted(self.candidates, key=lambda c: -float(c.score))))
        set_(self, "accused", tuple(self.accused))
        set_(self, "shares", tuple(sorted(self.shares, key=lambda s: s.sent_at)))
        set_(self, "other_traces", tuple(sorted(self.other_traces, key=lambda t: (t.traced_at, t.finding_id))))
        set_(self, "asset_traces", tuple(sorted(self.asset_traces, key=lambda t: (t.traced_at, t.finding_id))))
        set_(self, "copy_events", tuple(sorted(self.copy_events, key=lambda e: e.entry_id)))
        set_(self, "key_custodians", tuple(self.key_custodians))
        set_(self, "input_hashes", MappingProxyType(dict(self.input_hashes)))
        if self.alignment is not None and self.asset is not None:
            # the valid region is kept at a resolution of its own (align.valid_grid), same aspect
            h, w = np.asarray(self.alignment.valid_mask).shape[:2]
            oh, ow = self.asset.image.shape[:2]
            if h < 1 or w < 1 or abs(h * ow / w - oh) > ow / w + 1:
                raise BadInput(f"the valid mask is {w}×{h}, not the shape of the {self.asset.width}×{self.asset.height} original")

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical record of every value the report states.

        Images enter by the SHA-256 of their pixels, so the same evidence always gives
        the same digest, whatever the output format.
        """
        return hashlib.sha256(json.dumps(self._canonical(), sort_keys=True, ensure_ascii=True).encode()).hexdigest()

    def _canonical(self) -> dict:
        def pixels(a: np.ndarray) -> str:  # hashed in place: no copy of a 150 MP original
            return hashlib.sha256(np.ascontiguousarray(a)).hexdigest()

        def traces(ts: tuple[OtherTrace, ...]) -> list:
            return [
                [t.finding_id, t.traced_at.isoformat(), t.actor, list(t.accused), t.asset, t.reason, repr(float(t.epsilon)), t.n_tests, t.leak_sha256]
                for t in ts
            ]

        al = self.alignment
        return {
            "finding_id": self.finding_id,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor,
            "software_version": self.software_version,
            "key_fingerprint": self.key_fingerprint,
            "epsilon": repr(float(self.epsilon)),
            "threshold": repr(float(self.threshold)),
            "n_tests": int(self.n_tests),
            "hypotheses": int(self.hypotheses),
            "case_ref": self.case_ref,
            "leak": [self.leak.path, self.leak.sha256, self.leak.width, self.leak.height, pixels(self.leak.image)],
            "asset": None
            if self.asset is None
            else [self.asset.id, self.asset.title, self.asset.sha256, self.asset.width, self.asset.height, pixels(self.asset.image)],
            "alignment": None
            if al is None
            else [
                [repr(float(v)) for v in np.asarray(al.homography, np.float64).ravel()],
                bool(al.mirrored),
                al.method,
                repr(float(al.agreement)),
                repr(float(al.coverage)),
                int(al.inliers),
                pixels(np.asarray(al.valid_mask, bool)),
            ],
            "candidates": [
                [
                    c.recipient,
                    int(c.recipient_id),
                    repr(float(c.score)),
                    repr(float(c.p_value)),
                    bool(c.accused),
                    None if c.log10_p is None else repr(float(c.log10_p)),
                ]
                for c in self.candidates
            ],
            "accused": list(self.accused),
            "shares": [
                [s.share_id, s.recipient, s.sent_at.isoformat(), s.sent_by, s.note, s.copy_sha256, s.size, s.in_store]
                + ([[r.number, r.user, r.at.isoformat(), r.sha256] for r in s.receipts] if s.portal or s.receipts else [])  # none: digests as before
                for s in self.shares
            ],
            "input_hashes": dict(self.input_hashes),
            "report": [None if self.report_at is None else self.report_at.isoformat(), self.report_by],
            "custody": None if self.custody is None else self.custody.to_dict(),
            "other_traces": traces(self.other_traces),
            "asset_traces": traces(self.asset_traces),
            "checkpoint_dir": self.checkpoint_dir,
            "key_custodians": list(self.key_custodians),
            "retain_copies": self.retain_copies,
            "copy_events": [
                [e.entry_id, e.action, e.at.isoformat(), e.actor, e.share_id, e.recipient, e.copy_sha256, e.reason, e.via, e.matches]
                for e in self.copy_events
            ],
            "checkpoint": None if self.checkpoint is None else self.checkpoint.to_dict(),
            "inclusion": None if self.inclusion is None else self.inclusion.to_dict(),
        }
