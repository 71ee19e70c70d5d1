"""The ``report`` extra: without matplotlib or WeasyPrint a report fails with one line naming the extra,
and a PDF report leaves Pillow refusing truncated files (WeasyPrint's import switches that off)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import leaktrace.report
from leaktrace.errors import MissingDependency
from leaktrace.report import render
from leaktrace.report._extra import needs

ROOT = Path(__file__).resolve().parents[2]
LINE = "pip install 'leaktrace[report]'"


def test_needs_names_the_extra_and_lets_other_import_errors_through():
    with pytest.raises(MissingDependency, match=r"^Tests need nowhere_pkg, which is not installed: pip install 'leaktrace\[report\]'$"):
        with needs("nowhere_pkg", "Tests"):
            import nowhere_pkg  # noqa: F401
    with pytest.raises(ModuleNotFoundError):  # a different missing module is a bug, not a missing extra
        with needs("matplotlib", "Tests"):
            import nowhere_pkg  # noqa: F401


def test_pdf_without_weasyprint_is_one_line(evidence, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint → ModuleNotFoundError
    with pytest.raises(MissingDependency) as err:
        render(evidence, "pdf")
    assert str(err.value) == f"PDF reports need weasyprint, which is not installed: {LINE}"
    assert err.value.exit_code == 1 and err.value.http_status == 501


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_report_without_matplotlib_is_one_line(evidence, monkeypatch, fmt):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.delitem(sys.modules, "leaktrace.report.figures", raising=False)
    monkeypatch.delattr(leaktrace.report, "figures", raising=False)
    with pytest.raises(MissingDependency, match=r"^Evidence reports need matplotlib, which is not installed: pip install"):
        render(evidence, fmt)


def test_truncated_png_still_refused_after_a_pdf_report():
    """A fresh process: WeasyPrint's first import sets ImageFile.LOAD_TRUNCATED_IMAGES; report/pdf.py resets it."""
    code = (
        "import sys\n"
        "from PIL import ImageFile\n"
        "from leaktrace.errors import ImageRejected\n"
        "from leaktrace.imagefiles import read_image\n"
        "from leaktrace.report import render\n"
        "from tests.report.conftest import make_evidence\n"
        "assert render(make_evidence(), 'pdf')[:5] == b'%PDF-'\n"
        "assert 'weasyprint.images' in sys.modules  # the module that switches the flag on was imported\n"
        "assert ImageFile.LOAD_TRUNCATED_IMAGES is False\n"
        "try:\n"
        "    read_image('tests/data/truncated.png')\n"
        "except ImageRejected as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "tests/data/truncated.png: truncated or corrupt image"
