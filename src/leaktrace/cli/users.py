"""``leaktrace user add/list/disable/enable/unlock/password/role`` and ``leaktrace token create/revoke``: who may use the web app and API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, fail, guarded, out
from leaktrace.services.workspace import Workspace

user_app = typer.Typer(help="People who log into the web app, each with a role: admin, analyst or auditor.", no_args_is_help=True)
token_app = typer.Typer(help="REST API tokens (shown once; only their hash is kept).", no_args_is_help=True)


@user_app.command("add")
@guarded
def add(
    name: Annotated[str, typer.Argument(help="User name (unique; no '@': actors 'user@host' in the log are the CLI's OS accounts).")],
    role: Annotated[str, typer.Option("--role", help="admin | analyst | auditor")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")] = False,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create a user; the password is asked twice (hidden), or read from stdin."""
    with Workspace(home) as ws:
        ws.ready_for_password(name, role=role)  # a busy store or a taken name is said before the password is typed
        password = _password(password_stdin)
        user = ws.add_user(name, role, password)
    if json_:
        emit_json(user)
    else:
        out.print(user.id)


@user_app.command("list")
@guarded
def list_(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """List users and their roles."""
    with Workspace(home) as ws:
        rows = ws.list_users()
    if json_:
        emit_json(rows)
        return
    table = Table("id", "name", "role", "tokens", "disabled", "locked", "created")
    for u in rows:
        table.add_row(str(u.id), u.name, u.role, str(u.tokens), "yes" if u.disabled else "", "yes" if u.locked else "", u.created_at[:19])
    out.print(table)


@user_app.command("disable")
@guarded
def disable(name: Annotated[str, typer.Argument(help="User name.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Disable a user: their logins and API tokens stop working."""
    _set_disabled(name, True, home, json_)


@user_app.command("enable")
@guarded
def enable(name: Annotated[str, typer.Argument(help="User name.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Enable a disabled user again."""
    _set_disabled(name, False, home, json_)


@user_app.command("unlock")
@guarded
def unlock(name: Annotated[str, typer.Argument(help="User name.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Lift the lockout (and back-off) after failed logins of a user."""
    with Workspace(home) as ws:
        user = ws.unlock_user(name)
    if json_:
        emit_json(user)
    else:
        out.print(f"User {user.name} unlocked.")


@user_app.command("password")
@guarded
def password(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")] = False,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Set a user's password (asked twice, hidden, or read from stdin); their web sessions end."""
    with Workspace(home) as ws:
        ws.ready_for_password(name)
        user = ws.set_user_password(name, _password(password_stdin))
    if json_:
        emit_json(user)
    else:
        out.print(f"Password of {user.name} changed; their web sessions have ended.")


@user_app.command("role")
@guarded
def role(
    name: Annotated[str, typer.Argument(help="User name.")],
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help="admin | analyst | auditor")],
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Give a user another role; their web sessions end."""
    with Workspace(home) as ws:
        user = ws.set_user_role(name, new_role)
    if json_:
        emit_json(user)
    else:
        out.print(f"User {user.name} is now {user.role}; their web sessions have ended.")


def _password(from_stdin: bool) -> str:
    """The password: the first line of stdin, or asked twice (hidden) on the terminal; refused if empty."""
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    if not secret:
        fail("no password given.", 2)
    return secret


def _set_disabled(name: str, disabled: bool, home, json_: bool) -> None:
    with Workspace(home) as ws:
        user = ws.set_user_disabled(name, disabled)
    if json_:
        emit_json(user)
    else:
        out.print(f"User {user.name} {'disabled' if user.disabled else 'enabled'}.")


@token_app.command("create")
@guarded
def create(
    user: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str | None, typer.Option("--name", help="What the token is for.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (recorded in the audit log with the token).")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create an API token and print it once (it acts as USER: the audit log records who made it)."""
    with Workspace(home) as ws:
        token = ws.create_token(user, name=name, reason=reason)
    if json_:
        emit_json(token)
        return
    out.print(token.token)
    err.print(f"Token {token.id} for {token.user}: store it now, it cannot be shown again.")


@token_app.command("revoke")
@guarded
def revoke(token_id: Annotated[str, typer.Argument(help="Id of the token.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Revoke an API token."""
    with Workspace(home) as ws:
        token = ws.revoke_token(token_id)
    if json_:
        emit_json(token)
    else:
        out.print(f"Token {token.id} of {token.user} revoked.")


def register(root: typer.Typer) -> None:
    root.add_typer(user_app, name="user")
    root.add_typer(token_app, name="token")
