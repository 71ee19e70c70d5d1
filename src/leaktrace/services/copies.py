"""Make the copies of a share: fingerprint, measure, encode and store each one as it is made.

Per copy, in this order:

1. **Fingerprint** in row strips (:func:`leaktrace.core.embed.embed_strips`) into a copy buffer:
   when the asset has a geometric carrier, each strip of the original is first resampled along
   the recipient's displacement field (:class:`leaktrace.core.geometry.Displacer`), then the
   luminance mark is added, adding up the exact squared errors strip by strip: against the original
   (the copy's PSNR) and against the displaced original (the luminance mark's own PSNR).
2. **SSIM**: exact (:func:`leaktrace.core.quality.ssim`) on images under 2 MP. From 2 MP it is
   estimated on a fixed sample of one 64-px tile in 16 (:func:`~leaktrace.core.quality.sampled_ssim`,
   within 5e-5 of the exact value on 17 MP copies), and the share's reference copy, made with
   the public reference signs (never a recipient's), gets the exact SSIM and PSNR once.
3. **Gate**: every copy, and the reference copy, must reach ``min_ssim``, and its luminance mark
   ``min_psnr``. The geometric mark is gated by its displacement bound (``max_px``, enforced by
   construction) and SSIM, never PSNR: moving a black line on white by 0.2 px changes its edge
   pixels by tens of levels while staying invisible, so a drawing's copy has a PSNR of 30–40 dB.
4. **Encode and store** (PNG at ``png_compression``, JPEG at ``jpeg_quality``) in the blob store,
   on a worker thread while the next copy is made: libpng, zlib, hashing and the large numpy
   and OpenCV operations release the GIL, so the two run on two cores. JPEG copies are measured
   after decoding, on what the recipient receives.

Memory: the prepared original and mask, the pattern (4 bytes per pixel), two copy buffers
(3 bytes per pixel each, used in turn), one encoded file and a strip; constant in the number of
recipients (a third buffer for the reference copy, checked on the worker while the first copy
is made). Only each copy's digest and numbers are kept (:class:`Made`).

:func:`regenerate` makes one recorded copy again, through the same :func:`make`, for an admin
who gives a reason: the file is handed over, never stored, and the act (with whether the file
is byte for byte the recorded one) is in the audit log.
"""

from __future__ import annotations

import hashlib
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from leaktrace import imagefiles, records
from leaktrace.core import embed, geometry, keys, quality
from leaktrace.errors import BadInput
from leaktrace.services import assets as assets_service
from leaktrace.services import audit, checkpoints, ids
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries

__all__ = ["MEDIA_TYPES", "Made", "SAMPLED_SSIM_FROM", "check_new_asset", "copy_format", "make", "reason_given", "regenerate", "share_number"]

#: From this many pixels a copy's SSIM is estimated on sampled tiles instead of computed in full.
SAMPLED_SSIM_FROM = 2_000_000


@dataclass(frozen=True)
class Made:
    """One copy made and stored in the blob store (its pixels are not kept)."""

    recipient: Any  # the recipient row, detached
    sha256: str
    size: int  # bytes of the file
    psnr: float  # dB, exact, against the original
    ssim: float
    ssim_method: str  # "exact" or "sampled"
    psnr_luminance: float | None = None  # dB, the luminance mark against the displaced original (None: same as psnr)


