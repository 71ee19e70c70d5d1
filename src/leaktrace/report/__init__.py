"""leaktrace.report: the evidence report of a finding, for readers outside engineering.

Public surface: :class:`EvidenceData` (and its parts) to fill, :func:`render` to turn it
into a document, :data:`RENDERERS` (format name → renderer; every renderer shares the
seam ``render(data) -> bytes``), :func:`statistic_words` (what a statistic of a trace read, as
the report says it; the web pages say it the same way). The PDF renderer imports WeasyPrint only when called.

Examples
--------
>>> sorted(RENDERERS)
['html', 'pdf']
"""

from __future__ import annotations

from typing import Protocol

from ..errors import BadInput
from . import html, pdf
from ._words import statistic as statistic_words
from .data import AssetEvidence, Candidate, CopyEvent, EvidenceData, LeakEvidence, OtherTrace, ReceiptEvidence, ShareEvidence

__all__ = [
    "statistic_words",
    "EvidenceData",
    "LeakEvidence",
    "AssetEvidence",
    "Candidate",
    "ReceiptEvidence",
    "ShareEvidence",
    "OtherTrace",
    "CopyEvent",
    "Renderer",
    "RENDERERS",
    "MEDIA_TYPES",
    "render",
]


class Renderer(Protocol):
    def __call__(self, data: EvidenceData) -> bytes: ...


RENDERERS: dict[str, Renderer] = {"html": html.render, "pdf": pdf.render}
#: Content type of each format (for the web layer and for file suffixes).
MEDIA_TYPES: dict[str, str] = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def render(data: EvidenceData, fmt: str) -> bytes:
    """The evidence report of ``data`` in format ``fmt`` (a key of ``RENDERERS``)."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise BadInput(f"unknown report format {fmt!r}; choose one of {', '.join(sorted(RENDERERS))}") from None
    return renderer(data)
