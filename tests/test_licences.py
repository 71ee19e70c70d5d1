"""No GPL or AGPL package in leaktrace's runtime dependency tree, and never PyMuPDF.

The tree is walked from the installed ``leaktrace`` distribution's requirements (without its
extras) and, in a source checkout, ``pyproject.toml``'s ``[project] dependencies`` too: an
editable install keeps the metadata of the day it was installed, so a dependency added later
would otherwise go unchecked. Each requirement's marker is evaluated with no extra selected;
the extras of a requirement (``psycopg[binary]``) are not followed.

How a licence is read (PEP 639 order):

- ``License-Expression`` (SPDX) wins when present: ``OR`` needs one acceptable side, ``AND``
  both, and ``GPL-… WITH GCC-exception-3.1`` (a runtime or linking exception) is acceptable.
- Otherwise every ``License ::`` classifier and the ``License`` field. A short field is a name
  or an expression; a long one is a licence text (scipy's lists the libraries its wheel bundles,
  libgfortran under ``GPL-3.0-or-later WITH GCC-exception-3.1``): its title and its
  ``License:`` lines are read, not every mention of the GPL in its body.

LGPL (``LGPL-2.1``, "GNU Lesser General Public License", "GNU Library or Lesser ...") is allowed.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
FORBIDDEN_NAMES = {"pymupdf", "pymupdfb", "fitz"}
_GPL_ID = re.compile(r"A?GPL", re.IGNORECASE)  # an SPDX id starting so (LGPL-… starts with L)
_GPL_WORDS = re.compile(r"(?<![a-z])A?GPL|GNU\s+(Affero\s+)?General\s+Public\s+Licen[cs]e", re.IGNORECASE)
_EXCEPTION = re.compile(r"(GCC|Classpath|Bison|Autoconf|Libtool|Font|[\w-]*linking)-exception(-[\d.]+)?", re.IGNORECASE)


def _spdx_copyleft(expression: str) -> bool | None:
    """True if an SPDX expression leaves only GPL/AGPL choices, False if not, None if it is no SPDX expression."""
    tokens = re.findall(r"\(|\)|[^\s()]+", expression)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def leaf() -> bool:
        if peek() == "(":
            take()
            value = either()
            if take() != ")":
                raise ValueError
            return value
        ident = take()
        if not re.fullmatch(r"[A-Za-z0-9.+-]+|LicenseRef-[\w.-]+", ident) or ident.upper() in {"AND", "OR", "WITH"}:
            raise ValueError
        if (peek() or "").upper() == "WITH":
            take()
            exception = take()
            return bool(_GPL_ID.match(ident)) and not _EXCEPTION.fullmatch(exception)
        return bool(_GPL_ID.match(ident))

    def both() -> bool:
        value = leaf()
        while (peek() or "").upper() == "AND":
            take()
            value = leaf() or value
        return value

    def either() -> bool:
        value = both()
        while (peek() or "").upper() == "OR":
            take()
            value = both() and value
        return value

    try:
        value = either()
    except (ValueError, IndexError):
        return None
    return value if pos == len(tokens) else None


def _name_copyleft(text: str) -> bool:
    """A licence named in a line: an SPDX expression if it is one, else any GPL/AGPL word not followed by an exception."""
    spdx = _spdx_copyleft(text)
    if spdx is not None:
        return spdx
    return bool(_GPL_WORDS.search(text)) and not _EXCEPTION.search(text)


def _text_copyleft(text: str) -> bool:
    """A whole licence text: its title (one of its first three lines) and the ``License:`` lines of bundled parts."""
    title = [line.strip() for line in text.splitlines() if line.strip()][:3]
    if any(re.match(r"GNU\s+(AFFERO\s+)?GENERAL\s+PUBLIC\s+LICEN[CS]E", line, re.IGNORECASE) for line in title):
        return True
    return any(_name_copyleft(m) for m in re.findall(r"^\s*Licen[cs]e\s*:\s*(.+?)\s*$", text, re.MULTILINE | re.IGNORECASE))


def copyleft(meta) -> list[tuple[str, str]]:
    """The (field, value) pairs of a distribution's metadata that make it GPL or AGPL."""
    expression = meta.get("License-Expression")
    if expression:
        return [("License-Expression", expression)] if _name_copyleft(expression) else []
    found = [
        ("Classifier", c)
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and re.search(r"GNU (Affero )?General Public License", c)
    ]
    field = (meta.get("License") or "").strip()
    if field and (_text_copyleft(field) if "\n" in field or len(field) > 200 else _name_copyleft(field)):
        found.append(("License", field.splitlines()[0][:120]))
    return found


