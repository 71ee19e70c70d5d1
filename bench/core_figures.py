"""Figures of leaktrace alone on the bundled samples and scikit-image photos (not a test).

Prints PSNR/SSIM per image, identification rate and false accusations per attack at
N = 16 and ε = 1e-6, and embed seconds per megapixel per recipient. Run:
``.venv/bin/python bench/core_figures.py [--trials 2]``.
"""

from __future__ import annotations

import argparse
import json
import time

from skimage import data

from leaktrace import imagefiles
from leaktrace.evaluation import evaluate
from leaktrace.samples import SAMPLES, sample_path

ATTACKS = [
    "jpeg90",
    "jpeg75",
    "jpeg50",
    "downscale50",
    "downscale25",
    "crop50",
    "crop25",
    "rotate2",
    "brightness",
    "contrast",
    "gamma",
    "blur",
    "screenshot",
    "mirror",
    "social",
]


def images():
    out = {name: imagefiles.read_image(sample_path(name)) for name in SAMPLES}
    out.update({"astronaut": data.astronaut(), "coffee": data.coffee(), "chelsea": data.chelsea(), "rocket": data.rocket()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=1)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    ev = evaluate(images(), ATTACKS, n_recipients=16, epsilon=1e-6, trials=args.trials, extra_innocents=200, seed=5)
    print(f"{'image':<16} PSNR dB  SSIM")
    for name in ev.psnr:
        print(f"{name:<16} {ev.psnr[name]:6.2f}  {ev.ssim[name]:.4f}")
    print(f"\n{'attack':<12} identified  false  min leaker T")
    for name, r in ev.attacks.items():
        low = min(r.leaker_scores) if r.leaker_scores else float("nan")
        print(f"{name:<12} {r.identified:>3}/{r.n:<3}      {r.false_accusations}      {low:6.1f}")
    s = ev.innocent_scores
    print(f"\ninnocent scores: n={s.size} mean={s.mean():.3f} std={s.std():.3f} max={s.max():.2f}")
    print(f"embed {ev.embed_s_per_mp:.4f} s/MP/recipient; trace {ev.trace_s_per_mp:.2f} s/MP of leak; total {time.perf_counter() - start:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"psnr": ev.psnr, "ssim": ev.ssim, "attacks": {k: v.to_dict() for k, v in ev.attacks.items()}}, f, indent=2)


if __name__ == "__main__":
    main()
