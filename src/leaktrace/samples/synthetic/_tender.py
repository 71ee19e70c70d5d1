"""A tender package as PDF, written operator by operator: the bundled document asset.

Title page, tender conditions (Helvetica text, a numbered list, ruled tables), two A3 vector
drawings of the bumper covers (Bézier outlines, clipped hatching, dimensions, centre lines,
a bolt-hole Form XObject, frame and title block) and a page of renders (one Flate, one JPEG image).
Only pikepdf writes it; the fonts are the standard 14 (not embedded), the text is ASCII.
"""

from __future__ import annotations

import io
import zlib

import cv2
import numpy as np
import pikepdf
from pikepdf import Array, Dictionary, Name

from ._photos import SAMPLE_SEED, render_photo
from ._renders import render_smooth

A4, A3 = (595, 842), (1191, 842)
MM = 72 / 25.4
KAPPA = 0.5523  # Bézier control distance of a quarter circle, in radii
INK, RED, BLUE = (0.1, 0.1, 0.12), (0.72, 0.08, 0.1), (0.07, 0.2, 0.4)
# Helvetica and Helvetica-Bold advance widths of ASCII 32..126 (Adobe AFM), 1/1000 em.
_W = {
    "F1": list(
        map(
            int,
            "278 278 355 556 556 889 667 222 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 278 278 584 584 584 556 1015 "
            "667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 222 556 556 "
            "500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584".split(),
        )
    ),
    "F2": list(
        map(
            int,
            "278 333 474 556 556 889 722 278 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 333 333 584 584 584 611 975 "
            "722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 278 556 611 "
            "556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584".split(),
        )
    ),
}
_TITLE, _DATE = "Request for quotation T-2027-14", "15 November 2026"


