"""The evidence report as one self-contained HTML file.

Pictures are embedded as ``data:`` URIs and the CSS is inline: no fonts, scripts, links or
files outside the document. Every value from the evidence is escaped (autoescape is on);
nothing from the evidence is ever written into CSS. The PDF renderer uses the same
template with ``medium="pdf"``.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
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
        probability_words=words.probability_words,
        score=words.score,
        statistic=words.statistic,
        size=words.size,
        percent=words.percent,
        day=words.day,
        moment=words.moment,
        one_in=words.one_in,
        power=words.power_of_ten,
        sentence=lambda s: s[:1].upper() + s[1:],
    )
    return env


def _data_uri(image: bytes) -> str:
    mime = "image/png" if image[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def _copies_of(data: EvidenceData, name: str) -> str:
    """'the copy made for X on 4 March 2025', or 'one of the copies made for X on … and …'."""
    dates = [words.day(s.sent_at) for s in data.shares if s.recipient == name]
    if not dates:
        return f"the copy made for {name}"
    if len(dates) == 1:
        return f"the copy made for {name} on {dates[0]}"
    return f"one of the copies made for {name} on {words.names(dates)}"


def _verdict(data: EvidenceData) -> dict:
    """The summary's headline and the sentence that follows it."""
    tau = words.score(data.threshold)
    if data.accused:
        copies = [_copies_of(data, name) for name in data.accused]
        if len(copies) == 1:
            head = f"The leak derives from {copies[0]}."
            more = ""
        else:
            head = f"The leak derives from {words.names(copies)}."
            more = (
                "Each of these fingerprints is in the leak on its own strength: the copies were combined, or the leak was made "
                "from more than one of them. The test does not say by whom or how."
            )
        return {"accused": True, "headline": head, "reason": more}
    if data.asset is None:
        reason = "The image matches none of the registered confidential assets, so no recipient was tested."
    elif data.alignment is None:
        reason = "The leak could not be placed on the original reliably enough to test any recipient."
    elif not data.candidates:
        reason = "The asset was never shared, so there was no recipient to test."
    else:
        reason = (
            f"No recipient's score reached the threshold of {tau}. This clears nobody: the image may have "
            "been altered too much for the fingerprint to survive, or made from something other than a recipient's "
            "copy. It means only that the evidence is not strong enough to name anyone within the bound."
        )
    return {"accused": False, "headline": "The evidence names nobody.", "reason": reason}


def _statistics(data: EvidenceData) -> int:
    """Statistics tested per recipient and alignment: 4 when the asset has a geometric carrier (core.verdict),
    2 for a document page whose copies carry no luminance mark, else 1; two more (4, 6) for a page whose
    words were tested. Read from the finding's own counts (what was tested then); a leaked PDF's counts
    add up over its pages, so its asset says."""
    n, h = len(data.candidates), max(1, int(data.hypotheses))
    if n and data.n_tests % (n * h) == 0 and 1 <= data.n_tests // (n * h) <= 6 and data.leak.page is None:
        return data.n_tests // (n * h)
    return int(data.statistics) if data.statistics is not None else 1


def _tested(data: EvidenceData) -> dict:
    """Which fingerprints the trace read, for the words of section 3: grey levels, line positions, words."""
    names = set(data.statistic_names)
    if not names:  # not recorded: the count says (4: both carriers of an image; 2: a page's lines)
        names = {1: {"luminance"}, 2: {"geometric"}, 4: {"luminance", "geometric"}}.get(_statistics(data), {"luminance"})
    return {"grey": "luminance" in names, "lines": "geometric" in names, "words": "words" in names, "count": words.count(_statistics(data))}


def _tests_words(data: EvidenceData) -> str:
    """'6 tests (3 recipients × 2 alignments)', or '… × 4 statistics)' when both carriers were tested."""
    n, h = len(data.candidates), max(1, int(data.hypotheses))
    recipients = f"{n} recipient{'s' if n != 1 else ''}"
    if data.leak.page is not None:  # a leaked PDF: every page's tests, counted together
        return f"{data.n_tests} test{'s' if data.n_tests != 1 else ''} (the leaked PDF's pages that matched the document, {recipients} on each)"
    alignments = f"{h} alignment{'s' if h != 1 else ''}"
    m = _statistics(data)
    if n * h * m != data.n_tests:  # e.g. a revision family: each member's recipients under its own alignments
        return f"{data.n_tests} test{'s' if data.n_tests != 1 else ''} (of {recipients}, as the trace counted them: every asset it tested, under each of its alignments)"
    statistics = f" × {m} statistics" if m > 1 else ""
    return f"{data.n_tests} test{'s' if data.n_tests != 1 else ''} ({recipients} × {alignments}{statistics})"


