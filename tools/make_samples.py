"""Make the bundled sample assets of leaktrace (run once; the PNGs are committed).

Every picture is drawn from code and a fixed seed by :mod:`leaktrace.samples.synthetic`,
so the project owns them outright (no third-party image); this tool writes them as PNG.
Run: ``python tools/make_samples.py``.

- ``render_photo.png``: a photo-like render of a concept car in a studio-yard scene,
  with textured asphalt, a sky, reflections and sensor noise (1600×1000).
- ``drawing_bumper.png``: a technical line drawing of a front and a rear bumper that
  mirror each other, with hatching, dimensions and a title block (1800×1200).
- ``render_smooth.png``: a smooth shaded render of a body panel on a grey studio
  backdrop, all gradients and soft highlights (1600×1000).
- ``tender_package.pdf``: the tender package T-2027-14 (title page, conditions, two A3
  vector drawings of the bumper covers, a page of renders), written by pikepdf.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from leaktrace.samples.synthetic import SAMPLE_SEED, drawing_bumper, render_photo, render_smooth, tender_package

OUT = Path(__file__).resolve().parents[1] / "src" / "leaktrace" / "samples"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, image in [
        ("render_photo", render_photo(SAMPLE_SEED)),
        ("drawing_bumper", drawing_bumper()),
        ("render_smooth", render_smooth(SAMPLE_SEED)),
    ]:
        cv2.imwrite(str(OUT / f"{name}.png"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        print(name, image.shape, (OUT / f"{name}.png").stat().st_size)
    (OUT / "tender_package.pdf").write_bytes(tender_package(SAMPLE_SEED))
    print("tender_package", (OUT / "tender_package.pdf").stat().st_size)


if __name__ == "__main__":
    main()
