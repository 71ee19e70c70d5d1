"""Users and API tokens: who may log into the web app and call the REST API, in which role.

Passwords are kept as Argon2id hashes (``argon2-cffi``); tokens are random strings shown
once, of which only the SHA-256 is stored. Creating users and tokens, revoking tokens and
logging in are recorded in the audit trail.

Every change of a ``users`` or ``tokens`` row is made in the transaction of an audit entry about
that row, appended after it: subject ``("user", users.id)`` or ``("token", tokens.id)``, with the
name in the details, so the row is sealed with the entry. The one exception is a token's
``last_used_at``, written on use (at most once a :data:`TOUCH_EVERY`; never on a web GET) without an entry. A password
hash that Argon2 wants renewed is renewed at ``login``, in the entry's transaction.

A user name is what the log shows as the actor of that user's web and API acts; the CLI's actors
are OS accounts ``user@host``. So a name may not contain ``@`` (nor a look-alike that Unicode
folds to it) or control and invisible characters: "root@vm" can never be a web user.

>>> name_problem("ana"), name_problem("root@vm")
(None, "a user name may not contain '@' (the log's actors 'user@host' are OS accounts of the CLI).")
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import time
import unicodedata
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from leaktrace import records
from leaktrace.errors import AccountLocked, BadInput, Busy, Conflict, Forbidden, LoginRequired, NotFound, TooManyAttempts, Unauthorized
from leaktrace.services import audit, permissions
from leaktrace.services.context import Context
from leaktrace.services.permissions import ROLES
from leaktrace.services.throttle import ClientThrottle, delay
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Token, User, utcnow

MIN_PASSWORD = 8
MAX_NAME = 200
TOKEN_PREFIX = "lt_"
#: Failed logins of one account (since its last good login or unlock) that lock it until an admin unlocks it.
LOCKOUT_AFTER = 20
#: A web session ends when unused this long, and in any case this long after its login.
SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=8)
#: Shortest reason an admin must give to mint a token that acts as another user.
MIN_REASON = 10
#: ``last_used_at`` of a token is written at most this often (a write per request would queue on SQLite).
TOUCH_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the name is unknown (equal work, so timing tells nothing)."""
    return _hasher.hash(secrets.token_hex(16))


def _record(u: User) -> records.User:
    """The interface record of a stored user (never the password hash), with its live tokens counted."""
    return records.User(u.id, u.name, u.role, bool(u.disabled), u.created_at.isoformat(), sum(not t.revoked for t in u.tokens))


def _token_record(t: Token, *, secret: str | None = None) -> records.Token:
    """The interface record of a stored token; ``secret`` only in the answer that created it."""
    return records.Token(
        t.id, t.user.name, t.name, bool(t.revoked), t.created_at.isoformat(), None if t.last_used_at is None else t.last_used_at.isoformat(), secret
    )


def name_problem(name: str) -> str | None:
    """Why ``name`` (whitespace already collapsed) cannot be a new user's name, in one line; None if it can."""
    if not name or len(name) > MAX_NAME:
        return f"a user needs a name of 1 to {MAX_NAME} characters."
    if "@" in unicodedata.normalize("NFKC", name):
        return "a user name may not contain '@' (the log's actors 'user@host' are OS accounts of the CLI)."
    bad = next((c for c in name if unicodedata.category(c)[0] == "C"), None)
    if bad is not None:
        return f"a user name may not contain control or invisible characters (U+{ord(bad):04X})."
    return None


def add(ctx: Context, name: str, role: str, password: str, *, actor: str | None = None) -> records.User:
    """Create a user with ``role`` (admin, analyst or auditor); the name is refused as :func:`name_problem` says."""
    name = " ".join(name.split())
    problem = name_problem(name)
    if problem is not None:
        raise BadInput(problem)
    if role not in ROLES:
        raise BadInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password of {name!r} must have at least {MIN_PASSWORD} characters.")
    password_hash = _hasher.hash(password)
    with store_db.transaction(ctx.sessions) as session:
        if queries.find_user_by_name(session, name) is not None:
            raise Conflict(f"a user named {name!r} already exists.")
        user = User(name=name, role=role, password_hash=password_hash, disabled=False)
        session.add(user)
        session.flush()
        audit.append(session, actor, "user.add", "user", user.id, {"name": name, "role": role})
        return _record(user)


