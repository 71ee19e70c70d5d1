"""The peer watermarking libraries as :class:`leaktrace.evaluation.Method` s (bench only).

For a fair fight every peer embeds a per-recipient 32-bit id, and identifies recipient r
when r's id is the unique nearest of the N ids to the decoded bits and N times the
binomial tail of that Hamming distance d is ≤ ε:

    N · P(Binomial(32, ½) ≥ 32 − d) ≤ ε      (scipy.stats.binom.sf)

— the same N and ε as leaktrace. With 32 bits and N = 16, ε = 1e-6 that means d ≤ 1;
at N = 1000 only d = 0 passes, and at N = 10,000 nothing can (2^-32·10^4 > 1e-6).

The peers decode blind, in the original's geometry: every leak is first registered onto
the original with leaktrace's own registration (``leaktrace.core.align.register``) and
warped back to the original's size (a plain resize when registration finds nothing).

- ``dwtDct``, ``dwtDctSvd``: invisible-watermark 0.2.0's own classes (``imwatermark.maxDct``,
  ``imwatermark.dwtDctSvd``), loaded from the installed package's files so that its
  ``__init__`` (which imports torch for rivaGan) is not run.
- ``rivaGan``: invisible-watermark's RivaGAN ONNX encoder/decoder (shipped in its wheel) run
  through onnxruntime, with the library's pre/post-processing rewritten in numpy (the
  library's wrapper needs torch only for those four array operations).
- ``blind-watermark``: blind_watermark 0.4.4 ``WaterMark`` in bit mode.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import zlib
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.stats import binom

from leaktrace.core import align
from leaktrace.evaluation import Identification

BITS = 32


@dataclass
class PeerAsset:
    original: np.ndarray  # H W 3 RGB
    ids: np.ndarray  # n 32 uint8
    features: align.RegistrationFeatures | None = None  # the original's, cached as leaktrace's are


def identify_bits(decoded: np.ndarray, ids: np.ndarray, epsilon: float) -> Identification:
    """The binomial-tail rule: accuse the unique nearest id if N·P(≥ agreements by chance) ≤ ε."""
    n = ids.shape[0]
    agree = (ids == decoded[None, :]).sum(axis=1)  # n
    accused = np.zeros(n, bool)
    best = int(np.argmax(agree))
    unique = (agree == agree[best]).sum() == 1
    p = binom.sf(agree[best] - 1, BITS, 0.5)  # P(X ≥ agree)
    if unique and n * p <= epsilon:
        accused[best] = True
    return Identification(accused=accused, scores=agree.astype(np.float64))


def _ids(asset_ref: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, zlib.crc32(asset_ref.encode())])
    seen, out = set(), []
    while len(out) < n:
        bits = rng.integers(0, 2, BITS, dtype=np.uint8)
        key = bits.tobytes()
        if key not in seen:
            seen.add(key)
            out.append(bits)
    return np.stack(out)


def to_original_frame(leak: np.ndarray, original: np.ndarray, features: align.RegistrationFeatures | None = None) -> np.ndarray:
    """The leak registered (leaktrace's registration) and warped onto the original's grid."""
    alignments = align.register_all(leak, original, features=features)
    a = alignments[0] if alignments else None
    h, w = original.shape[:2]
    lh, lw = leak.shape[:2]
    if a is None or _near_resize(a.homography, (lh, lw), (h, w)):
        # no registration, or it is a plain resize to within a pixel: resample without the
        # homography's sub-pixel interpolation (which alone costs a block-DCT decoder bits)
        return leak.copy() if (lh, lw) == (h, w) else cv2.resize(leak, (w, h), interpolation=cv2.INTER_CUBIC)
    warped, _ = align.warp_leak(leak, a.homography, (h, w))
    return np.ascontiguousarray(warped[..., :3] if warped.ndim == 3 else np.dstack([warped] * 3))


def _near_resize(homography: np.ndarray, leak_shape, shape, tol: float = 1.0) -> bool:
    """Does ``homography`` (original → leak pixels) map the original's corners to within
    ``tol`` leak pixels of where a plain resize would put them?"""
    (lh, lw), (h, w) = leak_shape, shape
    corners = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])[:, None]
    got = cv2.perspectiveTransform(corners, homography.astype(np.float64).astype(np.float32))[:, 0]
    want = corners[:, 0] * [(lw - 1) / max(w - 1, 1), (lh - 1) / max(h - 1, 1)]
    return bool(np.abs(got - want).max() <= tol)


class _BitsPeer:
    name = "peer"
    registration = "leaktrace's (given)"

    def prepare(self, original, asset_ref, n_recipients, *, seed):
        return PeerAsset(original, _ids(asset_ref, n_recipients, seed), align.registration_features(original))

    def embed(self, asset, recipient):
        bgr = np.ascontiguousarray(asset.original[..., ::-1])
        out = self._encode(bgr, asset.ids[recipient])
        return np.ascontiguousarray(np.clip(np.rint(out), 0, 255).astype(np.uint8)[..., ::-1])

    def identify(self, asset, leak, *, epsilon):
        frame = to_original_frame(leak, asset.original, asset.features)
        bits = np.asarray(self._decode(np.ascontiguousarray(frame[..., ::-1])), np.uint8)[:BITS]
        return identify_bits(bits, asset.ids, epsilon)


def _imwatermark_module(name: str):
    spec = importlib.util.find_spec("imwatermark")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("invisible-watermark is not installed: pip install --no-deps -r bench/requirements-peers.txt")
    folder = list(spec.submodule_search_locations)[0]
    if name.endswith(".onnx"):
        return os.path.join(folder, name)
    path = os.path.join(folder, f"{name}.py")
    mod_spec = importlib.util.spec_from_file_location(f"_bench_imwatermark_{name}", path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)
    return module


class DwtDct(_BitsPeer):
    name = "dwtDct"

    def __init__(self):
        self._cls = _imwatermark_module("maxDct").EmbedMaxDct

    def _encode(self, bgr, bits):
        return self._cls(list(map(int, bits)), wmLen=BITS).encode(bgr)

    def _decode(self, bgr):
        return self._cls([], wmLen=BITS).decode(bgr)


class DwtDctSvd(DwtDct):
    name = "dwtDctSvd"

    def __init__(self):
        self._cls = _imwatermark_module("dwtDctSvd").EmbedDwtDctSvd


class RivaGan(_BitsPeer):
    name = "rivaGan"
    _sessions = None

    def __init__(self):
        if RivaGan._sessions is None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            make = lambda f: ort.InferenceSession(_imwatermark_module(f), opts, providers=["CPUExecutionProvider"])  # noqa: E731
            RivaGan._sessions = (make("rivagan_encoder.onnx"), make("rivagan_decoder.onnx"))

    @staticmethod
    def _frame(bgr):
        return (bgr.astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)[None, :, None]  # 1 3 1 h w

    def _encode(self, bgr, bits):
        out = self._sessions[0].run(None, {"frame": self._frame(bgr), "data": bits[None].astype(np.float32)})[0]
        return ((np.clip(out, -1.0, 1.0)[0, :, 0].transpose(1, 2, 0) + 1.0) * 127.5).astype(np.uint8)

    def _decode(self, bgr):
        return (self._sessions[1].run(None, {"frame": self._frame(bgr)})[0][0] > 0.52).astype(np.uint8)


class BlindWatermark(_BitsPeer):
    name = "blind-watermark"

    @staticmethod
    def _wm():
        import multiprocessing

        # blind_watermark calls multiprocessing.set_start_method('fork') when imported,
        # which fails in a worker whose start method is already set: let it be a no-op.
        original = multiprocessing.set_start_method
        multiprocessing.set_start_method = lambda *args, **kwargs: None
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                from blind_watermark import WaterMark
        finally:
            multiprocessing.set_start_method = original
        return WaterMark(password_img=1, password_wm=1)

    def _encode(self, bgr, bits):
        wm = self._wm()
        wm.read_img(img=bgr)
        wm.read_wm([bool(b) for b in bits], mode="bit")
        return wm.embed()

    def _decode(self, bgr):
        return (np.asarray(self._wm().extract(embed_img=bgr, wm_shape=BITS, mode="bit")) > 0.5).astype(np.uint8)


PEERS = {"dwtDct": DwtDct, "dwtDctSvd": DwtDctSvd, "rivaGan": RivaGan, "blind-watermark": BlindWatermark}
