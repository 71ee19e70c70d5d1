"""Attacks the bench adds to ``leaktrace.evaluation.ATTACKS`` (same ``(image, rng) -> image`` shape).

``avif``: AVIF at quality 30–60 through Pillow's AVIF plugin, present only when
``PIL.features.check("avif")`` (Pillow ≥ 11.3 wheels). The core cannot import PIL (its
import contract), so the attack lives here until the engine grows an encoder for it.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, features

from leaktrace.evaluation import ATTACKS, LINE_ART_ATTACKS


def _avif(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="AVIF", quality=int(rng.integers(30, 61)), speed=10)
    buf.seek(0)
    with Image.open(buf) as im:
        return np.ascontiguousarray(np.asarray(im.convert("RGB")))


def bench_attacks() -> dict:
    """The core's 39 attacks (29, and issue 11's ten line-art leaks), plus ``avif`` when Pillow can encode it."""
    table = dict(ATTACKS)
    if features.check("avif"):
        table["avif"] = _avif
    return table


#: How the tables group attacks; "chains" are multi-step real-world scenarios; "line art" the leaks that
#: keep only where the lines are (issue 11: 1-bit clean-ups, posterising, print-and-scan, redraw, bending, denoisers).
GROUPS = {
    "codecs": ["jpeg90", "jpeg75", "jpeg50", "jpeg30", "webp", "avif"],
    "resize & crop": ["downscale50", "downscale25", "thumbnail360", "crop50", "crop25", "crop10", "stretch"],
    "rotate & mirror": ["rotate2", "rotate10", "rotate45", "mirror"],
    "tone & noise": ["brightness", "contrast", "gamma", "saturation", "grayscale", "blur", "noise"],
    "chains": ["sticker", "screenshot", "social", "phone", "document", "double_jpeg"],
    "line art": list(LINE_ART_ATTACKS),
}
