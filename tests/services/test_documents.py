"""services.documents: a PDF is registered page by page, shared as one PDF per recipient, and a
rendered page of a copy is traced to that recipient alone."""

from __future__ import annotations

import io
import math
import random
import shutil
import subprocess

import pikepdf
import pytest

from leaktrace import imagefiles
from leaktrace.documents import render
from leaktrace.errors import DocumentRejected


def drawing_pdf(seed: int = 5, *, text_page: bool = True) -> bytes:
    """A landscape drawing page (lines, circles, a dimension text) and a text page."""
    rng = random.Random(seed)
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(F1=pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    ops = ["0 G 0.5 w"]
    for _ in range(260):
        x, y = rng.uniform(40, 800), rng.uniform(40, 550)
        a, n = rng.uniform(0, math.pi), rng.uniform(10, 120)
        ops.append(f"{x:.2f} {y:.2f} m {x + n * math.cos(a):.2f} {y + n * math.sin(a):.2f} l S")
    for _ in range(30):
        x, y, r = rng.uniform(60, 780), rng.uniform(60, 530), rng.uniform(4, 30)
        k = 0.5523 * r
        ops.append(
            f"{x + r:.2f} {y:.2f} m {x + r:.2f} {y + k:.2f} {x + k:.2f} {y + r:.2f} {x:.2f} {y + r:.2f} c "
            f"{x - k:.2f} {y + r:.2f} {x - r:.2f} {y + k:.2f} {x - r:.2f} {y:.2f} c {x - r:.2f} {y - k:.2f} {x - k:.2f} {y - r:.2f} {x:.2f} {y - r:.2f} c "
            f"{x + k:.2f} {y - r:.2f} {x + r:.2f} {y - k:.2f} {x + r:.2f} {y:.2f} c S"
        )
    ops.append("20 20 802 555 re S BT /F1 10 Tf 50 60 Td 14 TL (Drawing T-2027-14 bumper bracket) Tj T* (Scale 1:2) Tj ET")
    page = pdf.add_blank_page(page_size=(842, 595))
    page.obj.Resources = pikepdf.Dictionary(Font=font)
    page.obj.Contents = pdf.make_stream("\n".join(ops).encode())
    if text_page:
        lines = " T* ".join(f"(Clause {i}: the supplier keeps the drawings confidential.) Tj" for i in range(30))
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Resources = pikepdf.Dictionary(Font=font)
        page.obj.Contents = pdf.make_stream(f"BT /F1 11 Tf 60 780 Td 16 TL {lines} ET 60 300 m 535 300 l S".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    from leaktrace import Workspace

    home = tmp_path_factory.mktemp("docs")
    ws = Workspace.init(home / "ws")
    for name in ("Apex", "Borealis", "Cobalt"):
        ws.add_recipient(name)
    source = home / "bracket.pdf"
    source.write_bytes(drawing_pdf())
    (added,) = ws.add_assets([source], title="Bracket drawing")
    copies = ws.share(added.id, to=["Apex", "Borealis", "Cobalt"], out=home / "out")
    yield ws, home, source, added, copies
    ws.close()


def test_a_pdf_is_a_document_of_page_assets(shared):
    ws, _, source, added, _ = shared
    assert (added.kind, added.pages, added.format, added.duplicate) == ("document", 2, "PDF", False)
    shown = ws.show_asset(added.id)
    assert [(p.kind, p.page, p.document_id, p.dpi) for p in shown.page_assets] == [("page", 1, added.id, 150.0), ("page", 2, added.id, 150.0)]
    drawing = shown.page_assets[0]
    assert (drawing.width, drawing.height) == (1755, 1240)  # 842×595 pt at 150 dpi, each side rounded up
    assert drawing.geometric_amplitude_px == pytest.approx(0.2 * 150 / 72)
    assert drawing.max_displacement_px == pytest.approx(0.4 * 150 / 72)
    assert [a.id for a in ws.list_assets()] == [added.id]  # pages are shown with their document, not listed
    (again,) = ws.add_assets([source])
    assert again.duplicate and again.id == added.id


def test_each_copy_is_the_same_document(shared):
    _, home, source, _, copies = shared
    original = source.read_bytes()
    texts = render.page_texts(original)
    assert [c.filename for c in copies] == ["bracket--apex.pdf", "bracket--borealis.pdf", "bracket--cobalt.pdf"]
    digests = set()
    for c in copies:
        data = (home / "out" / c.filename).read_bytes()
        digests.add(c.sha256)
        pdf = pikepdf.open(io.BytesIO(data))
        assert len(pdf.pages) == 2 and not pdf.check_pdf_syntax()
        assert render.page_texts(data) == texts
        assert len(data) <= 1.5 * len(original)
        assert c.ssim > 0.95  # recorded, not the gate: a sub-pixel move of thin lines costs SSIM
    assert len(digests) == 3


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_reads_every_copy_as_the_original(shared):
    _, home, source, _, copies = shared
    want = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True).stdout
    for c in copies:
        assert subprocess.run(["pdftotext", str(home / "out" / c.filename), "-"], capture_output=True, check=True).stdout == want


@pytest.mark.parametrize("dpi", [96, 72])
def test_a_rendered_page_of_a_copy_names_its_recipient_alone(shared, dpi, tmp_path):
    ws, home, _, added, copies = shared
    data = (home / "out" / copies[1].filename).read_bytes()  # Borealis
    leak = tmp_path / f"page1-{dpi}.png"
    leak.write_bytes(imagefiles.encode_image(render.render_page(data, 0, dpi), "PNG"))
    f = ws.trace(leak)
    assert f.asset.page == 1 and f.asset.document.id == added.id
    accused = [c.recipient for c in f.candidates if c.accused]
    assert accused == ["Borealis"], [(c.recipient, round(c.score, 2)) for c in f.candidates]
    assert f.candidates[0].score > f.threshold + 2


def test_the_untouched_original_accuses_nobody(shared, tmp_path):
    ws, _, source, _, _ = shared
    leak = tmp_path / "original.png"
    leak.write_bytes(imagefiles.encode_image(render.render_page(source.read_bytes(), 0, 96), "PNG"))
    f = ws.trace(leak)
    assert f.asset.page == 1 and not any(c.accused for c in f.candidates)


def test_a_page_is_shared_through_its_document(shared):
    from leaktrace.errors import BadInput

    ws, home, _, added, _ = shared
    page = ws.show_asset(added.id).page_assets[0]
    with pytest.raises(BadInput, match="share the document"):
        ws.share(page.id, to=["Apex"], out=home / "nope")


def test_hostile_pdfs_are_refused_and_nothing_is_stored(shared, tmp_path):
    ws, _, _, added, _ = shared
    for name, data in {"cut.pdf": drawing_pdf()[:300], "fake.pdf": b"%PDF-1.7\n garbage"}.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DocumentRejected):
            ws.add_assets([path])
    assert [a.id for a in ws.list_assets()] == [added.id]