def _traces(data: EvidenceData, traces) -> list[dict]:
    """Each other trace (of the same leak file, or against the same original), in words."""
    out = []
    for t in traces:
        if t.accused:
            outcome = f"named {words.names(list(t.accused))}"
        elif t.reason:
            outcome = f"named nobody ({t.reason})"
        else:
            outcome = "named nobody"
        if t.leak_sha256 is None:
            leak, other_file = "not recorded", None
        elif t.leak_sha256 == data.leak.sha256:
            leak, other_file = "this leak file", None
        else:
            leak, other_file = "another file, SHA-256", t.leak_sha256
        out.append(
            {
                "t": t,
                "when": "before" if t.traced_at < data.created_at else "after",
                "outcome": outcome,
                "asset": t.asset or "no asset matched",
                "leak": leak,
                "other_file": other_file,
            }
        )
    return out


def _family_bound(data: EvidenceData) -> float:
    """The union bound over every stored trace of this leak file: Σ ε (capped at 1)."""
    return min(1.0, float(data.epsilon) + sum(float(t.epsilon) for t in data.other_traces))


def _asset_bound(data: EvidenceData) -> float:
    """The union bound over every stored trace of this leak file or against this original (each counted once): Σ ε (capped at 1)."""
    every = {t.finding_id: float(t.epsilon) for t in (*data.other_traces, *data.asset_traces)}
    return min(1.0, float(data.epsilon) + sum(every.values()))


def _senders(data: EvidenceData) -> str | None:
    """Who made the shares listed, each with the shares made: 'lead (share 1) and bob (shares 3 and 5)'; None without shares."""
    made: dict[str, list[int]] = {}
    for s in data.shares:
        ids = made.setdefault(s.sent_by or "someone not recorded", [])
        if s.share_id not in ids:
            ids.append(s.share_id)
    if not made:
        return None
    return words.names([f"{who} (share{'s' if len(ids) != 1 else ''} {words.names([str(i) for i in ids])})" for who, ids in made.items()])


#: How each handling of a copy on the sender's side is named.
COPY_ACTIONS = {
    "copy.deliver": "handed over for delivery",
    "copy.download": "downloaded again",
    "copy.regenerate": "re-made from the key and the original",
    "copy.discard": "file removed from the sender's store",
}
#: How a delivered copy left, as the ``copy.deliver`` entry says.
VIA = {"folder": "written into the sender's folder", "zip": "in a zip archive", "download": "downloaded by the share's sender"}


def _copy_event(e) -> str:
    """What the entry says was done with the copy, in words."""
    what = COPY_ACTIONS.get(e.action, e.action)
    if e.action == "copy.deliver" and e.via:
        what += f", {VIA.get(e.via, e.via)}"
    if e.action == "copy.regenerate" and e.matches is not None:
        what += "; byte for byte the file recorded" if e.matches else "; not byte for byte the file recorded"
    return what


def _iso_moment(value: str | None) -> str | None:
    return None if value is None else words.moment(datetime.fromisoformat(value))


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
    checkpoint_json = signed_at = None
    if data.checkpoint is not None:
        k = data.checkpoint
        checkpoint_json = json.dumps(k.to_dict(), indent=1, ensure_ascii=False)
        signed_at = _iso_moment(k.timestamp)
    return {
        "d": data,
        "verdict": _verdict(data),
        "pictures": pictures,
        "score_plot": plot,
        "top": accused,
        "n_recipients": n_recipients,
        "method_words": words.METHODS.get(al.method, al.method) if al is not None else "",
        "bound_sentence": (
            f"the probability that this trace names any recipient whose copy the leak does not derive from is at most {words.one_in(data.epsilon)}"
        ),
        "tests_words": _tests_words(data),
        "statistics": _statistics(data),
        "tested": _tested(data),
        "custodians": words.names(list(data.key_custodians)) if data.key_custodians else None,
        "other_traces": _traces(data, data.other_traces),
        "family_bound": _family_bound(data),
        "asset_traces": _traces(data, data.asset_traces),
        "asset_bound": _asset_bound(data),
        "senders": _senders(data),
        "copy_events": [(e, _copy_event(e)) for e in data.copy_events],
        "found_at": _iso_moment(data.custody.found_at if data.custody else None),
        "checkpoint_json": checkpoint_json,
        "signed_at": signed_at,
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