def ready_for_password(ctx: Context, name: str, *, role: str | None = None) -> None:
    """Refuse now what would refuse a password typed next: ``role`` given, a new user ``name`` (its name,
    role, or a user of that name already there); else an existing user ``name``; and a store another
    process is writing (:class:`Busy` after ``lock_timeout_s``, as the write itself would wait).

    The command line asks for a password only after this, so nobody types one twice for a refusal
    known beforehand. The write lock is taken and let go at once (nothing is written); the write
    that follows the prompt may still find the store busy.
    """
    name = " ".join(name.split()) if role is not None else name
    if role is not None:
        problem = name_problem(name)
        if problem is not None:
            raise BadInput(problem)
        if role not in ROLES:
            raise BadInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}.")
    with store_db.transaction(ctx.sessions) as session:
        if role is None:
            queries.user_by_name(session, name)
        elif queries.find_user_by_name(session, name) is not None:
            raise Conflict(f"a user named {name!r} already exists.")


def set_disabled(ctx: Context, name: str, disabled: bool, *, actor: str | None = None) -> records.User:
    """Disable a user (logins and tokens stop working) or enable them again."""
    with store_db.transaction(ctx.sessions) as session:
        user = queries.user_by_name(session, name)
        if user.disabled != disabled:
            user.disabled = disabled
            audit.append(session, actor, "user.update", "user", user.id, {"name": user.name, "disabled": disabled})
        return _record(user)


def list_all(ctx: Context) -> list[records.User]:
    """Every user with the number of live tokens and whether failed logins locked them, oldest first."""
    with ctx.sessions() as session:
        return [replace(_record(u), locked=queries.login_failures(session, u.id)[0] >= LOCKOUT_AFTER) for u in queries.list_users(session)]


def get(ctx: Context, name: str) -> records.User:
    """The user called ``name``; :class:`~leaktrace.errors.NotFound` if there is none."""
    with ctx.sessions() as session:
        return _record(queries.user_by_name(session, name))


@dataclass(frozen=True)
class Login:
    """A good login: the user, and the number of its ``login`` audit entry, which names the web session."""

    user: records.User
    session: int


def _account_wait(session, user: User) -> tuple[int, float]:
    """Failures of ``user`` since their last login or unlock, and the seconds they must still wait."""
    failures, last = queries.login_failures(session, user.id)
    if last is None:
        return failures, 0.0
    return failures, max(0.0, delay(failures) - (utcnow() - last).total_seconds())


def authenticate(
    ctx: Context,
    name: str,
    password: str,
    *,
    client: str | None = None,
    throttle: ClientThrottle | None = None,
    unknown: ClientThrottle | None = None,
) -> Login:
    """The user ``name`` if ``password`` is theirs and they are enabled; else :class:`Unauthorized`.

    Both outcomes are audited (``login`` / ``login.failed``). Unknown names cost the same
    hashing work as known ones, and the message never says which part was wrong.

    Before any hashing, a ``client`` (address) that ``throttle`` says must wait, or an account with
    :data:`~leaktrace.services.throttle.FREE` failures or more since its last login whose back-off has
    not run out, is refused with :class:`TooManyAttempts` (HTTP 429, ``retry_after`` seconds), and an
    account with :data:`LOCKOUT_AFTER` failures with :class:`AccountLocked` until :func:`unlock`.
    These refusals are not audited (they cost nothing, and must not flood the log). A name no user
    has is counted in ``unknown`` (in memory) by the same rule, so the answers do not tell which exist.
    """
    throttle = throttle or ClientThrottle()
    wait = throttle.wait(client)
    if wait > 0:
        raise TooManyAttempts(f"too many failed logins from this address; try again in {math.ceil(wait)} s.", retry_after=math.ceil(wait))
    failures, user_id, stored = 0, None, None
    with ctx.sessions() as session:  # the checks read; the hashing holds no write lock
        user = queries.find_user_by_name(session, name)
        if user is not None:
            failures, wait = _account_wait(session, user)
            if failures >= LOCKOUT_AFTER:
                raise AccountLocked(f"the account {user.name!r} is locked after {failures} failed logins; an admin can unlock it.")
            if wait > 0:
                raise TooManyAttempts(f"too many failed logins for {user.name!r}; try again in {math.ceil(wait)} s.", retry_after=math.ceil(wait))
            user_id, stored = user.id, user.password_hash
    shown = (name or "?")[:MAX_NAME]  # whatever was typed, cut to fit
    if user_id is None and unknown is not None:  # refused as a known name would be
        failures, wait = unknown.failures(shown.casefold()), unknown.wait(shown.casefold())
        if failures >= LOCKOUT_AFTER:
            raise AccountLocked(f"the account {shown!r} is locked after {failures} failed logins; an admin can unlock it.")
        if wait > 0:
            raise TooManyAttempts(f"too many failed logins for {shown!r}; try again in {math.ceil(wait)} s.", retry_after=math.ceil(wait))
    ok = _verify(_dummy_hash() if stored is None else stored, password)
    with store_db.transaction(ctx.sessions) as session:
        user = None if user_id is None else session.get(User, user_id)
        ok = ok and user is not None and not user.disabled and user.password_hash == stored  # as verified, not changed since
        if not ok:
            throttle.failed(client)
            if user is None and unknown is not None:
                unknown.failed(shown.casefold())
            who = user.name if user is not None else shown if name_problem(shown) is None else "?"  # the actor only if it could be a name
            details: dict = {"name": shown} if client is None else {"name": shown, "client": client[:100]}
            if user is None:  # about no record: a subject ("user", None) would read as a user numbered "None"
                audit.append(session, who, "login.failed", details=details)
            else:
                if failures + 1 >= LOCKOUT_AFTER:
                    details["locked"] = True
                audit.append(session, who, "login.failed", "user", user.id, details)
        else:
            assert user is not None
            throttle.succeeded(client)
            details = {"name": user.name, "via": "password"}
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
                details["rehashed"] = True
            entry = audit.append(session, user.name, "login", "user", user.id, details)
            return Login(_record(user), entry.id)
    raise Unauthorized("wrong user name or password, or the user is disabled.")