def test_a_leaked_pdf_is_traced_page_by_page_with_one_bound(shared, tmp_path):
    ws, home, _, added, copies = shared
    leak = tmp_path / "forwarded.pdf"
    leak.write_bytes((home / "out" / copies[2].filename).read_bytes())  # Cobalt's copy, as it was sent
    f = ws.trace(leak)
    assert f.leak.page == 1 and f.asset.page == 1 and f.asset.document.id == added.id
    assert [c.recipient for c in f.candidates if c.accused] == ["Cobalt"]
    single = ws.trace(_page_png(home / "out" / copies[2].filename, tmp_path))
    assert f.n_tests > single.n_tests and f.threshold > single.threshold  # both pages' tests are paid for
    shown = ws.show_finding(f.id)
    assert shown.leak.page == 1
    assert [c.log10_p_bound for c in shown.candidates] == pytest.approx([c.log10_p_bound for c in f.candidates], abs=1e-4)


def test_a_trace_given_the_document_searches_its_pages(shared, tmp_path):
    ws, home, _, added, copies = shared
    f = ws.trace(_page_png(home / "out" / copies[0].filename, tmp_path), asset_id=added.id)
    assert f.asset.page == 1 and [c.recipient for c in f.candidates if c.accused] == ["Apex"]


def _page_png(copy, folder, dpi: int = 96):
    path = folder / f"{copy.stem}-p1.png"
    path.write_bytes(imagefiles.encode_image(render.render_page(copy.read_bytes(), 0, dpi), "PNG"))
    return path


