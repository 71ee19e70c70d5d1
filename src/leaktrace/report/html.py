"""The evidence report as one self-contained HTML file.

Pictures are embedded as ``data:`` URIs and the CSS is inline: no fonts, scripts, links or
files outside the document. Every value from the evidence is escaped (autoescape is on);
nothing from the evidence is ever written into CSS. The PDF renderer uses the same
template with ``medium="pdf"``.
"""

from __future__ import annotations

import base64
from functools import lru_cache

import jinja2

from . import _words as words
from ._extra import needs
from .data import EvidenceData

__all__ = ["render", "document"]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("leaktrace.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        probability=words.probability,
        score=words.score,
        percent=words.percent,
        day=words.day,
        moment=words.moment,
        one_in=words.one_in,
        power=words.power_of_ten,
        sentence=lambda s: s[:1].upper() + s[1:],
        at_most=lambda s: s if s.startswith("less") else f"at most {s}",
    )
    return env


def _data_uri(image: bytes) -> str:
    mime = "image/png" if image[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def _verdict(data: EvidenceData) -> dict:
    """The summary's headline and the sentence that follows it."""
    tau = words.score(data.threshold)
    if data.accused:
        parts = []
        for name in data.accused:
            dates = sorted({words.day(s.sent_at) for s in data.shares if s.recipient == name})
            parts.append(f"{name} on {words.names(dates)}" if dates else name)
        if len(parts) == 1:
            head = f"The copy that leaked was the one sent to {parts[0]}."
        else:
            head = f"The leak carries the fingerprints of the copies sent to {words.names(parts)}."
        return {"accused": True, "headline": head, "reason": ""}
    if data.asset is None:
        reason = "The image matches none of the registered confidential assets, so no recipient was tested."
    elif data.alignment is None:
        reason = "The leak could not be placed on the original reliably enough to test any recipient."
    elif not data.candidates:
        reason = "The asset was never shared, so there was no recipient to test."
    else:
        reason = (
            f"No recipient's score reached the threshold of {tau}. This clears nobody: the image may have "
            "been altered too much for the fingerprint to survive. It means only that the evidence is "
            "not strong enough to name anyone within the bound."
        )
    return {"accused": False, "headline": "The evidence names nobody.", "reason": reason}


def context(data: EvidenceData) -> dict:
    """Everything the template shows, as ready values (figures already encoded)."""
    with needs("matplotlib", "Evidence reports"):
        from . import figures  # matplotlib: only when a report is drawn
    al = data.alignment
    pictures = None
    if data.asset is not None:
        pictures = _data_uri(
            figures.leak_beside_original(
                data.leak.image, data.asset.image, None if al is None else al.homography, None if al is None else al.valid_mask, fmt="auto"
            )
        )
    plot = _data_uri(figures.score_plot(data.candidates, data.threshold)) if data.candidates else None
    accused = [c for c in data.candidates if c.accused]
    n_recipients = len(data.candidates)
    return {
        "d": data,
        "verdict": _verdict(data),
        "pictures": pictures,
        "score_plot": plot,
        "top": accused,
        "n_recipients": n_recipients,
        "method_words": words.METHODS.get(al.method, al.method) if al is not None else "",
        "bound_sentence": (f"the probability that this test accuses any innocent recipient is at most {words.one_in(data.epsilon)}"),
        "digest": data.digest(),
    }


def document(data: EvidenceData, *, medium: str = "html") -> str:
    """The report as an HTML string; ``medium`` is ``"html"`` (screen and print) or ``"pdf"`` (paged)."""
    if medium not in ("html", "pdf"):
        raise ValueError(f"unknown medium {medium!r}")
    return _env().get_template("report.html.j2").render(medium=medium, **context(data))


def render(data: EvidenceData) -> bytes:
    """The report as one self-contained HTML file (UTF-8 bytes); see ``tests/report`` for examples."""
    return document(data, medium="html").encode("utf-8")
