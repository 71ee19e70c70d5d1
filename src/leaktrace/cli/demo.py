"""``leaktrace demo``: the whole story on bundled samples."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out, progress_bar
from leaktrace.cli.traces import print_finding
from leaktrace.services import demo as demo_service


@guarded
def demo(
    home: HomeOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the copies and the leak.")] = Path("demo-out"),
    json_: JsonOpt = False,
) -> None:
    """Register 12 suppliers, share 3 images and a tender PDF, leak a copy of each, and trace them."""
    with progress_bar(not json_, "demo") as progress:
        ws, setup, finding = demo_service.run(home, out_dir, progress=progress)
    ws.close()
    if json_:
        emit_json({"setup": setup, "finding": finding.to_dict()})
        return
    out.print(f"Workspace {setup['home']}: {setup['recipients']} suppliers, assets {', '.join(f'{k}={v}' for k, v in setup['assets'].items())}.")
    out.print(f"Copies written to {setup['copies']}. The copy of '{setup['leaker']}' was leaked through a social-media chain")
    out.print("(downscaled to 1080 px, JPEG 75, cropped, re-encoded) and tracing it gives:\n")
    print_finding(finding)
    out.print(f"\nShow it again any time: leaktrace finding show {finding.id} --home {setup['home']}")
    out.print(f"Evidence report: leaktrace report {finding.id} --format pdf --out finding-{finding.id}.pdf --home {setup['home']}")
    out.print(
        f"The audit log's signed head is in {setup['checkpoint']}; keep it elsewhere, and later prove the log only grew with "
        f"leaktrace audit verify --against {setup['checkpoint']} --home {setup['home']}"
    )
    d = setup["document"]
    who = ", ".join(d["accused"]) or "nobody (a miss: no innocent is ever named instead)"
    out.print(
        f"\nThe tender package (a {d['pages']}-page PDF, asset {d['asset']}) went to every supplier as its own PDF. A screenshot of "
        f"the front drawing in '{d['leaker']}'s copy ({d['leak']}) was traced to page {d['page']}: it names {who} "
        f"(leaktrace finding show {d['finding']} --home {setup['home']})."
    )
    for user in setup.get("users", ()):
        out.print(f"Web app user '{user['name']}' ({user['role']}) created with password {user['password']} (shown only now).")
    if setup.get("users"):
        out.print(
            f"Open the web app with: leaktrace serve --home {setup['home']}; log in as 'analyst' to share, trace and open cases "
            "('admin' manages users and tokens, and does not share or trace)."
        )
    _print_portal(setup.get("portal"), setup["home"])
    out.print(
        f"\nExplore further: leaktrace recipient list --home {setup['home']}   |   leaktrace trace {setup['leak']} --home {setup['home']} --json"
    )


def _print_portal(portal: dict | None, home: str) -> None:
    """The recipient portal's part: the portal share, and the invitation link to open once ``serve`` runs."""
    if not portal:
        return
    out.print(
        f"\nRecipient portal: share {portal['share']} (asset {portal['asset']}) waits for '{portal['recipient']}' under the terms of "
        f"{portal['nda']}. No file was made: each copy is made when the supplier's user downloads it, and each download is a receipt."
    )
    invitation = portal.get("invitation")
    if invitation:
        out.print(
            f"To be the supplier, start the web app (leaktrace serve --home {home}, at {portal['url']}) and open this one-time "
            f"invitation link (invitation {invitation['id']}, valid until {invitation['expires_at'][:16]} UTC; shown only now):"
        )
        out.print(invitation["link"], soft_wrap=True)
        out.print(
            "Choose a user name and a password, accept the terms, download your copy; then, as 'analyst', see the receipt at "
            "/share/portal, and the invitation at /invitations."
        )
    elif portal.get("users"):
        out.print(f"'{portal['recipient']}' signed up already as {', '.join(portal['users'])}: sign in at {portal['url']}/login.")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