def _roots() -> list[str]:
    requires = list(metadata.distribution("leaktrace").requires or [])
    if PYPROJECT.exists():
        requires += tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    return requires


def runtime_tree() -> tuple[dict[str, metadata.Distribution], dict[str, str]]:
    """Every distribution leaktrace needs at run time (name → distribution), and requirements not installed (name → who needs it)."""
    found: dict[str, metadata.Distribution] = {"leaktrace": metadata.distribution("leaktrace")}
    missing: dict[str, str] = {}
    todo = [(r, "leaktrace") for r in _roots()]
    while todo:
        text, parent = todo.pop()
        req = Requirement(text)
        name = canonicalize_name(req.name)
        if name in found or (req.marker is not None and not req.marker.evaluate({"extra": ""})):
            continue
        try:
            found[name] = dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            missing[name] = parent
            continue
        todo += [(r, name) for r in dist.requires or []]
    return found, missing


def test_no_gpl_or_agpl_and_no_pymupdf_in_the_runtime_tree():
    tree, missing = runtime_tree()
    assert {"pikepdf", "pypdfium2", "numpy", "scipy"} <= set(tree)
    assert not missing, f"required but not installed (licence unknown): {missing}"
    offending = [f"{name} {dist.version}: {field} = {value!r}" for name, dist in sorted(tree.items()) for field, value in copyleft(dist.metadata)]
    offending += [f"{name} {tree[name].version}: never PyMuPDF (AGPL)" for name in sorted(FORBIDDEN_NAMES & set(tree))]
    offending += [
        f"{name} {dist.version}: ships the fitz module (PyMuPDF, AGPL)"
        for name, dist in sorted(tree.items())
        if any(f.parts[:1] == ("fitz",) or f.name == "fitz.py" for f in dist.files or [])
    ]
    for line in offending:
        print(line)
    assert not offending, "GPL/AGPL in the runtime dependency tree:\n" + "\n".join(offending)


def _meta(**fields) -> metadata.PackageMetadata:
    from email.message import Message

    msg = Message()
    for key, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            msg[key.replace("_", "-")] = value
    return msg


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"License_Expression": "MIT"}, False),
        ({"License_Expression": "LGPL-2.1-or-later"}, False),
        ({"License_Expression": "LGPL-3.0-only AND MIT"}, False),
        ({"License_Expression": "GPL-3.0-or-later"}, True),
        ({"License_Expression": "AGPL-3.0-only"}, True),
        ({"License_Expression": "MIT AND (GPL-2.0-only OR GPL-3.0-only)"}, True),
        ({"License_Expression": "GPL-2.0-only OR MIT"}, False),  # dual licensed: MIT may be chosen
        ({"License_Expression": "GPL-3.0-or-later WITH GCC-exception-3.1"}, False),
        ({"License_Expression": "GPL-2.0-or-later WITH Classpath-exception-2.0"}, False),
        ({"License_Expression": "MPL-2.0"}, False),
        ({"License": "GPLv3+"}, True),
        ({"License": "GNU AGPL v3"}, True),
        ({"License": "LGPLv3+"}, False),
        ({"License": "GNU Lesser General Public License v2.1"}, False),
        ({"License": "BSD-3-Clause, Apache-2.0, dependency licenses"}, False),
        ({"License": "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n" + "terms " * 100}, True),
        (
            {"License": "                  GNU LESSER GENERAL PUBLIC LICENSE\n  Version 3, 29 June 2007\n" + "the GNU General Public License " * 10},
            False,
        ),
        (
            {
                "License": "Copyright (c) SciPy Developers. BSD licence.\n" + "text " * 60 + "\nName: libgfortran\n"
                "License: GPL-3.0-or-later WITH GCC-exception-3.1\n the GNU General Public License ... non-GPL programs\n"
                "Name: libquadmath\nLicense: LGPL-2.1-or-later\n GNU Lesser General Public License"
            },
            False,
        ),
        ({"License": "BSD\n" + "x " * 200 + "\nName: readline\nLicense: GPL-3.0-or-later\n"}, True),
        ({"Classifier": ["License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)"]}, False),
        ({"Classifier": ["License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)"]}, False),
        ({"Classifier": ["License :: OSI Approved :: GNU General Public License v3 (GPLv3)"]}, True),
        ({"Classifier": ["License :: OSI Approved :: GNU Affero General Public License v3"]}, True),
        ({"Classifier": ["License :: OSI Approved :: GNU General Public License (GPL)"], "License_Expression": "MIT"}, False),
        ({"Classifier": ["Topic :: Software Development :: GNU General Public License tools"]}, False),
    ],
)
def test_what_counts_as_gpl(fields, bad):
    assert bool(copyleft(_meta(**fields))) is bad
