"""The report's optional dependencies: matplotlib (figures) and WeasyPrint (PDF), the ``report`` extra.

They are imported when a report is drawn, never when leaktrace is imported; when one is
missing, the user gets one line that says what to install.

Examples
--------
>>> with needs("no_such_package", "Examples"):
...     import no_such_package
Traceback (most recent call last):
leaktrace.errors.MissingDependency: Examples need no_such_package, which is not installed: pip install 'leaktrace[report]'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import MissingDependency

__all__ = ["INSTALL", "needs"]

INSTALL = "pip install 'leaktrace[report]'"


@contextmanager
def needs(package: str, purpose: str) -> Iterator[None]:
    """Turn a missing ``package`` inside the block into :class:`MissingDependency` naming the extra."""
    try:
        yield
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != package:
            raise
        raise MissingDependency(f"{purpose} need {package}, which is not installed: {INSTALL}") from None
