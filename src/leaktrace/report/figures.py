"""The report's pictures: every recipient's score, and the leak beside its original.

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot, no global
state, safe in threads) in the report's palette, and returned as PNG bytes. Images are
shrunk with area averaging before they are drawn, so a figure stays ≤ 1200 px wide.

Large originals: the original is shrunk once, first, to the finest scale a panel shows
(:func:`_base_scale`), and everything is drawn from that copy; the aligned panel is warped
straight to twice its drawn size, never to the leak's full size. A 150 MP original and a
30 MP leak cost one copy of a few megapixels, not a full-size warp and its float copies.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from .data import Candidate

__all__ = ["score_plot", "leak_beside_original", "PALETTE", "MAX_PX"]

#: Colours shared with the report's CSS.
PALETTE = {
    "ink": "#1f2933",
    "muted": "#616e7c",
    "rule": "#cbd2d9",
    "faint": "#f3f4f6",
    "accent": "#1d3f72",
    "accused": "#b42318",
    "innocent": "#7b8794",
    "outline": "#e8590c",
}
#: Widest figure, in pixels.
MAX_PX = 1200
_DPI = 170
#: Most recipients drawn one per row; the rest are summarised (the table lists all).
MAX_ROWS = 40


@lru_cache(maxsize=1)
def _font() -> list[str]:
    have = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in ("Liberation Sans", "Arial", "Helvetica", "DejaVu Sans") if name in have] or ["sans-serif"]


def _figure(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=_DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure, fmt: str = "png") -> bytes:
    """Encode ``fig``: ``"png"``, ``"jpeg"``, or ``"auto"`` (PNG unless it is far larger than JPEG)."""
    if fmt not in ("png", "jpeg", "auto"):
        raise ValueError(f"unknown figure format {fmt!r}")
    if fmt == "png":
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=_DPI, facecolor="white", metadata={"Software": None})
        return buf.getvalue()
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]  # h w 3
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    if fmt == "jpeg":
        return jpeg
    png = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 6])[1].tobytes()
    return png if len(png) <= 2.5 * len(jpeg) else jpeg


def _style(ax) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(PALETTE["rule"])
    ax.tick_params(colors=PALETTE["muted"], labelsize=8, length=0, pad=4)
    ax.xaxis.grid(True, color=PALETTE["faint"], linewidth=0.8)
    ax.set_axisbelow(True)


def score_plot(candidates: Sequence[Candidate], threshold: float) -> bytes:
    """Every recipient's score as a dot on its own row, best first, with the threshold.

    Parameters
    ----------
    candidates : sequence of Candidate
        Every recipient tested (any order).
    threshold : float
        The score an accusation needs (τ*); NaN when nobody was tested.

    Returns
    -------
    png : bytes
        A PNG at most ``MAX_PX`` pixels wide.

    Examples
    --------
    >>> png = score_plot([Candidate("A", 1, 31.0, 1e-200, True), Candidate("B", 2, -0.4, 1.0, False)], 5.76)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    rows = sorted(candidates, key=lambda c: -float(c.score))
    hidden = rows[MAX_ROWS:]
    rows = rows[:MAX_ROWS]
    n = max(len(rows), 1)
    height = 0.9 + 0.24 * n + (0.25 if hidden else 0.0)
    fig = _figure(MAX_PX / _DPI, height)
    with _rc():
        ax = fig.add_axes((0.24, 0.55 / height, 0.72, 1 - 0.95 / height))
        _style(ax)
        scores = np.array([float(c.score) for c in rows], np.float64)  # n
        y = np.arange(len(rows))[::-1]  # best on top
        accused = np.array([bool(c.accused) for c in rows], bool)
        finite_tau = bool(np.isfinite(threshold))
        lo = min(0.0, float(scores.min()) if len(rows) else 0.0, -4.0)
        hi = max(float(scores.max()) if len(rows) else 0.0, threshold if finite_tau else 0.0, 8.0)
        pad = 0.06 * (hi - lo)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(-0.7, n - 0.3 + (0.35 if finite_tau else 0.0))
        ax.axvline(0.0, color=PALETTE["rule"], linewidth=0.8, zorder=1)
        for yi, s, a in zip(y, scores, accused):
            colour = PALETTE["accused"] if a else PALETTE["innocent"]
            ax.plot([0.0, s], [yi, yi], color=colour, linewidth=1.6 if a else 1.0, alpha=0.9 if a else 0.6, solid_capstyle="butt", zorder=2)
            ax.scatter([s], [yi], s=42 if a else 22, color=colour, zorder=3, linewidths=0)
            if a:
                ax.annotate(
                    f"{s:.1f}",
                    (s, yi),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                    fontweight="bold",
                    color=PALETTE["accused"],
                )
        if finite_tau:
            ax.axvline(threshold, color=PALETTE["accent"], linewidth=1.2, linestyle=(0, (4, 2)), zorder=1)
            right = threshold > lo + 0.6 * (hi - lo)  # label left of the line when it sits far right
            ax.annotate(
                f"threshold to name a recipient {threshold:.2f}",
                (threshold, n - 0.3 + 0.1),
                xytext=(-4 if right else 4, 0),
                textcoords="offset points",
                fontsize=8,
                color=PALETTE["accent"],
                va="bottom",
                ha="right" if right else "left",
            )
        ax.set_yticks(y, [_short(c.recipient) for c in rows])
        for label, a in zip(ax.get_yticklabels(), accused):
            label.set_color(PALETTE["accused"] if a else PALETTE["ink"])
            label.set_fontweight("bold" if a else "normal")
            label.set_fontsize(8.5)
        ax.set_xlabel("score T (near 0 when the leak is not from their copy)", fontsize=8, color=PALETTE["muted"])
        if hidden:
            best = max(float(c.score) for c in hidden)
            fig.text(
                0.24,
                0.08 / height,
                f"{len(hidden)} more recipients not drawn, all scoring {best:.2f} or less (see the table)",
                fontsize=7.5,
                color=PALETTE["muted"],
            )
        if not len(rows):
            ax.text(0.5, 0.5, "no recipient was tested", transform=ax.transAxes, ha="center", color=PALETTE["muted"])
        return _png(fig)


