"""Trace a leak: which asset, aligned how, and whose copy it was.

Order matters for the bound: the asset and the alignment are chosen on image
evidence only (feature matches, image agreement); the recipients' signs are read
only after, for the one test per recipient. Nothing is ever re-chosen by score. Revisions of one
drawing are told apart by the residual where they differ (:func:`_likeliest`); when the leak shows
only what they share, the recipients of all of them are tested under one bound (:func:`_family`).

Every finding is stored (see :mod:`leaktrace.services.findings`) with its audit entry and
the leak's chain of custody (:mod:`leaktrace.services.custody`), in one transaction, before it
is returned with its id.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import date, datetime
from pathlib import Path

import cv2
import numpy as np

from leaktrace import imagefiles
from leaktrace.core import align, bound, keys, revisions, verdict, views
from leaktrace.documents import reading, render
from leaktrace.errors import BadInput
from leaktrace.index import hashes
from leaktrace.records import AssetMatch, Finding, LeakInfo, Match, RecipientScore
from leaktrace.services import asset_cache, custody, documents, findings, search
from leaktrace.services import assets as assets_service
from leaktrace.services.context import Context, Progress
from leaktrace.store import queries

# Without a feature match, try feature-free registration against at most this many assets
# (the nearest by global hash when there are more).
FALLBACK_ASSETS = 24
#: A leak the asset search matches to a document page is compared with up to this many of the
#: pages it found, and tested on the one its image shows (:func:`_likeliest`).
PAGE_CANDIDATES = 3
#: The asset search is asked for this many hits: revisions of one drawing all match a leak of any of them.
CANDIDATES = 5
#: A hit scoring (verified inliers) at least this fraction of the best hit's is a near-duplicate of it
#: (a revision of the same drawing), and the image chooses among them (:func:`_likeliest`).
#: Measured (bench/revisions.py): the other revisions scored 0.44–1.0 of the best. Letting in an
#: unrelated asset costs one warp, and its residual drops it.
NEAR_DUPLICATE = 0.25


def trace(
    ctx: Context,
    leak_path: Path,
    *,
    asset_id: int | str | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
    display_name: str | None = None,
    source_url: str | None = None,
    found_at: str | date | datetime | None = None,
    captured_by: str | None = None,
    note: str | None = None,
) -> Finding:
    """Trace the leak at ``leak_path``, store the finding (run by ``actor``) and return it with its id.

    ``display_name`` is what the finding calls the leak (an upload's original file name
    rather than the temporary file it was saved to); the default is the path. ``source_url``,
    ``found_at``, ``captured_by`` and ``note`` are the leak's chain of custody, checked
    before anything is traced (:func:`leaktrace.services.custody.parse`) and stored with the finding.
    """
    given = custody.parse(source_url=source_url, found_at=found_at, captured_by=captured_by, note=note)
    finding = _compute(ctx, leak_path, asset_id, progress, display_name)
    return findings.record(ctx, dataclasses.replace(finding, custody=given), leak_path, actor=actor)


def _compute(ctx: Context, leak_path: Path, asset_id: int | str | None, progress: Progress | None, display_name: str | None = None) -> Finding:
    start = time.perf_counter()
    if reading.is_pdf_file(leak_path):
        return _compute_document(ctx, leak_path, asset_id, progress, display_name, start)
    step = _stepper(progress, 4)
    image = imagefiles.read_image(leak_path, **assets_service.read_limits(ctx))
    # The finding keeps the leak file: store it now, and take its hash from the store.
    info = LeakInfo(display_name or str(leak_path), ctx.blobs.put_file(leak_path), int(image.shape[1]), int(image.shape[0]))
    return _test(ctx, image, info, asset_id, step, start)


def _test(ctx: Context, image: np.ndarray, info: LeakInfo, asset_id: int | str | None, step, start: float, *, families: bool = True) -> Finding:
    """Identify, align and test one leak image (a file, or one page of a leaked PDF).

    ``families=False`` (a leaked PDF's pages): near-duplicates the image cannot tell apart are tested
    on the asset search's best hit alone. A family's finding rests on its member of the highest
    score, and the PDF path groups its pages by the asset each finding rests on: with families there,
    which tests the one bound covers would depend on scores."""
    leak = views.describe_leak(image)  # described once: every later stage takes this view
    step("identify the asset")
    members = _identify(ctx, leak, asset_id)
    if not families:
        members = members[:1]
    if len(members) > 1:
        return _family(ctx, [_test_asset(ctx, leak, info, *m, step, start) for m in members], start)
    asset, alignments, hints = members[0]
    if asset is None:
        return Finding(info, None, None, (), ctx.settings.epsilon, None, 0, "no registered asset matches this image", time.perf_counter() - start)
    return _test_asset(ctx, leak, info, asset, alignments, hints, step, start)


def _test_asset(ctx: Context, leak: views.LeakView, info: LeakInfo, asset, alignments: list, hints: tuple, step, start: float) -> Finding:
    """Align the leak on ``asset`` (unless ``alignments`` already hold its registration) and test its recipients."""
    step("align the leak")
    original = asset_cache.original_view(ctx, asset)
    if not alignments:
        alignments = align.register_all(leak, original, hints=hints)
    if not alignments:
        match = AssetMatch(asset.id, asset.title, Match(0, 0.0, False), **_page(ctx, asset))
        return Finding(
            info, match, None, (), ctx.settings.epsilon, None, 0, "the leak could not be aligned to the asset", time.perf_counter() - start
        )
    alignment = alignments[0]
    match = AssetMatch(asset.id, asset.title, Match(int(alignment.inliers), float(alignment.coverage), bool(alignment.mirrored)), **_page(ctx, asset))
    step("test every recipient")
    with ctx.sessions() as session:
        recipients = [(r.id, r.name, r.key_ref) for r in queries.recipients_of_asset(session, asset.id)]
    n = len(recipients)
    if n == 0:
        threshold = bound.threshold(len(alignments), ctx.settings.epsilon)
        elapsed = time.perf_counter() - start
        kept = findings.alignment_record(ctx, alignment, hypotheses=len(alignments), shape=(asset.height, asset.width))
        return Finding(info, match, kept, (), ctx.settings.epsilon, threshold, 0, "the asset was never shared", elapsed)
    grid = (asset.grid_y, asset.grid_x)
    refs = [ref for _, _, ref in recipients]
    signs = keys.signs_matrix(ctx.master_key, asset.key_ref, refs, grid[0] * grid[1])
    geo = assets_service.geometry_of(asset)
    moved = {}
    if geo is not None:  # both carriers, four statistics, one bound (core.verdict)
        moved = {"geometric_grid": geo.grid, "geometric_signs": keys.signs_matrix(ctx.master_key, asset.key_ref, refs, geo.k, carrier="geometric")}
        if asset.asset_kind == "page":  # a document copy moves the page's control points, not its pixels
            moved["strokes"] = documents.stroke_map(ctx, asset)
            moved["luminance"] = asset.strength > 0  # a page without images carries no luminance mark: not tested
            words = documents.words_tested(ctx, asset)
            if words is not None:
                moved |= {"words": words, "word_signs": keys.signs_matrix(ctx.master_key, asset.key_ref, refs, words.n, carrier="words")}
    v = verdict.examine(leak, original, signs, grid=grid, epsilon=ctx.settings.epsilon, alignments=alignments, **moved)
    order = np.argsort(-v.scores, kind="stable")
    statistics = v.best_statistic
    candidates = tuple(
        RecipientScore(
            recipients[i][1],
            recipients[i][0],
            float(v.scores[i]),
            float(v.p_values[i]),
            bool(v.accused[i]),
            float(bound.log10_p_bound(v.scores[i], hypotheses=v.n_tests // n)),
            statistics[i] if len(v.statistics) > 1 else None,
        )
        for i in order
    )
    step("done")
    elapsed = time.perf_counter() - start
    kept = findings.alignment_record(ctx, alignment, hypotheses=len(alignments), shape=(asset.height, asset.width))
    return Finding(info, match, kept, candidates, ctx.settings.epsilon, float(v.threshold), int(v.n_tests), None, elapsed)


def statistics_of(ctx: Context, asset) -> tuple[str, ...]:
    """The statistics a trace of ``asset`` tests per recipient and alignment, in order (:mod:`leaktrace.core.verdict`):
    fixed by the asset (its carriers, and for a page whether its copies carry a luminance mark and its words)."""
    if assets_service.geometry_of(asset) is None:
        return ("luminance",)
    if asset.asset_kind != "page":
        return verdict.STATISTICS
    base = verdict.STATISTICS if asset.strength > 0 else verdict.GEOMETRIC_STATISTICS
    return base + (verdict.WORD_STATISTICS if documents.words_tested(ctx, asset) is not None else ())


def statistics_tested(ctx: Context, f: Finding) -> tuple[str, ...]:
    """The statistics the trace of finding ``f`` tested per recipient and alignment: those a trace of its
    asset tests (:func:`statistics_of`), less the word statistics where its counts say it predates them
    (a page traced before its words were); () when it tested nobody."""
    if f.asset is None:
        return ()
    names = statistics_of(ctx, assets_service.get(ctx, f.asset.id))
    n, h = len(f.candidates), (f.alignment.hypotheses if f.alignment is not None else 0) or 1
    if f.leak.page is None and n and f.n_tests and f.n_tests // (n * h) == len(names) - len(verdict.WORD_STATISTICS):
        names = names[: -len(verdict.WORD_STATISTICS)]
    return names


def _compute_document(ctx: Context, leak_path: Path, asset_id, progress: Progress | None, display_name: str | None, start: float) -> Finding:
    """A leaked PDF file: each page rendered at ``document_dpi`` and traced as an image; the pages of the
    one document most of them match (:func:`_one_document`, image evidence) are tested with one bound
    over all their tests (each recipient's score is its best over those pages, against the threshold
    of all their tests together). The finding rests on the page of the highest score, which the bound
    already covers: it pays for every page tested."""
    s = ctx.settings
    document = reading.read_document(leak_path, **documents.read_limits(ctx))
    if document.pages > s.max_leak_pages:
        raise BadInput(
            f"{display_name or leak_path}: a PDF of {document.pages} pages, over the {s.max_leak_pages} a trace renders and tests "
            "(setting max_leak_pages); trace a screenshot of the pages that leaked, or raise the limit."
        )
    sha = ctx.blobs.put_file(leak_path)
    step = _stepper(progress, 4 * document.pages)
    dpis = documents.page_dpis(ctx, document)
    pages = []
    for number, image in enumerate(render.render_pages(document.data, range(document.pages), dpis, label=str(leak_path), max_pixels=s.max_pixels), 1):
        info = LeakInfo(display_name or str(leak_path), sha, int(image.shape[1]), int(image.shape[0]), number)
        pages.append(_test(ctx, image, info, asset_id, step, start, families=False))
    tested = _one_document([f for f in pages if f.candidates])
    if not tested:
        first = next((f for f in pages if f.asset is not None), pages[0])
        reason = first.reason or "no page matches a registered asset"
        return dataclasses.replace(
            first, reason=f"{reason} (none of the PDF's {document.pages} pages could be tested)", elapsed_s=time.perf_counter() - start
        )
    return _combine(tested, ctx.settings.epsilon, time.perf_counter() - start)


def _one_document(pages: list[Finding]) -> list[Finding]:
    """The pages that matched the one document (or image) most of the leaked PDF's pages match, by image
    evidence only (page count, then the feature matches): a finding names one shared asset, whose
    shares and copies its report lists."""
    groups: dict[tuple, list[Finding]] = {}
    for f in pages:
        key = ("document", f.asset.document.id) if f.asset.document is not None else ("image", f.asset.id)
        groups.setdefault(key, []).append(f)
    if not groups:
        return []
    return max(groups.values(), key=lambda g: (len(g), sum(f.asset.match.inliers for f in g)))


def _combine(pages: list[Finding], epsilon: float, elapsed: float) -> Finding:
    """One finding from the tests of several pages: each recipient's best score, one family-wise bound."""
    total = sum(f.n_tests for f in pages)
    threshold = bound.threshold(total, epsilon)
    best: dict[int, tuple[float, str, int, str | None]] = {}  # recipient id → (score, name, hypotheses per recipient, statistic)
    for f in pages:
        per = f.n_tests // len(f.candidates)
        for c in f.candidates:
            score, name, hypotheses, statistic = best.get(c.recipient_id, (-np.inf, c.recipient, 0, None))
            if c.score > score:
                score, statistic = c.score, c.statistic
            best[c.recipient_id] = (score, name, hypotheses + per, statistic)
    top = max(pages, key=lambda f: f.candidates[0].score)
    candidates = tuple(
        RecipientScore(
            name,
            rid,
            float(score),
            float(min(1.0, hypotheses * bound.p_bound(score))),
            bool(bound.accuse(np.array([score]), total, epsilon)[0]),
            float(bound.log10_p_bound(score, hypotheses=hypotheses)),
            statistic,
        )
        for rid, (score, name, hypotheses, statistic) in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )
    return dataclasses.replace(top, candidates=candidates, threshold=float(threshold), n_tests=int(total), elapsed_s=elapsed)


def _family(ctx: Context, tested: list[Finding], start: float) -> Finding:
    """One finding from the tests of near-duplicate assets the leak's image cannot tell apart (a crop
    of a region identical in revisions A, B and C of a drawing).

    Guessing one revision would test the wrong recipients two times in three, and picking the one
    whose recipients score best would choose by score and void the bound. So the recipients of all
    of them are tested, as one family: every test of every member counts in one bound
    (:func:`_combine`: accuse only when the number of all those tests times exp(−T²/2) ≤ ε), which
    holds because the family was chosen on image evidence alone. An innocent's signs are independent
    of the leak whichever member they belong to, so the union over the family keeps the false-
    accusation bound ε. A recipient over it is accused on its own copy's signs (each copy has its
    own), so the accusation itself names the revision: the finding rests on that member; with
    nobody accused, on the first (the asset search's best hit). The reason names the ambiguity.
    """
    shared = [f for f in tested if f.candidates]
    titles = ", ".join(f"{f.asset.title} (asset {f.asset.id})" for f in tested if f.asset is not None)
    if not shared:
        first = tested[0]
        return dataclasses.replace(first, reason=f"{first.reason} (nor any of the revisions the leak cannot tell from it: {titles})")
    combined = _combine(shared, ctx.settings.epsilon, time.perf_counter() - start)
    if not combined.accused:
        first = shared[0]
        combined = dataclasses.replace(combined, asset=first.asset, alignment=first.alignment)
    reason = (
        f"the leak shows only what {len(tested)} near-identical assets share ({titles}): the image cannot tell which one leaked, "
        f"so the recipients of all of them were tested as one family, one bound over their {combined.n_tests} tests"
    )
    return dataclasses.replace(combined, reason=reason)


def _page(ctx: Context, asset) -> dict:
    """The page number and document of a page asset (nothing for an image)."""
    if asset.asset_kind != "page":
        return {}
    with ctx.sessions() as session:
        return findings.page_of(queries.asset_by_id(session, asset.id))


def _identify(ctx: Context, leak: views.LeakView, asset_id) -> list[tuple]:
    """The asset the leak comes from, an alignment when registration already made one, and the
    asset search's verified homography as a registration hint (image evidence only), as
    ``[(asset, alignments, hints)]``; several such members when the leak's image cannot tell
    near-duplicate assets apart (:func:`_likeliest`), ``[(None, [], ())]`` when nothing matches."""
    assets = None
    if asset_id is not None:
        given = assets_service.get(ctx, asset_id)
        if given.asset_kind != "document":
            return [(given, [], ())]
        assets = documents.pages_of(ctx, given.id)  # which page: the asset search over the document's pages
    if assets is None:
        assets = assets_service.all_assets(ctx)
    if not assets:
        raise BadInput("the workspace has no assets yet; add one with 'leaktrace asset add'.")
    hits = search.index_for(ctx, assets).search_details(leak, k=CANDIDATES)
    by_id = {asset.id: asset for asset in assets}
    if hits:
        alike = _alike(hits, by_id)
        if len(alike) > 1:
            return _likeliest(ctx, leak, [(by_id[h[0]], h[2]) for h in alike])
        asset_id, _, match = hits[0]
        return [(by_id[asset_id], [], _hints(match))]
    best: tuple = (None, [], ())
    for asset in _nearest_by_hash(ctx, leak.grey, assets)[:FALLBACK_ASSETS]:
        alignments = align.register_all(leak, asset_cache.original_view(ctx, asset))
        # register_all returns only alignments above align.MIN_AGREEMENT; keep the best one.
        if alignments and (not best[1] or alignments[0].agreement > best[1][0].agreement):
            best = (asset, alignments, ())
    return [best]


def _alike(hits: list, by_id: dict) -> list:
    """The hits among which the leak's image must choose (:func:`_likeliest`), best first, from the match
    figures alone: when the best is a page, the other pages found (up to ``PAGE_CANDIDATES``: a
    tender's sheets share their frame, title block and symbols); and every hit scoring at least
    ``NEAR_DUPLICATE`` of the best's (revisions of one drawing share almost all their features)."""
    top = hits[0]
    is_page = by_id[top[0]].asset_kind == "page"
    pages = [h for h in hits if is_page and by_id[h[0]].asset_kind == "page"][:PAGE_CANDIDATES]
    near = [h for h in hits if h[1] >= NEAR_DUPLICATE * top[1]]
    return [h for h in hits if h in pages or h in near]


def _hints(match) -> tuple:
    return ((match.homography, match.mirrored, match.inliers),) if match.method == "features" and match.homography is not None else ()


def _likeliest(ctx: Context, leak: views.LeakView, candidates: list) -> list[tuple]:
    """Of the assets the asset search found alike (:func:`_alike`), the one the leak shows, by image
    evidence only, before any recipient is looked at.

    The leak is registered onto the search's best hit; every other candidate is placed by that
    registration corrected by the search's own homographies (revisions share their frame: this
    costs a warp, not a registration), and the one whose residual where the candidates differ from
    one another is clearly the lowest is chosen (:func:`leaktrace.core.revisions.distinguish`: the
    per-tile median agreement does not see a moved line or an added hole), and registered if it is
    not the best hit. When the leak shows nothing that differs among them, all of them are returned,
    best hit first, and the trace tests them as one family (:func:`_family`). When the best hit does
    not register, the others are registered in turn and the first that does is kept.
    """
    (top, top_match), views_ = candidates[0], [asset_cache.original_view(ctx, asset, features=i == 0) for i, (asset, _) in enumerate(candidates)]
    alignments = align.register_all(leak, views_[0], hints=_hints(top_match))
    if not alignments:
        for asset, match in candidates[1:]:
            found = align.register_all(leak, asset_cache.original_view(ctx, asset), hints=_hints(match))
            if found:
                return [(asset, found, ())]
        return [(top, [], _hints(top_match))]
    placed = [alignments[0].homography]
    for _, match in candidates[1:]:
        if _hints(match) and _hints(top_match):  # the refinement's correction, in the leak's frame, applied to this hit
            placed.append(alignments[0].homography @ np.linalg.inv(top_match.homography) @ match.homography)
        else:
            placed.append(None)
    kept = [i for i, h in enumerate(placed) if h is not None]
    warped, inside = zip(*(_in_leak_frame(leak, views_[i], placed[i]) for i in kept))
    chosen = [kept[j] for j in revisions.distinguish(leak.work, list(warped), list(inside)).chosen]
    if chosen == [0]:
        return [(top, alignments, ())]
    if len(chosen) == 1:
        asset, match = candidates[chosen[0]]
        return [(asset, align.register_all(leak, asset_cache.original_view(ctx, asset), hints=_hints(match)), _hints(match))]
    return [(top, alignments, ()) if i == 0 else (candidates[i][0], [], _hints(candidates[i][1])) for i in sorted(chosen)]


def _in_leak_frame(leak: views.LeakView, original: views.OriginalView, homography: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The original's luminance warped by ``homography`` (original → leak pixels) into the leak's working frame, and where it covers it."""
    h = leak.work_matrix @ homography @ np.linalg.inv(original.work_matrix)
    size = (leak.work.shape[1], leak.work.shape[0])
    warped = cv2.warpPerspective(original.work, h, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpPerspective(np.ones(original.work.shape, np.uint8), h, size, flags=cv2.INTER_NEAREST) > 0
    return warped, inside


def _nearest_by_hash(ctx: Context, leak: np.ndarray, assets: list) -> list:
    """``assets`` nearest first by global-hash distance (plain or mirrored) to the leak, when
    there are more than the fallback tries; otherwise as given (oldest first). Image evidence
    only: no recipient is looked at."""
    if len(assets) <= FALLBACK_ASSETS:
        return assets
    known = np.stack([asset_cache.image_hash(ctx, a) for a in assets])  # n 8
    distance = np.minimum(*hashes.distances(leak, known))  # n
    return [assets[i] for i in np.argsort(distance, kind="stable")]


def _stepper(progress: Progress | None, total: int):
    count = [0]

    def step(label: str) -> None:
        count[0] += 1
        if progress:
            progress(min(count[0], total), total, label)

    return step
