"""The evidence report as a PDF: the HTML report's content, paged for print by WeasyPrint.

A4 pages with a running header (finding id, "Confidential") and "page X of Y" in the
footer; figures and table rows are never split across pages. WeasyPrint is imported
only here, when a PDF is asked for.
"""

from __future__ import annotations

import logging

from . import html
from .data import EvidenceData

__all__ = ["render"]


def render(data: EvidenceData) -> bytes:
    """The report as PDF bytes (self-contained: images embedded, fonts subset)."""
    import weasyprint  # heavy: only when a PDF is rendered

    # WeasyPrint logs every CSS property it ignores; nothing in our CSS is meant for it to ignore.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    source = html.document(data, medium="pdf")
    meta_title = f"Evidence report {data.finding_id}"
    document = weasyprint.HTML(string=source, base_url=None).render()
    document.metadata.title = meta_title
    document.metadata.authors = [data.actor]
    document.metadata.generator = f"leaktrace {data.software_version}"
    document.metadata.created = data.created_at.isoformat(timespec="seconds")
    return document.write_pdf()
