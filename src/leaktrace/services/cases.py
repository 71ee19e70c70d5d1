"""Cases: a leak incident followed over time — the finding, who is responsible, the NDA,
the penalty, the remediation plan and the status — with every change on a timeline.

Statuses: ``open`` → ``notified`` → ``penalty_applied`` / ``remediation`` → ``closed``.
Any open status may move to any other; ``penalty_applied`` needs a penalty amount; a
closed case can only be reopened (``--status open``), never moved straight on.
Every change is a :class:`CaseEvent` (actor, time, field, old → new) and one audit
entry, written in the same transaction as the change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from leaktrace import records
from leaktrace.errors import BadInput, Conflict, NotFound
from leaktrace.services import audit
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Case, CaseEvent, RemediationAction, utcnow

STATUSES: tuple[str, ...] = ("open", "notified", "penalty_applied", "remediation", "closed")
#: status → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    **{s: frozenset(STATUSES) - {s} for s in STATUSES if s != "closed"},
    "closed": frozenset({"open"}),
}


@dataclass(frozen=True)
class CaseUpdate:
    """What ``case update`` changes; every field left None stays as it is."""

    status: str | None = None
    responsible: str | None = None  # recipient name or id
    nda: str | None = None
    penalty_amount: str | None = None
    penalty_currency: str | None = None
    add_action: str | None = None
    due: str | None = None  # YYYY-MM-DD, with add_action
    action_done: int | str | None = None
    note: str | None = None


def open_case(
    ctx: Context, finding_id: int | str, *, nda: str | None = None, responsible: str | None = None, actor: str | None = None
) -> records.Case:
    """Open a case on a finding; the responsible recipient defaults to its one accused recipient."""
    actor = actor or audit.default_actor()
    with store_db.transaction(ctx.sessions) as session:
        finding = queries.finding_by_id(session, _number(finding_id, "finding"))
        existing = queries.open_cases_of_finding(session, finding.id)
        if existing:
            raise Conflict(f"finding {finding.id} already has open case {existing[0].id}.")
        if responsible is not None:
            who = queries.recipient_by_name_or_id(session, responsible).id
        else:
            accused = [s.recipient_id for s in finding.scores if s.accused]
            who = accused[0] if len(accused) == 1 else None
        now = utcnow()
        case = Case(finding_id=finding.id, status="open", responsible_id=who, nda_ref=_text(nda), opened_by=actor, created_at=now, updated_at=now)
        session.add(case)
        session.flush()
        session.add(CaseEvent(case_id=case.id, at=now, actor=actor, kind="opened", field="status", new_value="open"))
        audit.append(session, actor, "case.open", "case", case.id, {"finding_id": finding.id, "responsible_id": who, "nda": case.nda_ref})
        case_id = case.id
    return show(ctx, case_id)


def update(ctx: Context, case_id: int | str, change: CaseUpdate, *, actor: str | None = None) -> records.Case:
    """Apply ``change`` to a case: one event per field changed, one audit entry, one transaction."""
    actor = actor or audit.default_actor()
    if change.due is not None and change.add_action is None:
        raise BadInput("--due goes with --add-action.")
    with store_db.transaction(ctx.sessions) as session:
        case = queries.case_by_id(session, _number(case_id, "case"))
        now = utcnow()
        events: list[CaseEvent] = []

        def changed(field: str, old: object, new: object, kind: str = "change") -> None:
            events.append(
                CaseEvent(
                    case_id=case.id,
                    at=now,
                    actor=actor,
                    kind=kind,
                    field=field,
                    old_value=None if old is None else str(old),
                    new_value=None if new is None else str(new),
                )
            )

        if change.responsible is not None:
            who = queries.recipient_by_name_or_id(session, change.responsible)
            if who.id != case.responsible_id:
                changed("responsible", None if case.responsible is None else case.responsible.name, who.name)
                case.responsible_id = who.id
        if change.nda is not None and _text(change.nda) != case.nda_ref:
            changed("nda", case.nda_ref, _text(change.nda))
            case.nda_ref = _text(change.nda)
        if change.penalty_amount is not None or change.penalty_currency is not None:
            amount = case.penalty_amount if change.penalty_amount is None else _amount(change.penalty_amount)
            currency = case.penalty_currency if change.penalty_currency is None else _currency(change.penalty_currency)
            if amount is not None and currency is None:
                raise BadInput("a penalty needs a currency: add --penalty-currency (e.g. EUR).")
            if (amount, currency) != (case.penalty_amount, case.penalty_currency):
                changed("penalty", _penalty(case.penalty_amount, case.penalty_currency), _penalty(amount, currency))
                case.penalty_amount, case.penalty_currency = amount, currency
        if change.status is not None:
            _check_status(case, change.status)
            if change.status != case.status:
                changed("status", case.status, change.status)
                case.status = change.status
        if change.add_action is not None:
            text = _text(change.add_action)
            if not text:
                raise BadInput("a remediation action needs a text.")
            due = _date(change.due)
            action = RemediationAction(case_id=case.id, text=text, due=due, done=False, created_at=now)
            session.add(action)
            session.flush()
            changed("action", None, f"#{action.id} {text}" + (f" (due {due.isoformat()})" if due else ""), kind="action")
        if change.action_done is not None:
            action = queries.action_of_case(session, case.id, _number(change.action_done, "remediation action"))
            if not action.done:
                action.done, action.done_at = True, now
                changed("action", f"#{action.id} open", f"#{action.id} done", kind="action_done")
        if change.note is not None:
            if not _text(change.note):
                raise BadInput("a note needs a text.")
            changed("note", None, _text(change.note), kind="note")
        if events:
            case.updated_at = now
            session.add_all(events)
            audit.append(
                session,
                actor,
                "case.update",
                "case",
                case.id,
                {"changes": [{"field": e.field, "old": e.old_value, "new": e.new_value} for e in events]},
            )
        number = case.id
    return show(ctx, number)


def show(ctx: Context, case_id: int | str) -> records.Case:
    """A case with its finding, remediation actions and timeline."""
    with ctx.sessions() as session:
        return _record(queries.case_by_id(session, _number(case_id, "case")))


def list_all(ctx: Context, *, status: str | None = None) -> list[records.Case]:
    """Cases, newest first, optionally only those with ``status``."""
    if status is not None and status not in STATUSES:
        raise BadInput(f"unknown case status {status!r}; use one of {', '.join(STATUSES)}.")
    with ctx.sessions() as session:
        return [_record(c) for c in queries.list_cases(session, status=status)]


def _record(c: Case) -> records.Case:
    """The interface record of a stored case (loaded with its finding, responsible, actions and events)."""
    f = c.finding
    return records.Case(
        id=c.id,
        finding_id=c.finding_id,
        status=c.status,
        responsible=None if c.responsible is None else records.RecipientRef(c.responsible.id, c.responsible.name),
        nda=c.nda_ref,
        penalty=None if c.penalty_amount is None else records.Penalty(c.penalty_amount, c.penalty_currency),
        opened_by=c.opened_by,
        created_at=c.created_at.isoformat(),
        updated_at=c.updated_at.isoformat(),
        finding=records.CaseFinding(
            f.id, tuple(json.loads(f.accused)), f.leak_sha256, None if f.asset is None else records.AssetRef(f.asset.id, f.asset.title)
        ),
        actions=tuple(
            records.RemediationStep(
                a.id, a.text, None if a.due is None else a.due.isoformat(), a.done, None if a.done_at is None else a.done_at.isoformat()
            )
            for a in c.actions
        ),
        events=tuple(records.CaseEvent(e.id, e.at.isoformat(), e.actor, e.kind, e.field, e.old_value, e.new_value) for e in c.events),
    )


def _check_status(case: Case, status: str) -> None:
    if status not in STATUSES:
        raise BadInput(f"unknown case status {status!r}; use one of {', '.join(STATUSES)}.")
    if status != case.status and status not in TRANSITIONS[case.status]:
        raise BadInput(f"case {case.id} is closed; reopen it first with --status open.")
    if status == "penalty_applied" and case.penalty_amount is None:
        raise BadInput(f"case {case.id} has no penalty yet; give --penalty-amount and --penalty-currency.")


def _number(value: int | str, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no {what} numbered {value!r}.") from None


def _text(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


def _amount(value: str) -> str:
    try:
        amount = Decimal(str(value).replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise BadInput(f"penalty amount {value!r} is not a number.") from None
    if not amount.is_finite() or amount < 0:
        raise BadInput(f"penalty amount {value!r} must be a positive number.")
    return format(amount.normalize(), "f")


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise BadInput(f"penalty currency {value!r} is not a three-letter code such as EUR.")
    return code


def _penalty(amount: str | None, currency: str | None) -> str | None:
    return None if amount is None else f"{amount} {currency or ''}".strip()


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"due date {value!r} is not a date in the form YYYY-MM-DD.") from None
