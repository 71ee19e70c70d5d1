"""leaktrace: fingerprint every confidential image you share, and trace a leak to its recipient.

The Python API is :class:`leaktrace.Workspace` (imported lazily, so ``import leaktrace`` stays fast).
"""

from __future__ import annotations

from leaktrace._version import __version__

__all__ = ["Workspace", "__version__"]


def __getattr__(name: str):
    if name == "Workspace":
        from leaktrace.services.workspace import Workspace

        return Workspace
    raise AttributeError(f"module 'leaktrace' has no attribute {name!r}")