def unlock(ctx: Context, name: str, *, actor: str | None = None) -> records.User:
    """Lift the lockout and back-off of ``name`` (an ``user.unlock`` entry: failures are counted from it on)."""
    with store_db.transaction(ctx.sessions) as session:
        user = queries.user_by_name(session, name)
        failures, _ = queries.login_failures(session, user.id)
        audit.append(session, actor, "user.unlock", "user", user.id, {"name": user.name, "failures": failures})
        return _record(user)


def set_password(ctx: Context, name: str, password: str, *, actor: str | None = None) -> records.User:
    """Give ``name`` a new password; every web session of theirs ends."""
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password of {name!r} must have at least {MIN_PASSWORD} characters.")
    password_hash = _hasher.hash(password)
    with store_db.transaction(ctx.sessions) as session:
        user = queries.user_by_name(session, name)
        user.password_hash = password_hash
        audit.append(session, actor, "user.update", "user", user.id, {"name": user.name, "password": "changed"})
        return _record(user)


def set_role(ctx: Context, name: str, role: str, *, actor: str | None = None) -> records.User:
    """Give ``name`` another role; every web session of theirs ends (their tokens act in the new role)."""
    if role not in ROLES:
        raise BadInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}.")
    with store_db.transaction(ctx.sessions) as session:
        user = queries.user_by_name(session, name)
        if user.recipient_id is not None or user.role == permissions.RECIPIENT:  # made by an invitation, for one recipient
            raise BadInput(f"{user.name!r} is a recipient's user (invited to the portal): that role never changes; disable the user instead.")
        if user.role != role:
            user.role = role
            audit.append(session, actor, "user.update", "user", user.id, {"name": user.name, "role": role})
        return _record(user)


def session_user(ctx: Context, name: object, login: object, since: object, seen: object, *, now: float | None = None) -> records.User:
    """The user of a web session, or :class:`LoginRequired` if it has ended.

    A session is the ``login`` audit entry it began with (``login``), its start and last use
    (``since``, ``seen``: Unix seconds, kept in the signed cookie). It ends after :data:`SESSION_IDLE`
    unused or :data:`SESSION_MAX` in all, at its ``logout``, and at any ``user.update`` of the user
    after it began (password, role, disabled). The audit log is the list of ended sessions: no
    table, nothing lost on restart, and a cookie copied before its logout is worthless after it.
    """
    now = time.time() if now is None else now
    ended = LoginRequired("your session has ended; please log in again.")
    if not isinstance(name, str) or not all(isinstance(v, int) and not isinstance(v, bool) for v in (login, since, seen)):
        raise ended
    if now - seen > SESSION_IDLE.total_seconds() or now - since > SESSION_MAX.total_seconds() or since > now + 60:
        raise ended
    with ctx.sessions() as session:
        user = queries.find_user_by_name(session, name)
        if user is None or user.disabled:
            raise ended
        entries = queries.entries_after(session, "user", user.id, login - 1, ("login", "logout", "user.update"))
        if not entries or entries[0].id != login or entries[0].action != "login":
            raise ended  # no such login of this user
        for entry in entries[1:]:
            if entry.action == "user.update" or (entry.action == "logout" and json.loads(entry.details).get("session") == login):
                raise ended
        return _record(user)