def _short(name: str, limit: int = 34) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _rc():
    import matplotlib

    return matplotlib.rc_context({"font.family": _font(), "svg.fonttype": "none"})


def _shrink(image: np.ndarray, width: int) -> np.ndarray:
    h, w = image.shape[:2]
    if w <= width:
        return image
    return cv2.resize(image, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)


def _resize_matrix(sx: float, sy: float) -> np.ndarray:
    """Pixel (x, y) → its place after a resize by (sx, sy), OpenCV's pixel-centre convention."""
    return np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5], [0.0, 0.0, 1.0]])


def _base_scale(to_panel: np.ndarray, panel_shape: tuple[int, int], least: float) -> float:
    """The scale (≤ 1) to shrink the original to before it is warped into a panel.

    ``to_panel`` maps original pixels to panel pixels. The panel's most magnified corner
    sets it: there one panel pixel should cover about one pixel of the shrunk original
    (finer would only be averaged away, coarser would blur). Never below ``least``, the
    scale another panel draws the original at.
    """
    h, w = panel_shape
    inverse = np.linalg.inv(np.asarray(to_panel, np.float64))
    corners = np.float64([[0, 0], [w, 0], [w, h], [0, h]])
    spans = []
    for x, y in corners:
        pts = cv2.perspectiveTransform(np.float64([[[x, y]], [[x + 1, y]], [[x, y + 1]]]), inverse).reshape(3, 2)
        (ax, ay), (bx, by) = pts[1] - pts[0], pts[2] - pts[0]
        jac = abs(float(ax * by - ay * bx))  # original px² per panel px²
        spans.append(np.sqrt(jac))
    finest = min(spans)  # original px per panel px where the panel is most magnified
    if not np.isfinite(finest) or finest <= 0:
        return 1.0
    return float(min(1.0, max(least, 1.0 / finest)))