def _n(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _width(text: str, size: float, font: str = "F1") -> float:
    return sum(_W[font][ord(c) - 32] for c in text) * size / 1000


def _wrap(text: str, width: float, size: float, font: str = "F1") -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and _width(f"{line} {word}", size, font) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def _lit(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


class _Ops:
    """A content stream under construction: PDF operators in user space (points, origin bottom left)."""

    def __init__(self) -> None:
        self.ops: list[str] = []

    def __call__(self, op: str, *args: float | str) -> _Ops:
        self.ops.append(" ".join([*(a if isinstance(a, str) else _n(a) for a in args), op]))
        return self

    def style(self, width: float, rgb=INK, dash: str = "[] 0") -> _Ops:
        return self("w", width)("RG", *rgb)("d", dash)

    def seg(self, x1, y1, x2, y2) -> _Ops:
        return self("m", x1, y1)("l", x2, y2)

    def circle(self, cx, cy, r) -> _Ops:
        k = KAPPA * r
        self("m", cx + r, cy)("c", cx + r, cy + k, cx + k, cy + r, cx, cy + r)("c", cx - k, cy + r, cx - r, cy + k, cx - r, cy)
        return self("c", cx - r, cy - k, cx - k, cy - r, cx, cy - r)("c", cx + k, cy - r, cx + r, cy - k, cx + r, cy)

    def rounded(self, pts, r) -> _Ops:
        """A closed polygon whose corners are rounded by Béziers of radius ``r``."""
        pts = np.asarray(pts, float)
        for i, p in enumerate(pts):
            a, b = pts[i - 1] - p, pts[(i + 1) % len(pts)] - p
            a, b = p + a / np.hypot(*a) * r, p + b / np.hypot(*b) * r
            self("l" if i else "m", *a)("c", *(a + KAPPA * (p - a)), *(b + KAPPA * (p - b)), *b)
        return self("h")

    def text(self, x, y, text: str, size: float = 10, font: str = "F1", align: str = "left", rgb=INK) -> _Ops:
        x -= {"left": 0, "centre": _width(text, size, font) / 2, "right": _width(text, size, font)}[align]
        return self("BT")("rg", *rgb)("Tf", f"/{font}", size)("Td", x, y)("Tj", _lit(text))("ET")

    def lines(self, x, y, lines: list[str], size: float = 10, font: str = "F1", leading: float = 13.5) -> _Ops:
        """Lines set with ``TL`` and ``T*``, as text generators do."""
        self("BT")("rg", *INK)("Tf", f"/{font}", size)("TL", leading)("Td", x, y)("Tj", _lit(lines[0]))
        for line in lines[1:]:
            self("T*")("Tj", _lit(line))
        return self("ET")

    def hatch(self, x0, y0, x1, y1, step, angle=45) -> _Ops:
        """Parallel lines at ``angle`` degrees covering a box; clip first."""
        t = np.tan(np.radians(angle))
        span = (y1 - y0) / t if abs(t) > 1e-9 else 0
        for x in np.arange(min(x0, x0 - span), max(x1, x1 - span) + step, step / abs(np.sin(np.radians(angle)))):
            self.seg(x, y0, x + span, y1)
        return self

    def bytes(self) -> bytes:
        return ("\n".join(self.ops) + "\n").encode("ascii")


# ---------------------------------------------------------------- A4 pages


def _frame_a4(ops: _Ops, number: int, total: int) -> None:
    ops.text(72, 800, f"Nordwerk Automotive GmbH  |  {_TITLE}  |  Front and rear bumper assembly", 8)
    ops.text(523, 800, "CONFIDENTIAL", 8, "F2", "right", RED)
    ops.style(0.5)("m", 72, 794)("l", 523, 794)("S").seg(72, 56, 523, 56)("S")
    ops.text(72, 44, f"Issue 1, {_DATE}", 8).text(523, 44, f"Page {number} of {total}", 8, align="right")


def _logo(ops: _Ops, x: float, y: float, s: float) -> None:
    ops("q")("rg", *BLUE)("cm", s, 0, 0, s, x, y).rounded([(0, 0), (40, 0), (40, 40), (0, 40)], 6)("f")
    ops("rg", 1, 1, 1)("m", 9, 8)("l", 15, 8)("l", 15, 24)("l", 25, 8)("l", 31, 8)("l", 31, 32)("l", 25, 32)("l", 25, 16)("l", 15, 32)("l", 9, 32)(
        "h"
    )("f")
    ops("RG", *RED)("w", 2.2)("m", 4, 4)("c", 16, 12, 30, 12, 46, 2)("S")("Q")


def _title_page(ops: _Ops, contents: list[str], total: int) -> None:
    _logo(ops, 72, 716, 1.6)
    ops.text(152, 752, "Nordwerk Automotive", 22, "F2", rgb=BLUE).text(152, 734, "Purchasing - Exterior and Body Systems", 11)
    ops.style(0.7, BLUE).seg(72, 700, 523, 700)("S")
    ops.text(72, 620, _TITLE, 24, "F2").text(72, 590, "Front and rear bumper assembly", 16)
    ops.text(72, 570, "Vehicle programme NW-27, start of production 2029", 11)
    info = [
        ("Issue date", _DATE),
        ("Closing date", "18 December 2026, 12:00 CET"),
        ("Commodity", "Exterior trim, bumper systems"),
        ("Buyer", "M. Lindqvist, Purchasing Exterior"),
        ("Reference", "RFQ T-2027-14, issue 1"),
    ]
    for i, (key, value) in enumerate(info):
        ops.text(72, 520 - 16 * i, key, 10.5, "F2").text(180, 520 - 16 * i, value, 10.5)
    ops.text(72, 420, "Contents of this package", 11, "F2").lines(84, 402, contents, 10.5, leading=15)
    ops.style(0.7, RED)("re", 72, 110, 451, 92)("S")
    ops.text(84, 184, "CONFIDENTIAL - FOR QUOTATION PURPOSES ONLY", 10.5, "F2", rgb=RED)
    note = (
        "This document and its annexes are the property of Nordwerk Automotive GmbH. They are disclosed to the addressee "
        "solely to prepare a quotation and must not be copied, shown or passed to third parties without written consent. "
        "Each copy is registered to its recipient."
    )
    ops.lines(84, 166, _wrap(note, 427, 9.5), 9.5, leading=12.5)
    _frame_a4(ops, 1, total)


class _Flow:
    """Top-down text flow on an A4 page: headings, paragraphs, numbered lists, ruled tables."""

    def __init__(self, ops: _Ops, y: float = 760) -> None:
        self.ops, self.y, self.x, self.width = ops, y, 72.0, 451.0

    def heading(self, text: str) -> None:
        self.y -= 0 if self.y > 750 else 8
        self.ops.text(self.x, self.y - 12, text, 12, "F2")
        self.y -= 28

    def para(self, text: str, size: float = 10.5) -> None:
        lines = _wrap(text, self.width, size)
        self.ops.lines(self.x, self.y - size, lines, size, leading=13.5)
        self.y -= 13.5 * len(lines) + 8

    def numbered(self, items: list[str], size: float = 10.5) -> None:
        for i, item in enumerate(items, 1):
            lines = _wrap(item, self.width - 20, size)
            self.ops("BT")("rg", *INK)("Tf", "/F1", size)("TL", 13.5)("Td", self.x, self.y - size)("Tj", _lit(f"{i}."))("Td", 20, 0)
            self.ops("Tj", _lit(lines[0]))
            for line in lines[1:]:
                self.ops("T*")("Tj", _lit(line))
            self.ops("ET")
            self.y -= 13.5 * len(lines) + 4
        self.y -= 6

    def table(self, caption: str, widths: list[float], rows: list[tuple[str, ...]], size: float = 9) -> None:
        ops, h, x = self.ops, 16.0, self.x
        ops.text(x, self.y - 10, caption, 10, "F2")
        top = self.y - 18
        bottom = top - h * len(rows)
        ops("rg", 0.88, 0.9, 0.93)("re", x, top - h, sum(widths), h)("f").style(0.4)
        for i in range(len(rows) + 1):
            ops.seg(x, top - h * i, x + sum(widths), top - h * i)
        for edge in np.cumsum([0, *widths]):
            ops.seg(x + edge, top, x + edge, bottom)
        ops("S")("BT")("rg", *INK)
        for i, row in enumerate(rows):
            ops("Tf", "/F2" if i == 0 else "/F1", size)
            for edge, cell in zip(np.cumsum([0, *widths[:-1]]), row):
                ops("Tm", 1, 0, 0, 1, x + edge + 4, top - h * i - 11.5)("Tj", _lit(cell))
        ops("ET")
        self.y = bottom - 18


_PARTS = [
    ("Item", "Part number", "Description", "Material", "Volume/year", "Tolerance"),
    ("1", "NW27-2801-001", "Bumper cover, front", "PP/EPDM-T20", "145 000", "ISO 2768-m"),
    ("2", "NW27-2801-002", "Bumper cover, rear", "PP/EPDM-T20", "145 000", "ISO 2768-m"),
    ("3", "NW27-2805-010", "Energy absorber, front", "EPP 45 g/l", "145 000", "+/-1.0 mm"),
    ("4", "NW27-2805-020", "Crossbeam, front", "EN AW-6082 T6", "145 000", "+/-0.5 mm"),
    ("5", "NW27-2807-030", "Grille insert, lower", "PC/ABS", "145 000", "+/-0.3 mm"),
    ("6", "NW27-2809-040", "Sensor bracket", "PA6-GF30", "580 000", "+/-0.2 mm"),
]
_MILESTONES = [
    ("Milestone", "Content", "Date"),
    ("Nomination", "Letter of nomination, tooling order", "March 2027"),
    ("Off-tool samples", "First parts from series tools, dimensional report", "January 2028"),
    ("PPAP", "Production part approval, level 3", "June 2028"),
    ("Run at rate", "Two-day run at series rate, 950 parts per day", "September 2028"),
    ("SOP", "Start of production NW-27", "February 2029"),
]


def _conditions(ops: _Ops, number: int, total: int) -> None:
    f = _Flow(ops)
    f.heading("1  Purpose of this request")
    f.para(
        "Nordwerk Automotive GmbH (the Purchaser) invites the addressee to submit a binding quotation for the development, "
        "tooling, validation and series supply of the front and rear bumper assembly of vehicle programme NW-27. This package "
        "consists of these conditions, drawings T-2027-14-001 and T-2027-14-002 and the design intent renders of Annex C. "
        "The drawings govern wherever the renders differ from them."
    )
    f.para(
        "The supplier shall be responsible for the design of the tools, the process and the validation of the parts to the "
        "Purchaser specifications listed in the drawings. Class A surfaces are released by the Purchaser design studio only."
    )
    f.heading("2  Conditions of quotation")
    f.numbered(
        [
            "Quotations shall be submitted through the supplier portal no later than 18 December 2026, 12:00 CET. Late quotations will not be considered.",
            "Prices shall be quoted in EUR per piece, FCA Purchaser plant, with tooling costs stated separately and amortised over no more than 300 000 vehicles.",
            "The quotation shall remain valid for 180 days from the closing date.",
            "Deviations from the drawings or from these conditions shall be listed in a deviation sheet; deviations not listed are deemed not to exist.",
            "The supplier bears all costs of preparing the quotation. A quotation does not oblige the Purchaser to place an order.",
        ]
    )
    f.heading("3  Parts, volumes and tolerances")
    f.para("The quotation covers the parts below. Volumes are planning figures per year at peak and are not a commitment.")
    f.table("Table 1 - Parts, annual volumes and general tolerances", [30, 82, 112, 82, 70, 75], _PARTS)
    f.para(
        "Gap and flush to adjacent parts: gap 4.0 +/-0.5 mm, flush 0.0 +/-0.7 mm, measured in vehicle coordinates on the "
        "Purchaser checking fixture at 23 C after 24 hours of conditioning."
    )
    _frame_a4(ops, number, total)


def _quality(ops: _Ops, number: int, total: int) -> None:
    f = _Flow(ops)
    f.heading("4  Quality and validation")
    f.para(
        "The supplier shall hold a valid IATF 16949 certificate and run an advanced product quality planning process with "
        "the Purchaser. Validation covers pedestrian protection, low speed impact at 4 km/h, paint adhesion, stone chip, "
        "heat ageing at 90 C for 1000 hours and climate cycling from -40 C to 85 C."
    )
    f.numbered(
        [
            "Dimensional capability: Cpk of at least 1.67 on all characteristics marked as special in the drawings.",
            "Colour and gloss match to the Purchaser master panel, delta E below 0.8 under D65 light.",
            "Sensor holes shall be free of flash and paint runs; the sensor bracket position tolerance is 0.2 mm.",
        ]
    )
    f.heading("5  Schedule")
    f.table("Table 2 - Programme milestones", [95, 250, 106], _MILESTONES)
    f.heading("6  Confidentiality")
    f.para(
        "All information in this package is confidential. The addressee shall restrict access to persons who need it to prepare "
        "the quotation, keep a record of them and return or destroy all copies if no quotation is submitted. Every copy of this "
        "package is individual to its recipient, so that a disclosure can be traced to the copy it came from."
    )
    _frame_a4(ops, number, total)


def _renders(ops: _Ops, number: int, total: int) -> None:
    f = _Flow(ops)
    f.heading("Annex C - Design intent renders")
    f.para("The renders show design intent only and are not to scale. Colours are indicative; the drawings govern.")
    for i, (name, caption) in enumerate(
        [("Im1", "Figure 1 - Body panel surface study, shaded render"), ("Im2", "Figure 2 - Concept car LT-07 in context, design render")]
    ):
        y = f.y - 282
        ops("q")("cm", 451, 0, 0, 281.88, 72, y)("Do", f"/{name}")("Q").style(0.4)("re", 72, y, 451, 281.88)("S")
        ops.text(72, y - 14, caption, 9.5)
        f.y = y - 32 - 8 * i
    _frame_a4(ops, number, total)


# ---------------------------------------------------------------- A3 drawings


def _hole_form() -> bytes:
    """The bolt-hole symbol: a circle of radius 3.5 pt with a dash-dot centre cross."""
    ops = _Ops().style(0.45).circle(0, 0, 3.5)("S")
    return ops.style(0.25, dash="[3 1 0.6 1] 0").seg(-6.5, 0, 6.5, 0).seg(0, -6.5, 0, 6.5)("S").bytes()


def _sheet(ops: _Ops, title: str, number: str, sheet: str) -> None:
    w, h = A3
    ops.style(0.7)("re", 20, 20, w - 40, h - 40)("S").style(0.35)("re", 12, 12, w - 24, h - 24)("S")
    for i in range(8):
        x = 20 + (w - 40) * (i + 0.5) / 8
        ops.text(x, h - 19, str(i + 1), 7, align="centre").text(x, 14, str(i + 1), 7, align="centre")
        if i:
            ops.seg(20 + (w - 40) * i / 8, 12, 20 + (w - 40) * i / 8, 20).seg(20 + (w - 40) * i / 8, h - 20, 20 + (w - 40) * i / 8, h - 12)
    for i in range(6):
        y = 20 + (h - 40) * (i + 0.5) / 6
        ops.text(16, y - 2.5, "FEDCBA"[i], 7, align="centre").text(w - 16, y - 2.5, "FEDCBA"[i], 7, align="centre")
        if i:
            ops.seg(12, 20 + (h - 40) * i / 6, 20, 20 + (h - 40) * i / 6).seg(w - 20, 20 + (h - 40) * i / 6, w - 12, 20 + (h - 40) * i / 6)
    ops("S")
    x0, y0, bw = w - 420, 20, 400
    ops.style(0.7)("re", x0, y0, bw, 126)("S").style(0.35)
    ops.seg(x0, y0 + 28, x0 + 325, y0 + 28).seg(x0, y0 + 56, x0 + bw, y0 + 56).seg(x0, y0 + 84, x0 + bw, y0 + 84)
    ops.seg(x0 + 250, y0, x0 + 250, y0 + 84).seg(x0 + 150, y0, x0 + 150, y0 + 56).seg(x0 + 325, y0, x0 + 325, y0 + 56)("S")
    cells = [
        (x0 + 4, y0 + 108, "Nordwerk Automotive GmbH", 13, "F2"),
        (x0 + 254, y0 + 108, "CONFIDENTIAL - RFQ T-2027-14", 9, "F2"),
        (x0 + 4, y0 + 64, title, 11, "F2"),
        (x0 + 254, y0 + 64, f"Drawing no. {number}", 9, "F1"),
        (x0 + 4, y0 + 36, "Material: PP/EPDM-T20, UV stabilised", 8, "F1"),
        (x0 + 154, y0 + 36, "Drawn: J. Berg", 8, "F1"),
        (x0 + 254, y0 + 36, "Scale 1:8 / 1:4", 8, "F1"),
        (x0 + 4, y0 + 8, "General tolerances ISO 2768-m", 8, "F1"),
        (x0 + 154, y0 + 8, "Checked: A. Okafor", 8, "F1"),
        (x0 + 254, y0 + 8, "Rev. B  10.11.2026", 8, "F1"),
    ]
    for x, y, text, size, font in cells:
        ops.text(x, y, text, size, font)
    px, py = x0 + 336, y0 + 14  # first-angle projection symbol
    ops.style(0.35)("m", px, py)("l", px + 22, py + 6)("l", px + 22, py + 22)("l", px, py + 28)("h")("S").circle(px + 40, py + 14, 14)("S").circle(
        px + 40, py + 14, 8
    )("S")
    ops.text(x0 + 254, y0 + 90, f"Sheet {sheet}    Dimensions in mm", 8)


def _arrow(ops: _Ops, x, y, dx, dy) -> None:
    n = np.hypot(dx, dy)
    ux, uy = dx / n, dy / n
    ops("m", x, y)("l", x - 7 * ux + 2 * uy, y - 7 * uy - 2 * ux)("l", x - 7 * ux - 2 * uy, y - 7 * uy + 2 * ux)("h")


def _dim(ops: _Ops, p, q, offset: float, label: str) -> None:
    """A dimension between points ``p`` and ``q``, its line ``offset`` points to their left, arrowheads in, text above."""
    (x1, y1), (x2, y2) = p, q
    n = np.hypot(x2 - x1, y2 - y1)
    nx, ny = -(y2 - y1) / n * offset, (x2 - x1) / n * offset
    ex, ey = np.sign(offset) * nx / abs(offset) * 4, np.sign(offset) * ny / abs(offset) * 4
    ops.style(0.25).seg(x1 + ex / 2, y1 + ey / 2, x1 + nx + ex, y1 + ny + ey).seg(x2 + ex / 2, y2 + ey / 2, x2 + nx + ex, y2 + ny + ey)
    ops.seg(x1 + nx, y1 + ny, x2 + nx, y2 + ny)("S")("rg", *INK)
    _arrow(ops, x1 + nx, y1 + ny, x1 - x2, y1 - y2)
    _arrow(ops, x2 + nx, y2 + ny, x2 - x1, y2 - y1)
    ops("f")
    mx, my = (x1 + x2) / 2 + nx, (y1 + y2) / 2 + ny
    angle = np.arctan2(y2 - y1, x2 - x1)
    c, s = np.cos(angle), np.sin(angle)
    tw = _width(label, 8)
    ops("BT")("Tf", "/F1", 8)("Tm", c, s, -s, c, mx - c * tw / 2 - s * 2, my - s * tw / 2 + c * 2)("Tj", _lit(label))("ET")


def _bumper(ops: _Ops, rear: bool) -> None:
    """Front view (1:8), plan view (1:8) and section (1:4) of a bumper cover; ``rear`` draws the rear one."""
    k = MM / 8
    ox, oy = 372, 560
    P = lambda x, y: (ox + x * k, oy + y * k)  # front view, mm
    Q = lambda x, y: (ox + x * k, 470 + y * k)  # plan view, mm
    path = lambda pts_fn, segs: [ops(op, *[c for xy in zip(v[::2], v[1::2]) for c in pts_fn(*xy)]) for op, *v in segs]
    top = 440 if rear else 480
    outline = [
        ("m", -700, 0),
        ("l", 700, 0),
        ("c", 820, 0, 900, 80, 900, 180),
        ("l", 900, top - 100),
        ("c", 900, top - 40, 870, top, 820, top),
        ("c", 300, top - 12, -300, top - 12, -820, top),
        ("c", -870, top, -900, top - 40, -900, top - 100),
        ("l", -900, 180),
        ("c", -900, 80, -820, 0, -700, 0),
        ("h",),
    ]
    ops.style(0.7)
    path(P, outline)
    ops("S").style(0.35)
    path(P, [("m", -880, 300), ("c", -500, 270, 500, 270, 880, 300)])
    ops("S")
    openings = []
    if rear:
        diffuser = [P(-560, 30), P(560, 30), P(500, 120), P(-500, 120)]
        for side in (-1, 1):
            openings.append([P(side * 720, 50), P(side * 560, 50), P(side * 560, 130), P(side * 720, 130)])
            ops.rounded([P(side * 850, 260), P(side * 720, 260), P(side * 720, 290), P(side * 850, 290)], 3)("S")
    else:
        diffuser = [P(-560, 40), P(560, 40), P(520, 140), P(-520, 140)]
        openings.append([P(-430, 310), P(430, 310), P(470, 430), P(-470, 430)])
        ops.rounded([P(-260, 170), P(260, 170), P(260, 282), P(-260, 282)], 4)("S")
        ops.rounded([P(-250, 178), P(250, 178), P(250, 274), P(-250, 274)], 3)("S")
        for side in (-1, 1):
            ops.circle(*P(side * 690, 130), 50 * k)("S").circle(*P(side * 690, 130), 36 * k)("S")
    for poly in [diffuser, *openings]:
        ops.style(0.5).rounded(poly, 5)("S")("q").rounded(poly, 5)("W")("n").style(0.25)
        (x0, y0), (x1, y1) = np.min(poly, 0), np.max(poly, 0)
        if rear and poly is diffuser:
            for x in np.arange(x0 + 9, x1, 9):
                ops.seg(x, y0, x, y1)
        else:
            ops.hatch(x0, y0, x1, y1, 5, 60).hatch(x0, y0, x1, y1, 5, 120)
        ops("S")("Q")
    sensors = [-600, -380, 380, 600]
    for x in sensors:
        ops("q")("cm", 1, 0, 0, 1, *P(x, 220))("Do", "/Hole")("Q")
    for x in (-780, -500, -200, 200, 500, 780):
        ops("q")("cm", 1, 0, 0, 1, *P(x, top - 22))("Do", "/Hole")("Q")
    ops.style(0.25, dash="[12 3 2 3] 0").seg(*P(0, -30), *P(0, top + 40))
    if not rear:
        for side in (-1, 1):
            ops.seg(*P(side * 690 - 70, 130), *P(side * 690 + 70, 130)).seg(*P(side * 690, 60), *P(side * 690, 200))
    ops("S").style(0.7, dash="[14 3 3 3] 0").seg(*P(-120, top + 30), *P(-120, -25))("S")("rg", *INK)
    cut = "B" if rear else "A"
    for y, sign in ((top + 30, 1), (-25, -1)):
        ops.style(0.5).seg(*P(-120, y), *P(-175, y))("S")
        _arrow(ops, *P(-180, y), -1, 0)
        ops("f").text(P(-200, y)[0], P(-200, y)[1] + sign * 6 - 3, cut, 10, "F2", "centre")
    ops.text(
        ox, oy + (top + 110) * k, f"BUMPER COVER, {'REAR' if rear else 'FRONT'} - VIEW FROM {'REAR' if rear else 'FRONT'}  (1:8)", 10, "F2", "centre"
    )
    _dim(ops, P(-900, 0), P(900, 0), -40, "1800")
    _dim(ops, P(900, 0), P(900, top), -30, str(top))
    _dim(
        ops,
        P(-470, top) if not rear else P(-560, 120),
        P(470, top) if not rear else P(560, 120),
        30 if not rear else 14,
        "940" if not rear else "1120",
    )
    ops.text(*P(390, 245), "4x D20 sensor", 7)
    ops.text(*P(-760, top - 60), "6x D8.5", 7)
    if not rear:
        _dim(ops, P(-690, 130), P(690, 130), -130 * k - 16, "1380")
    # plan view, rear flange on top (first-angle projection)
    depth = 220 if rear else 260
    ops.style(0.7)
    path(
        Q,
        [
            ("m", -860, 0),
            ("l", 860, 0),
            ("l", 900, -40),
            ("c", 900, -150, 600, -depth, 0, -depth),
            ("c", -600, -depth, -900, -150, -900, -40),
            ("h",),
        ],
    )
    ops("S").style(0.35, dash="[6 3] 0")
    path(Q, [("m", -780, -20), ("c", -700, -130, -450, -depth + 60, 0, -depth + 60), ("c", 450, -depth + 60, 700, -130, 780, -20)])
    ops("S").style(0.25, dash="[12 3 2 3] 0").seg(*Q(0, 30), *Q(0, -depth - 30))("S")
    for x in (-820, -550, -250, 250, 550, 820):
        ops("q")("cm", 1, 0, 0, 1, *Q(x, -18))("Do", "/Hole")("Q")
    _dim(ops, Q(900, 0), Q(900, -depth), 30, str(depth))
    ops.text(ox, 470 - (depth + 60) * k, "PLAN VIEW  (1:8)", 10, "F2", "centre")
    _section(ops, cut, rear)
    notes = [
        "NOTES",
        "1. Material PP/EPDM-T20, UV stabilised, paintable; recycled content at least 25 %.",
        "2. Nominal wall thickness 3.0 +/-0.2 mm unless stated.",
        "3. Visible faces class A; no sink marks, flow lines or weld lines.",
        "4. Sensor holes D20 +0.1/0, position tolerance 0.2 mm to datum A-B-C.",
        "5. Section view of the crossbeam and absorber for reference only.",
    ]
    ops.lines(48, 250, notes, 8, leading=11)


def _section(ops: _Ops, cut: str, rear: bool) -> None:
    k = MM / 4
    S = lambda u, v: (820 + u * k, 290 + v * k)
    path = lambda segs: [ops(op, *[c for xy in zip(v[::2], v[1::2]) for c in S(*xy)]) for op, *v in segs]
    top = 440 if rear else 480
    skin = [
        ("m", 180, top),
        ("l", 70, top),
        ("c", 20, top - 10, 0, top * 0.7, 0, top / 2),
        ("c", 0, top * 0.35, 20, 40, 60, 0),
        ("l", 160, 0),
        ("l", 160, 5),
        ("l", 63, 5),
        ("c", 26, 44, 5, top * 0.35, 5, top / 2),
        ("c", 5, top * 0.7, 25, top - 14, 71, top - 5),
        ("l", 180, top - 5),
        ("h",),
    ]
    ops("rg", *INK)
    path(skin)
    ops("f")
    foam = [
        ("m", 120, 120),
        ("l", 120, top - 100),
        ("l", 45, top - 100),
        ("c", 25, top * 0.62, 18, top * 0.56, 18, top / 2),
        ("c", 18, top * 0.44, 25, 160, 45, 120),
        ("h",),
    ]
    ops.style(0.5)
    path(foam)
    ops("S")("q")
    path(foam)
    ops("W")("n").style(0.25).hatch(*S(15, 115), *S(125, top - 95), 4, 45)("S")("Q")
    beam = [S(130, 160), S(230, 160), S(230, 340), S(130, 340)]
    chambers = [[S(136, 166), S(224, 166), S(224, 247), S(136, 247)], [S(136, 253), S(224, 253), S(224, 334), S(136, 334)]]
    for clip in (False, True):
        ops.style(0.5)
        for poly in [beam, *chambers]:
            ops("m", *poly[0])("l", *poly[1])("l", *poly[2])("l", *poly[3])("h")
        if clip:
            ops("W*")("n").style(0.25).hatch(*S(128, 158), *S(232, 342), 2.2, 135)("S")("Q")
        else:
            ops("S")("q")
    ops.style(0.5)("re", *S(230, 200), 70 * k, 100 * k)("S")
    for v in (215, 285):
        ops("q")("cm", 1, 0, 0, 1, *S(265, v))("Do", "/Hole")("Q")
    ops.style(0.25, dash="[12 3 2 3] 0").seg(*S(-20, 250), *S(320, 250))("S")
    _dim(ops, S(0, -10), S(300, -10), -22, "300")
    _dim(ops, S(230, 340), S(230, 160), 20 + 70 * k, "180")
    _dim(ops, S(18, top - 100), S(120, top - 100), 40, "102")
    ops.text(S(150, top + 70)[0], S(0, top + 70)[1], f"SECTION {cut}-{cut}  (1:4)", 10, "F2", "centre")
    for u, v, label in ((100, top + 25, "cover 3.0"), (70, 80, "absorber EPP"), (240, 360, "crossbeam 6082 T6")):
        ops.text(*S(u, v), label, 7)


# ---------------------------------------------------------------- assembly


def _image(pdf: pikepdf.Pdf, rgb: np.ndarray, jpeg: bool) -> pikepdf.Stream:
    h, w = rgb.shape[:2]
    if jpeg:
        data, filt = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes(), Name.DCTDecode
    else:
        data, filt = zlib.compress(np.ascontiguousarray(rgb).tobytes(), 9), Name.FlateDecode
    return pdf.make_stream(data, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h, ColorSpace=Name.DeviceRGB, BitsPerComponent=8, Filter=filt)


def tender_package(seed: int = SAMPLE_SEED, *, pages: int = 6) -> bytes:
    """The bundled tender package T-2027-14 (front and rear bumper assembly) as PDF bytes.

    A4 title page, A4 tender conditions, A3 landscape vector drawings of the front and rear
    bumper covers, and an A4 page of two renders: ``render_smooth`` (FlateDecode) and
    ``render_photo`` (DCTDecode), both downscaled to 600 × 375 px. The same arguments give
    the same bytes: fixed dates, an /ID derived from the content, no clock.

    Parameters
    ----------
    seed : int
        Seeds the two renders; the bundled document uses :data:`SAMPLE_SEED`.
    pages : int
        4 (title, conditions, front drawing, renders), 5 (and the rear drawing) or 6 (and the
        quality and schedule page: the full package).

    Returns
    -------
    bytes
        A PDF 1.7 file, about 140 kB at the default.

    Examples
    --------
    >>> tender_package(pages=4)[:8]
    b'%PDF-1.7'
    """
    if pages not in (4, 5, 6):
        raise ValueError(f"a tender package has 4 to 6 pages, not {pages}")
    layout = ["title", "conditions", *(["quality"] if pages == 6 else []), "front", *(["rear"] if pages >= 5 else []), "renders"]
    named = {
        "conditions": "Tender conditions and parts list",
        "quality": "Quality, schedule and confidentiality",
        "front": "Drawing T-2027-14-001, bumper cover front (A3)",
        "rear": "Drawing T-2027-14-002, bumper cover rear (A3)",
        "renders": "Annex C, design intent renders",
    }
    contents = [f"Page {i + 1}   {named[kind]}" for i, kind in enumerate(layout) if kind in named]
    pdf = pikepdf.new()
    font = lambda base: pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name(base), Encoding=Name.WinAnsiEncoding))
    fonts = Dictionary(F1=font("/Helvetica"), F2=font("/Helvetica-Bold"))
    hole = pdf.make_stream(_hole_form(), Type=Name.XObject, Subtype=Name.Form, BBox=Array([-7, -7, 7, 7]), Resources=Dictionary())
    size = (600, 375)
    images = Dictionary(
        Im1=_image(pdf, cv2.resize(render_smooth(seed), size, interpolation=cv2.INTER_AREA), jpeg=False),
        Im2=_image(pdf, cv2.resize(render_photo(seed), size, interpolation=cv2.INTER_AREA), jpeg=True),
    )
    sheets = {"front": ("Bumper cover, front", "T-2027-14-001"), "rear": ("Bumper cover, rear", "T-2027-14-002")}
    for number, kind in enumerate(layout, 1):
        ops = _Ops()
        resources = Dictionary(Font=fonts, ProcSet=Array([Name.PDF, Name.Text, Name.ImageC]))
        if kind in sheets:
            title, drawing = sheets[kind]
            _sheet(ops, title, drawing, f"{1 + (kind == 'rear')}/{1 + ('rear' in layout)}")
            _bumper(ops, kind == "rear")
            resources.XObject = Dictionary(Hole=hole)
        elif kind == "title":
            _title_page(ops, contents, len(layout))
        else:
            {"conditions": _conditions, "quality": _quality, "renders": _renders}[kind](ops, number, len(layout))
            if kind == "renders":
                resources.XObject = images
        w, h = A3 if kind in sheets else A4
        page = pikepdf.Page(
            pdf.make_indirect(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, w, h]), Resources=resources, Contents=pdf.make_stream(ops.bytes())))
        )
        pdf.pages.append(page)
    pdf.docinfo = pdf.make_indirect(
        Dictionary(
            Title=f"{_TITLE} - Front and rear bumper assembly",
            Author="Nordwerk Automotive GmbH, Purchasing Exterior",
            Subject="Tender package, confidential",
            Creator="leaktrace.samples.synthetic.tender_package",
            CreationDate="D:20261115090000+01'00'",
            ModDate="D:20261115090000+01'00'",
        )
    )
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True, min_version="1.7", object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