def test_the_report_of_a_leaked_pdf_shows_the_page_it_rests_on(shared, tmp_path):
    ws, home, _, _, copies = shared
    leak = tmp_path / "report.pdf"
    leak.write_bytes((home / "out" / copies[1].filename).read_bytes())
    f = ws.trace(leak)
    html = ws.report(f.id, "html").decode()
    assert "Borealis" in html and "its page 1 was tested" in html and "every page's tests are counted together" in html


def test_the_report_of_a_page_lists_the_documents_shares(shared, tmp_path):
    ws, home, _, added, copies = shared
    leak = _page_png(home / "out" / copies[0].filename, tmp_path)
    f = ws.trace(leak)
    html = ws.report(f.id, "html").decode()
    share = ws.list_shares()[0]
    assert share.asset_id == added.id  # the document's share, not the page's
    assert f'written into the sender&#39;s folder <span class="sub">(share {share.id}, Apex' in html  # the delivery, from the log
    assert "records no delivery" not in html
    assert f"page 1 of the PDF document &#39;Bracket drawing&#39; (asset {added.id}, 2 pages, file bracket.pdf" in html


def test_a_leaked_pdf_over_the_page_limit_is_refused_before_any_work(shared, tmp_path):
    from leaktrace import Workspace
    from leaktrace.errors import BadInput

    ws, home, _, _, copies = shared
    leak = tmp_path / "long.pdf"
    leak.write_bytes((home / "out" / copies[0].filename).read_bytes())
    before = len(ws.list_findings())
    with Workspace(ws.home, max_leak_pages=1) as small, pytest.raises(BadInput, match="over the 1 a trace renders"):
        small.trace(leak)
    assert len(ws.list_findings()) == before


def test_a_copy_holds_no_unmoved_original_of_a_form_it_moved(tmp_path):
    """The tender drawings draw a bolt-hole form many times: each use is its own moved copy, and the
    original form is gone from the copy (else a recipient could draw it instead, unmarked)."""
    from leaktrace import Workspace
    from leaktrace.samples import document_path

    original = pikepdf.open(document_path("tender_package"))
    forms = {bytes(o.read_bytes()) for o in original.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Form}
    assert forms
    with Workspace.init(tmp_path / "ws") as ws:
        ws.add_recipient("Apex")
        (doc,) = ws.add_assets([document_path("tender_package")])
        (copy,) = ws.share(doc.id, to=["Apex"], out=tmp_path / "out")
        pdf = pikepdf.open(tmp_path / "out" / copy.filename)
        streams = {bytes(o.read_bytes()) for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Form}
        assert streams and not forms & streams


def test_an_image_carrying_a_pdf_header_in_its_text_is_an_image(shared, tmp_path):
    ws, home, _, _, copies = shared
    image = render.render_page((home / "out" / copies[1].filename).read_bytes(), 0, 96)
    leak = tmp_path / "tricky.png"
    leak.write_bytes(imagefiles.encode_image(image, "PNG", png_text={"Comment": "%PDF-1.7 not a document"}))
    f = ws.trace(leak)
    assert f.leak.page is None and f.asset.page == 1 and [c.recipient for c in f.candidates if c.accused] == ["Borealis"]


