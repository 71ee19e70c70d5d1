"""Bundled sample assets for the demo and the tests.

All three pictures are drawn from code with a fixed seed by :mod:`leaktrace.samples.synthetic`
(the functions of the same names; ``tools/make_samples.py`` writes them as PNG), so the project
owns them outright (no third-party image):

- ``render_photo``: a photo-like render of a concept car in a city yard (1600×1000).
- ``drawing_bumper``: a technical line drawing of front and rear bumpers that mirror
  each other, with hatching, dimensions and a title block (1800×1200) — the seed case.
- ``render_smooth``: a smooth shaded render of a body panel on a grey backdrop (1600×1000).

One document, drawn the same way (:func:`leaktrace.samples.synthetic.tender_package`, written
as PDF by the same tool):

- ``tender_package``: the tender package T-2027-14 for the bumper assembly, six pages: title,
  conditions with tables, two A3 vector drawings, two embedded renders (Flate and JPEG).
"""

from __future__ import annotations

from contextlib import ExitStack
from importlib import resources
from pathlib import Path

SAMPLES: dict[str, str] = {
    "render_photo": "Concept car LT-07, studio render",
    "drawing_bumper": "Bumper assembly front/rear, drawing T-2027-14",
    "render_smooth": "Door panel, shaded surface study",
}

DOCUMENTS: dict[str, str] = {
    "tender_package": "Tender package T-2027-14, bumper assembly",
}

_files = ExitStack()


def sample_path(name: str) -> Path:
    """The file of the bundled sample ``name`` (a key of ``SAMPLES``).

    >>> sample_path("drawing_bumper").name
    'drawing_bumper.png'
    """
    if name not in SAMPLES:
        raise KeyError(f"no bundled sample named {name!r}")
    ref = resources.files(__name__) / f"{name}.png"
    return Path(_files.enter_context(resources.as_file(ref)))


def document_path(name: str) -> Path:
    """The PDF file of the bundled document ``name`` (a key of ``DOCUMENTS``).

    >>> document_path("tender_package").name
    'tender_package.pdf'
    """
    if name not in DOCUMENTS:
        raise KeyError(f"no bundled document named {name!r}")
    ref = resources.files(__name__) / f"{name}.pdf"
    return Path(_files.enter_context(resources.as_file(ref)))