class _Maker:
    """The asset's fingerprinting and measuring, shared by all copies of one share."""

    def __init__(self, ctx: Context, asset: Any, prepared: Any, fmt: str) -> None:
        self.settings = ctx.settings
        self.asset, self.fmt = asset, fmt
        self.original, self.mask, self.grid = prepared.original, prepared.mask, prepared.grid
        self.geometry = getattr(prepared, "geometry", None)
        h, w = self.original.shape[:2]
        self.sampled = h * w >= SAMPLED_SSIM_FROM
        self.tiles = quality.ssim_tiles(self.original.shape) if self.sampled else None

    def fingerprint(self, signs: np.ndarray, geometric_signs: np.ndarray | None, out: np.ndarray) -> tuple[int, int]:
        """Write the copy into ``out`` (each strip of the original displaced first when the asset
        has a geometric carrier); return its exact squared errors against the original and against
        the displaced original (the luminance mark's)."""
        moved = None if self.geometry is None else geometry.Displacer(self.original, geometric_signs, self.geometry)
        sse = sse_mark = 0
        for rows in embed.embed_strips(self.original, signs, strength=self.asset.strength, grid=self.grid, mask=self.mask, out=out, source=moved):
            sse += quality.squared_error(self.original[rows], out[rows])
            if moved is not None:
                sse_mark += quality.squared_error(moved.last, out[rows])
        return sse, (sse if moved is None else sse_mark)

    def geometric_signs(self, seed: bytes) -> np.ndarray | None:
        return None if self.geometry is None else keys.signs_from_seed(seed, self.geometry.k, carrier="geometric")

    def encode(self, image: np.ndarray) -> bytes:
        s = self.settings
        return imagefiles.encode_image(image, self.fmt, quality=s.jpeg_quality, png_compression=s.png_compression)

    def decoded(self, data: bytes) -> np.ndarray:
        """What a recipient of a JPEG copy sees."""
        return imagefiles.read_image_bytes(data, "copy.jpg", max_pixels=self.original.shape[0] * self.original.shape[1], max_bytes=None)

    def ssim(self, sent: np.ndarray) -> float:
        if self.sampled:
            return quality.sampled_ssim(self.original, sent, self.tiles)
        return quality.ssim(self.original, sent)

    #: How a refusal starts and ends (an asset being registered says it its own way).
    subject = "the copy of asset {id} for {whose}"
    consequence = "nothing was shared"

    def gate(self, psnr: float, ssim: float, whose: str) -> None:
        """``psnr``: the luminance mark's (against the displaced original when there is a geometric carrier)."""
        s = self.settings
        if psnr < s.min_psnr or ssim < s.min_ssim:
            what = "PSNR of the luminance mark" if self.geometry is not None else "PSNR"
            subject = self.subject.format(id=self.asset.id, whose=whose)
            raise BadInput(f"{subject} misses the quality gate ({what} {psnr:.1f} dB, SSIM {ssim:.4f}); {self.consequence}.")

    def check_reference(self) -> None:
        """The exact PSNR and SSIM of a copy made with the public reference signs, through the gate."""
        buffer = np.empty_like(self.original)
        moving = None if self.geometry is None else embed.reference_signs(self.geometry.k)
        _, sse = self.fingerprint(embed.reference_signs(self.grid[0] * self.grid[1]), moving, buffer)
        sent = buffer
        if self.fmt == "JPEG":
            sent = self.decoded(self.encode(buffer))
            if self.geometry is None:
                sse = quality.squared_error(self.original, sent)
        self.gate(quality.psnr_from_error(sse, self.original.size), quality.ssim(self.original, sent), "the reference signs")


def check_new_asset(ctx: Context, name: str, prepared: Any, strength: float, fmt: str) -> None:
    """Refuse, before it is registered, an image whose reference copy (the public reference signs,
    in the format its copies will have) already misses the share's quality gate: a small or noisy
    picture that no share could ever send. The same check a share makes first (``check_reference``)."""
    unregistered = types.SimpleNamespace(id=None, strength=strength, format=fmt)  # what _Maker reads of an asset row
    maker = _Maker(ctx, unregistered, prepared, copy_format(unregistered))
    maker.subject = f"{name}: a fingerprinted copy"
    maker.consequence = "nothing was registered (the mark this image needs to be traced would be visible)"
    maker.check_reference()


def copy_format(asset: Any) -> str:
    """The format of the asset's copies: PDF for a document, JPEG for a JPEG original, else PNG (lossless)."""
    return asset.format if asset.format in ("JPEG", "PDF") else "PNG"


#: The media type of a copy of each format.
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "PDF": "application/pdf"}


