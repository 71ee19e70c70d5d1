"""``leaktrace index check/rebuild``: the FAISS index of the assets kept beside the workspace, against the store."""

from __future__ import annotations

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out, progress_bar
from leaktrace.services import search
from leaktrace.services.workspace import Workspace

app = typer.Typer(help="The asset search's FAISS index (HOME/cache/assets.ann).", no_args_is_help=True)


@app.command("check")
@guarded
def check(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Compare the kept index with the store, changing nothing; exit 1 if it is not in step (a trace that uses it brings it in step)."""
    with Workspace(home) as ws:
        result = search.check(ws.context)
    _report(result, json_)
    if result.in_use and not result.in_step:
        raise typer.Exit(1)


@app.command("rebuild")
@guarded
def rebuild(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Make the index anew from every asset's cached features (after a restore, or to retrain it for a grown corpus)."""
    with Workspace(home) as ws, progress_bar(not json_, "index") as progress:
        result = search.rebuild(ws.context, progress=progress)
    _report(result, json_)


def _report(result, json_: bool) -> None:
    if json_:
        emit_json(result)
        return
    use = "used by traces" if result.in_use else f"not used by traces yet (index_backend {result.backend}, {search.AUTO_ANN_FROM} assets for auto)"
    if not result.kept:
        state = "damaged or of an older format: the next trace that uses it rebuilds it" if not result.readable else "none kept"
        out.print(f"index: {state}; {result.assets} assets; {use}", markup=False)
        return
    out.print(f"index: {result.entries} entries for {result.assets} assets; {use}", markup=False)
    for label, ids in (
        ("not indexed", result.missing),
        ("indexed but gone from the store", result.extra),
        ("indexed from another file", result.stale),
    ):
        if ids:
            out.print(f"  {label}: asset {', '.join(map(str, ids))}", markup=False)
    if result.in_step:
        out.print("  in step with the store (every entry's SHA-256 is its asset's file)", markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="index")