def _footprint(homography: np.ndarray, leak_shape: tuple[int, int]) -> np.ndarray:
    """The leak's corners mapped into the original's frame (4, 2), pixels."""
    h, w = leak_shape
    corners = np.float64([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(corners, np.linalg.inv(np.asarray(homography, np.float64))).reshape(-1, 2)


def _panel(ax, image: np.ndarray, title: str, letter: str) -> None:
    ax.imshow(image, interpolation="lanczos" if image.shape[1] < 200 else "antialiased")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color(PALETTE["rule"])
        spine.set_linewidth(0.8)
    ax.set_title(f"({letter})  {title}", loc="left", fontsize=9, color=PALETTE["ink"], pad=5)


def leak_beside_original(
    leak: np.ndarray, original: np.ndarray, homography: np.ndarray | None, valid_mask: np.ndarray | None, *, fmt: str = "png"
) -> bytes:
    """The leak, the original aligned onto it, and the original with the leak's footprint.

    Parameters
    ----------
    leak : (h, w, 3) uint8 ndarray
    original : (H, W, 3) uint8 ndarray
    homography : (3, 3) float ndarray or None
        Maps original pixel coordinates to leak pixel coordinates. ``None`` (no alignment):
        the two images are shown side by side, nothing outlined.
    valid_mask : (H, W) bool ndarray or None
        In the original's frame, the pixels compared; the rest of the original is dimmed.
    fmt : {"png", "jpeg", "auto"}
        ``"auto"`` keeps PNG (crisp lines of drawings) unless it is over 2.5× the JPEG (photos).

    Returns
    -------
    image : bytes, PNG (or JPEG), at most ``MAX_PX`` pixels wide

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> original = rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)
    >>> leak = np.ascontiguousarray(original[10:50, 20:70])
    >>> h = np.float64([[1, 0, -20], [0, 1, -10], [0, 0, 1]])
    >>> leak_beside_original(leak, original, h, None)[:4] == b"\\x89PNG"
    True
    """
    half = MAX_PX // 2
    small_leak = _shrink(leak, half)
    with _rc():
        if homography is None:
            small_orig = _shrink(original, half)
            aspect = max(small_leak.shape[0] / small_leak.shape[1], small_orig.shape[0] / small_orig.shape[1])
            fig = _figure(MAX_PX / _DPI, MAX_PX / _DPI / 2 * aspect + 0.45)
            grid = fig.add_gridspec(1, 2, left=0.01, right=0.99, top=1 - 0.4 / fig.get_figheight(), bottom=0.02, wspace=0.04)
            _panel(fig.add_subplot(grid[0, 0]), small_leak, "The leak, as found", "a")
            _panel(fig.add_subplot(grid[0, 1]), small_orig, "The confidential original", "b")
            return _png(fig, fmt)

        hom = np.asarray(homography, np.float64)
        lh, lw = leak.shape[:2]
        oh, ow = original.shape[:2]
        # the panels' sizes: (b) the aligned original at twice the shrunk leak's size (then
        # area-shrunk to it), (c) the original at most 0.7 × MAX_PX wide
        bh, bw = min(lh, 2 * small_leak.shape[0]), min(lw, 2 * small_leak.shape[1])
        to_b = _resize_matrix(bw / lw, bh / lh) @ hom  # original px → panel (b) px
        scale = min(1.0, MAX_PX * 0.7 / ow)
        f = _base_scale(to_b, (bh, bw), scale)
        base = original if f >= 1.0 else _shrink(original, max(1, round(ow * f)))
        fx, fy = base.shape[1] / ow, base.shape[0] / oh
        from_base = to_b @ np.linalg.inv(_resize_matrix(fx, fy))  # base px → panel (b) px
        aligned = cv2.warpPerspective(base, from_base, (bw, bh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
        small_aligned = (
            aligned if aligned.shape[:2] == small_leak.shape[:2] else cv2.resize(aligned, small_leak.shape[1::-1], interpolation=cv2.INTER_AREA)
        )

        # the original, dimmed outside the compared region, with the leak's outline
        shown = _shrink(base, max(1, round(ow * scale))).astype(np.float32)
        sh, sw = shown.shape[:2]
        if valid_mask is not None:
            m = cv2.resize(np.asarray(valid_mask, np.uint8) * 255, (sw, sh), interpolation=cv2.INTER_AREA) / 255.0
        else:
            m = np.ones((sh, sw), np.float32)
        shown = (shown * (0.35 + 0.65 * m[..., None]) + 255 * 0.65 * (1 - m[..., None])).clip(0, 255).astype(np.uint8)
        poly = _footprint(hom, (lh, lw)) * [sw / ow, sh / oh]

        a_leak = small_leak.shape[0] / small_leak.shape[1]
        a_orig = sh / sw
        width_in = MAX_PX / _DPI
        top_h = width_in / 2 * a_leak
        bottom_h = width_in * 0.7 * a_orig
        title_h = 0.32
        fig = _figure(width_in, top_h + bottom_h + 2 * title_h + 0.2)
        fh = fig.get_figheight()
        top = fig.add_gridspec(1, 2, left=0.005, right=0.995, top=1 - title_h / fh, bottom=1 - (title_h + top_h) / fh, wspace=0.03)
        _panel(fig.add_subplot(top[0, 0]), small_leak, "The leak, as found", "a")
        _panel(fig.add_subplot(top[0, 1]), small_aligned, "Our original, placed where the leak shows it", "b")
        ax = fig.add_axes((0.15, 0.01, 0.7, bottom_h / fh))
        _panel(ax, shown, "Our original; the outline is the part the leak shows", "c")
        ax.add_patch(Polygon(poly, closed=True, fill=False, edgecolor=PALETTE["outline"], linewidth=1.8, joinstyle="round"))
        ax.set_xlim(-0.5, sw - 0.5)
        ax.set_ylim(sh - 0.5, -0.5)
        return _png(fig, fmt)