def test_a_leaked_pdf_is_tested_on_the_one_document_most_of_its_pages_match():
    from leaktrace.records import AssetMatch, AssetRef, Finding, LeakInfo, Match, RecipientScore
    from leaktrace.services import traces

    def page(doc: int, inliers: int, scores: dict) -> Finding:
        match = AssetMatch(doc * 10, "p", Match(inliers, 0.5, False), page=1, document=AssetRef(doc, "d"))
        candidates = tuple(RecipientScore(name, rid, t, 1.0, False) for rid, (name, t) in scores.items())
        return Finding(LeakInfo("x.pdf", "ab" * 32, 10, 10, 1), match, None, candidates, 1e-6, 6.0, 4 * len(candidates), None, 0.1)

    pages = [page(1, 40, {1: ("A", 9.0)}), page(2, 90, {2: ("B", 2.0)}), page(2, 80, {2: ("B", 1.0)})]
    chosen = traces._one_document(pages)
    assert [f.asset.document.id for f in chosen] == [2, 2]  # two pages match document 2, one matches 1: A's 9.0 is not counted
    combined = traces._combine(chosen, 1e-6, 0.0)
    assert [c.recipient for c in combined.candidates] == ["B"] and combined.n_tests == 8


def test_the_report_of_a_leaked_pdf_renders_the_page_as_traced_whatever_the_settings_now(shared, tmp_path):
    from leaktrace import Workspace

    ws, home, _, _, copies = shared
    leak = tmp_path / "later.pdf"
    leak.write_bytes((home / "out" / copies[2].filename).read_bytes())
    f = ws.trace(leak)
    with Workspace(ws.home, document_dpi=300) as later:
        html = later.report(f.id, "html").decode()
    assert "Cobalt" in html and f"{f.leak.width} × {f.leak.height} pixels" in html


def test_a_vector_page_is_tested_on_its_line_positions_only(shared, tmp_path):
    """A page without images carries no luminance mark: only the geometric and outline statistics are
    tested (fixed by the page, before any score), so the threshold is that of 2 statistics, not 4."""
    from leaktrace.core import bound

    ws, home, _, _, copies = shared
    f = ws.trace(_page_png(home / "out" / copies[1].filename, tmp_path))
    h = f.alignment.hypotheses
    assert f.n_tests == 2 * 3 * h and f.threshold == pytest.approx(bound.threshold(2 * 3 * h, f.epsilon))
    html = ws.report(f.id, "html").decode()
    assert "two tests, each counted" in html and "This original is a page of a PDF document" in html


def test_a_text_page_is_tested_on_its_words_too(shared, tmp_path):
    """A page whose original shows enough words is tested on where each word sits on its line as well:
    4 statistics (fixed by the page: the lines, their outlines, the words, lines and words together)."""
    from leaktrace.core import bound

    ws, home, _, _, copies = shared
    path = tmp_path / "text-page.png"
    path.write_bytes(imagefiles.encode_image(render.render_page((home / "out" / copies[2].filename).read_bytes(), 1, 96), "PNG"))
    f = ws.trace(path)
    h = f.alignment.hypotheses
    assert f.asset.page == 2 and f.n_tests == 4 * 3 * h and f.threshold == pytest.approx(bound.threshold(4 * 3 * h, f.epsilon))
    assert [c.recipient for c in f.candidates if c.accused] == ["Cobalt"]
    assert f.candidates[0].score > 2 * f.threshold  # 210 words; the line field alone scores about the threshold
    assert f.candidates[0].statistic in ("words", "geometric+words")  # the carrier that gave the evidence, kept with the score
    assert [c.statistic for c in ws.show_finding(f.id).candidates] == [c.statistic for c in f.candidates]
    html = ws.report(f.id, "html").decode()
    assert "four tests, each counted" in html and "where each word sits on its line" in html
    assert "The score was read from" in " ".join(html.split())
