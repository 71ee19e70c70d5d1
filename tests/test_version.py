"""The version: one string in leaktrace/_version.py, read by the package, its metadata and pyproject."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib
from pathlib import Path

import leaktrace
from leaktrace import _version

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_version_is_the_installed_metadata_version():
    assert leaktrace.__version__ is _version.__version__
    assert importlib.metadata.version("leaktrace") == _version.__version__


def test_pyproject_reads_its_dynamic_version_from_the_module():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in project["project"]["dynamic"] and "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "leaktrace._version.__version__"}


def test_the_version_is_a_release_number_in_a_leaf_module():
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", _version.__version__)
    tree = ast.parse(Path(_version.__file__).read_text(encoding="utf-8"))
    # nothing imported: setuptools and the import-linter leaf layer read it on its own
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
