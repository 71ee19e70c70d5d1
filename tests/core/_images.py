"""Synthetic assets shared by the engine tests: a line drawing (the seed case) and a smooth render."""

import cv2
import numpy as np


def line_drawing(h=512, w=512):
    """White paper, thin 1-2 px dark lines, hatching and text (the seed case)."""
    img = np.full((h, w), 255, np.uint8)
    cv2.ellipse(img, (w // 2, int(h * 0.55)), (w * 2 // 5, h // 6), 0, 180, 360, 20, 2, cv2.LINE_AA)
    cv2.ellipse(img, (w // 2, int(h * 0.55)), (w * 7 // 20, h // 7), 0, 180, 360, 40, 1, cv2.LINE_AA)
    for cx in (w // 4, 3 * w // 4):
        cv2.circle(img, (cx, int(h * 0.7)), w // 12, 0, 2, cv2.LINE_AA)
    for i in range(0, w // 4, 6):
        cv2.line(img, (int(w * 0.6) + i, h // 12), (int(w * 0.68) + i, h // 5), 60, 1, cv2.LINE_AA)
    for j, txt in enumerate(["FRONT BUMPER REV C", "PART 4471-B SCALE 1:5"]):
        cv2.putText(img, txt, (w // 25, int(h * 0.87) + 18 * j), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    cv2.rectangle(img, (4, 4), (w - 5, h - 5), 0, 1)
    return np.stack([img] * 3, -1)


def smooth_render(h=512, w=512):
    """A grey gradient backdrop with two shaded, specular spheres."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    bg = 90 + 60 * (yy / h)
    img = np.stack([bg, bg, bg * 1.02], -1)
    for cx, cy, r, col in [(0.35, 0.5, 0.22, (200, 40, 40)), (0.7, 0.45, 0.15, (180, 180, 190))]:
        cx, cy, r = cx * w, cy * h, r * min(h, w)
        d2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / r**2
        nz = np.sqrt(np.clip(1 - d2, 0, 1))
        nx, ny = (xx - cx) / r, (yy - cy) / r
        shade = np.clip(0.3 + 0.7 * np.clip(-0.5 * nx - 0.5 * ny + 0.7 * nz, 0, 1), 0, 1)
        spec = np.clip(-0.4 * nx - 0.4 * ny + 0.82 * nz, 0, 1) ** 30
        for c in range(3):
            img[..., c] = np.where(d2 < 1, col[c] * shade + 204 * spec, img[..., c])
    return np.clip(np.rint(cv2.GaussianBlur(img, (0, 0), 0.7)), 0, 255).astype(np.uint8)