def make(
    ctx: Context, asset: Any, prepared: Any, recipients: Sequence[Any], fmt: str, *, keep: Callable[[bytes], str] | None = None
) -> Iterator[Made]:
    """Make, check and store one copy per recipient, yielding each as soon as it is stored.

    ``keep`` stores one encoded file and returns its SHA-256 (default: the blob store's ``put``;
    it runs on the worker thread). Raises :class:`BadInput` (the quality gate) before yielding
    the copy that misses it, or before the first copy if the reference copy misses it; copies
    already kept stay where ``keep`` put them (the caller removes them).
    """
    keep = keep or ctx.blobs.put
    if fmt == "PDF":
        from leaktrace.services import documents

        yield from documents.make(ctx, asset, prepared, recipients, keep=keep)
        return
    maker = _Maker(ctx, asset, prepared, fmt)
    buffers = [np.empty_like(maker.original), np.empty_like(maker.original)]
    k = maker.grid[0] * maker.grid[1]
    count = maker.original.size
    method = "sampled" if maker.sampled else "exact"
    geometric = maker.geometry is not None

    def store(r: Any, image: np.ndarray, psnr: float, ssim: float, psnr_mark: float) -> Made:
        data = maker.encode(image)
        if fmt == "JPEG":
            # as received; with a geometric carrier the mark's PSNR stays the one before encoding
            # (re-encoding a displaced JPEG original is no longer near-idempotent: its error is the codec's)
            sent = maker.decoded(data)
            psnr, ssim = quality.psnr(maker.original, sent), maker.ssim(sent)
            maker.gate(psnr_mark if geometric else psnr, ssim, r.name)
        return Made(r, keep(data), len(data), psnr, ssim, method, psnr_mark if geometric else None)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="leaktrace-copy") as pool:
        # the worker checks the reference copy first, while the first copy is made
        reference = pool.submit(maker.check_reference) if maker.sampled else None
        pending: Future[Made] | None = None
        for i, r in enumerate(recipients):
            buffer = buffers[i % 2]  # the copy before last, which used it, is stored already
            seed = keys.derive_seed(ctx.master_key, asset.key_ref, r.key_ref)
            sse, sse_mark = maker.fingerprint(keys.signs_from_seed(seed, k), maker.geometric_signs(seed), buffer)
            psnr = ssim = float("nan")
            psnr_mark = quality.psnr_from_error(sse_mark, count)
            if fmt != "JPEG":
                psnr, ssim = quality.psnr_from_error(sse, count), maker.ssim(buffer)
            if reference is not None:
                reference.result()  # raises if the reference copy misses the gate: before any copy is stored
                reference = None
            if fmt != "JPEG":
                maker.gate(psnr_mark, ssim, r.name)
            if pending is not None:
                yield pending.result()
            pending = pool.submit(store, r, buffer, psnr, ssim, psnr_mark)
        if reference is not None:
            reference.result()
        if pending is not None:
            yield pending.result()


def reason_given(reason: str | None, act: str) -> str:
    """The reason for a privileged act on a copy, refused in one line when blank."""
    text = " ".join((reason or "").split())
    if not text:
        raise BadInput(f"{act} a copy needs a reason (--reason); it is recorded in the audit log.")
    return text


def regenerate(
    ctx: Context, share_id: int | str, recipient: str, *, reason: str | None, actor: str | None = None
) -> tuple[records.RegeneratedCopy, records.StoredFile]:
    """Make the copy share ``share_id`` made for ``recipient`` (name or id) again, from the master
    key and the original, with the engine that made it (:func:`make`); return what it is and the file.

    The file is not stored. The act is recorded as ``copy.regenerate`` about the share, with the
    reason and whether the file's SHA-256 equals the recorded one (it may not, while the pixels
    still carry the same fingerprint, when the encoder settings, the libraries or the number of
    BLAS threads differ from the day the copy was made); the bytes are returned only once that
    entry is committed.
    """
    reason = reason_given(reason, "regenerating")
    actor = actor or audit.default_actor()
    number = share_number(share_id)
    with ctx.sessions() as session:
        copy = queries.copy_of_share(session, number, str(recipient))
        wanted, asset_id, filename, r = copy.sha256, copy.share.asset_id, copy.filename, copy.recipient
        session.expunge(r)
    asset = assets_service.get(ctx, asset_id)
    files: list[bytes] = []

    def hold(data: bytes) -> str:  # in memory only: a regenerated copy is never stored
        files.append(data)
        return hashlib.sha256(data).hexdigest()

    (made,) = make(ctx, asset, assets_service.prepare(ctx, asset), [r], copy_format(asset), keep=hold)
    matches = made.sha256 == wanted
    details = {"recipient_id": r.id, "copy_sha256": wanted, "reason": reason, "matches": matches, "regenerated_sha256": made.sha256}
    with store_db.transaction(ctx.sessions) as session:
        audit.append(session, actor, "copy.regenerate", "share", number, details)
    checkpoints.after_privileged_act(ctx, actor=actor)
    fmt = copy_format(asset)
    done = records.RegeneratedCopy(number, r.name, r.id, filename, made.sha256, wanted, matches, made.size)
    return done, records.StoredFile(files[0], filename, MEDIA_TYPES[fmt])


def share_number(share_id: int | str) -> int:
    return ids.number(share_id, "share")
