"""The Jinja2 environment of the pages: templates from the package, a few filters."""

from __future__ import annotations

import json
import math
import re
from importlib import resources
from typing import Any

from leaktrace.report import statistic_words
from leaktrace.web.deps import CSRF_FIELD, can, csrf_token


def _when(value: str | None) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM UTC'."""
    if not value:
        return ""
    return value[:16].replace("T", " ") + " UTC"


def _pvalue(value: float | None) -> str:
    if value is None:
        return "–"
    if value <= 0:
        return "< 1e-300"
    return f"{value:.1e}" if value < 0.01 else f"{value:.3f}"


def _number(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


_HEX = re.compile(r"\b([0-9a-f]{12})[0-9a-f]{52}\b")


def _details(value: Any, limit: int = 240) -> list[tuple[str, str]]:
    """An audit entry's details as (key, short text) pairs: JSON values, SHA-256s shortened."""
    if not isinstance(value, dict):
        return [("", _HEX.sub(r"\1…", str(value))[:limit])]
    out = []
    for key, v in value.items():
        text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
        text = _HEX.sub(r"\1…", text)
        out.append((str(key), text if len(text) <= limit else text[: limit - 1] + "…"))
    return out


def make(templates_class: Any) -> Any:
    folder = resources.files("leaktrace.web") / "templates"
    templates = templates_class(directory=str(folder))
    env = templates.env
    env.filters.update(when=_when, pvalue=_pvalue, number=_number, details=_details, statistic=statistic_words)
    env.globals.update(csrf_token=csrf_token, CSRF_FIELD=CSRF_FIELD, can=can)
    return templates
