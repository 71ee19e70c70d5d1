"""The store: SQLAlchemy models, engines and migrations, content-addressed blobs, named queries.

Public surface (imported lazily, so ``leaktrace.store.blobs`` does not pull in SQLAlchemy):

- :mod:`~leaktrace.store.models`: ``Recipient``, ``Asset``, ``Share``, ``Copy``, ``Meta``, ``Finding``,
  ``FindingScore``, ``Case``, ``CaseEvent``, ``RemediationAction``, ``AuditEntry``, ``User``, ``Token``, ``Base``
- :mod:`~leaktrace.store.db`: ``make_engine``, ``session_factory``, ``transaction``, ``upgrade``,
  ``upgrade_if_behind``, ``current_revision``, ``engine_revision``, ``head_revision``
- :mod:`~leaktrace.store.audit`: the hash-chained audit log (``append``, ``verify``)
- :mod:`~leaktrace.store.blobs`: ``BlobStore``
- :mod:`~leaktrace.store.queries`: one function per question (``recipient_by_name_or_id``, …)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Asset": "models",
    "Base": "models",
    "Copy": "models",
    "Meta": "models",
    "Recipient": "models",
    "Share": "models",
    "AuditEntry": "models",
    "Case": "models",
    "CaseEvent": "models",
    "Finding": "models",
    "FindingScore": "models",
    "RemediationAction": "models",
    "Token": "models",
    "User": "models",
    "current_revision": "db",
    "engine_revision": "db",
    "head_revision": "db",
    "make_engine": "db",
    "session_factory": "db",
    "transaction": "db",
    "upgrade": "db",
    "upgrade_if_behind": "db",
    "BlobStore": "blobs",
    "audit": None,
    "queries": None,
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'leaktrace.store' has no attribute {name!r}")
    module = _EXPORTS[name]
    if module is None:
        return importlib.import_module(f"{__name__}.{name}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
