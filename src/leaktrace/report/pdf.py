"""The evidence report as a PDF: the HTML report's content, paged for print by WeasyPrint.

A4 pages with a running header (finding id, "Confidential") and "page X of Y" in the
footer; figures and table rows are never split across pages. WeasyPrint is imported
only here, when a PDF is asked for.

Importing WeasyPrint sets Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``
(``weasyprint/images.py``), which would make every later decode in the process accept
truncated files. A truncated file is never evidence here, so :func:`_weasyprint` turns it
back off right after the import: this is the one guard, and the only import of WeasyPrint.
"""

from __future__ import annotations

import logging

from PIL import ImageFile

from ..errors import MissingDependency
from . import html
from ._extra import needs
from .data import EvidenceData

__all__ = ["render"]


def render(data: EvidenceData) -> bytes:
    """The report as PDF bytes (self-contained: images embedded, fonts subset)."""
    weasyprint = _weasyprint()
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


def _weasyprint():
    """WeasyPrint, imported on first use, with Pillow's truncated-image switch turned back off."""
    with needs("weasyprint", "PDF reports"):
        try:
            import weasyprint  # heavy: only when a PDF is rendered
        except OSError as exc:  # installed, but its system libraries (Pango…) do not load
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise MissingDependency(f"PDF reports need WeasyPrint's system libraries (Pango), which did not load: {first}") from None
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint
