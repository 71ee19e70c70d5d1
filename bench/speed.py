"""`make bench-speed`: what a user waits for, against issue 16's targets, in one run (not a test).

Runs, each in its own process, one after the other:

- ``trace_speed.py``: a 2 MP leak of a 30 MP drawing beside one of a 2 MP drawing, through the CLI;
- ``trace_stages.py``: 24 product traces of 2 MP leaks (photos, drawings, renders), by stage;
- ``share_speed.py``: sharing 17 MP originals, per copy, beside encoding and writing the files;

then writes ``bench/results/speed.md`` and ``speed.json``: every target, the measured figure and
whether it holds. ``--quick`` runs the share benchmark on 4 MP images.

    .venv/bin/python bench/speed.py [--quick] [--out bench/results]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(script: str, out: Path, *extra: str) -> dict:
    path = out / f"{Path(script).stem}.json"
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the CLI runs it
    subprocess.run([sys.executable, str(HERE / script), "--json", str(path), *extra], check=True, env=env)
    return json.loads(path.read_text())


def _targets(trace: dict, stages: dict, share: dict | None) -> list[tuple[str, str, bool | None]]:
    this = trace["trees"]["this"]
    rows = [
        (
            "trace of a 2 MP leak of a 30 MP asset ÷ of a 2 MP asset ≤ 1.3 (CLI, median wall)",
            f"{this['ratio_30mp_to_2mp']:.2f} ({this['30mp']['median_wall_s']:.2f} s ÷ {this['2mp']['median_wall_s']:.2f} s)",
            this["ratio_30mp_to_2mp"] <= 1.3,
        ),
        ("peak RSS of that trace ≤ 1 GB", f"{this['30mp']['peak_rss_mb']:.0f} MB", this["30mp"]["peak_rss_mb"] <= 1024),
        (
            "median trace of a 2 MP leak, 16 recipients ≤ 1.0 s (in-process, 24 leaks)",
            f"{stages['median_s']['total_s']:.2f} s (CPU {stages['median_s'].get('cpu_s', float('nan')):.2f} s; "
            f"{stages['identified']}/{stages['leaks']} identified)",
            stages["median_s"]["total_s"] <= 1.0,
        ),
    ]
    for name, target in (share or {}).get("targets", {}).items():
        if isinstance(target, dict):
            rows.append((name, str(target.get("measured", "")), target.get("holds")))
        else:
            rows.append((name, "", bool(target)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    trace = _run("trace_speed.py", out)
    stages = _run("trace_stages.py", out)
    share = _run("share_speed.py", out, *(["--quick"] if args.quick else [])) if (HERE / "share_speed.py").exists() else None
    rows = _targets(trace, stages, share)
    lines = [
        "# What a user waits for (`make bench-speed`)",
        "",
        "Measured in one run on this machine; each figure comes from the JSON file beside this one.",
        "",
        "| target | measured | holds |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {measured} | {'yes' if holds else ('no' if holds is not None else '')} |" for name, measured, holds in rows]
    (out / "speed.md").write_text("\n".join(lines) + "\n")
    (out / "speed.json").write_text(json.dumps({"targets": [{"target": n, "measured": m, "holds": h} for n, m, h in rows]}, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