def logout(ctx: Context, name: str, login: int, *, actor: str | None = None) -> None:
    """End the web session that began with audit entry ``login`` (a ``logout`` entry names it)."""
    with store_db.transaction(ctx.sessions) as session:
        user = queries.find_user_by_name(session, name)
        if user is not None:
            audit.append(session, actor or user.name, "logout", "user", user.id, {"name": user.name, "session": login})


def create_token(ctx: Context, user: str, *, name: str | None = None, actor: str | None = None, reason: str | None = None) -> records.Token:
    """A new API token for ``user``; its secret (``token``) is in this answer only, never again.

    A token acts as its owner, so a web user (``actor`` naming a user) may mint one for someone else
    only if their role manages tokens (admin) and they give a ``reason`` of :data:`MIN_REASON`
    characters or more; the entry ``token.create`` records it (``minted_by``, ``reason``). The
    command line (``actor`` None: the OS account holding the workspace) is not restricted.
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    reason = " ".join((reason or "").split())[:500]
    with store_db.transaction(ctx.sessions) as session:
        owner = queries.user_by_name(session, user)
        if owner.disabled:
            raise BadInput(f"user {owner.name!r} is disabled; enable them before creating a token.")
        minter = None if actor is None or actor == owner.name else queries.find_user_by_name(session, actor)
        if minter is not None:
            if not permissions.can(minter.role, "tokens"):
                raise Forbidden(f"{minter.name} ({minter.role}) may create API tokens only for themself.")
            if len(reason) < MIN_REASON:
                raise BadInput(
                    f"a token for {owner.name!r} acts as {owner.name!r}: give a reason of at least {MIN_REASON} characters (it is audited)."
                )
        row = Token(user_id=owner.id, token_hash=_token_hash(token), name=name or "", revoked=False)
        session.add(row)
        session.flush()
        details: dict = {"user": owner.name, "user_id": owner.id, "name": row.name}
        if minter is not None:
            details.update(minted_by=minter.name, reason=reason)
        elif reason:
            details["reason"] = reason
        audit.append(session, actor, "token.create", "token", row.id, details)
        return _token_record(row, secret=token)


def revoke_token(ctx: Context, token_id: int | str, *, actor: str | None = None) -> records.Token:
    """Revoke token ``token_id`` (idempotent)."""
    try:
        number = int(token_id)
    except (TypeError, ValueError):
        raise NotFound(f"no token numbered {token_id!r}.") from None
    with store_db.transaction(ctx.sessions) as session:
        row = queries.token_by_id(session, number)
        if not row.revoked:
            row.revoked = True
            audit.append(session, actor, "token.revoke", "token", row.id, {"user": row.user.name, "user_id": row.user_id, "name": row.name})
        return _token_record(row)


def user_for_token(ctx: Context, token: str, *, touch: bool = True) -> records.User:
    """The user a REST API token belongs to; :class:`Unauthorized` if unknown, revoked or disabled.

    ``touch``: write the token's ``last_used_at`` if due (at most once a :data:`TOUCH_EVERY`, skipped
    while another process writes). The web app passes False for GET and HEAD, which never write, so
    ``last_used_at`` is the token's last use for a change. A token an admin minted for someone else
    (its ``token.create`` entry names ``minted_by``) makes every entry of the current
    :func:`~leaktrace.services.audit.attribution` scope name it (``via_token``) and that admin
    (``token_minted_by``).
    """
    if not token or not token.startswith(TOKEN_PREFIX):
        raise Unauthorized("unknown or revoked API token.")
    digest = _token_hash(token)
    with ctx.sessions() as session:
        row = queries.find_token_by_hash(session, digest)
        if row is None or row.revoked or row.user.disabled:
            raise Unauthorized("unknown or revoked API token.")
        user, stale = _record(row.user), row.last_used_at is None or utcnow() - row.last_used_at > TOUCH_EVERY
        created = queries.entries_after(session, "token", row.id, 0, ("token.create",))
        minter = json.loads(created[0].details).get("minted_by") if created else None
        if minter is not None:
            audit.attribute(via_token=row.id, token_minted_by=minter)
    if stale and touch:  # the one write to these tables without an audit entry (excluded from the token's seal)
        try:  # a convenience: skipped, never waited for, while another process writes
            with store_db.transaction(ctx.sessions, wait=False) as session:
                fresh = queries.find_token_by_hash(session, digest)
                if fresh is not None:
                    fresh.last_used_at = utcnow()
        except Busy:
            pass
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
