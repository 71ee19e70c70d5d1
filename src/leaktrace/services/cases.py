"""Cases: a leak incident followed over time — the finding, who is responsible, the NDA,
the penalty, the remediation plan and the status — with every change on a timeline.

Statuses: ``open`` → ``notified`` → ``penalty_applied`` / ``remediation`` → ``closed``.
Any open status may move to any other; ``penalty_applied`` needs a penalty amount; a
closed case can only be reopened (``--status open``), never moved straight on.

**The case follows the evidence.** Opening a case on a finding holds every recipient it
accuses responsible (colluders: several). A penalty is against the responsible recipients,
so setting one (or moving to ``penalty_applied``) needs at least one of them and a finding
that accuses each of them; holding a recipient responsible whom the finding does not accuse
needs the same. The only way past that rule is a written ``override_reason``: it goes on the
timeline as an event of its own (kind ``override``) and into the audit entry. Amounts are
read strictly (:func:`leaktrace.money.parse_amount`) and kept in minor units with an ISO 4217
currency; a finding whose seal no longer verifies is refused before a case is built on it.

Every change is a :class:`CaseEvent` (actor, time, field, old → new) and exactly one audit
entry about the case, appended after the change in the same transaction (it seals the case).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from leaktrace import money, records
from leaktrace.errors import BadInput, Conflict
from leaktrace.services import audit, ids
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Case, CaseEvent, CaseResponsible, Finding, Recipient, RemediationAction, utcnow

STATUSES: tuple[str, ...] = ("open", "notified", "penalty_applied", "remediation", "closed")
#: status → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    **{s: frozenset(STATUSES) - {s} for s in STATUSES if s != "closed"},
    "closed": frozenset({"open"}),
}

Names = str | Sequence[str] | None  # one recipient name or id, or several


@dataclass(frozen=True)
class CaseUpdate:
    """What ``case update`` changes; every field left None stays as it is.

    ``responsible`` makes that one recipient the only responsible one; ``add_responsible`` and
    ``remove_responsible`` change the list one recipient at a time (applied in that order).
    ``penalty_currency`` may be given before the amount, or with it; changing the currency of a
    penalty needs its amount again. ``override_reason`` is the written reason to set the evidence
    rule aside, and is refused when nothing in the change needs it.
    """

    status: str | None = None
    responsible: str | None = None  # recipient name or id
    add_responsible: Names = None
    remove_responsible: Names = None
    nda: str | None = None
    penalty_amount: str | None = None
    penalty_currency: str | None = None
    add_action: str | None = None
    due: str | None = None  # YYYY-MM-DD, with add_action
    action_done: int | str | None = None
    note: str | None = None
    override_reason: str | None = None


def open_case(
    ctx: Context,
    finding_id: int | str,
    *,
    nda: str | None = None,
    responsible: Names = None,
    override_reason: str | None = None,
    actor: str | None = None,
) -> records.Case:
    """Open a case on a finding; the responsible recipients default to everyone it accuses."""
    actor = actor or audit.default_actor()
    number = _checked_finding(ctx, _number(finding_id, "finding"))
    reason = _text(override_reason)
    with store_db.transaction(ctx.sessions) as session:
        finding = queries.finding_by_id(session, number)
        existing = queries.open_cases_of_finding(session, finding.id)
        if existing:
            raise Conflict(f"finding {finding.id} already has open case {existing[0].id}.")
        if responsible is not None:
            who = _unique([queries.recipient_by_name_or_id(session, ref) for ref in _names(responsible)])
        else:
            who = [queries.recipient_by_id(session, s.recipient_id) for s in sorted(finding.scores, key=lambda s: s.rank) if s.accused]
        unsupported = _not_accused(finding, who)
        _check_override(reason, unsupported, finding, _RESPONSIBLE)
        now = utcnow()
        case = Case(finding_id=finding.id, status="open", nda_ref=_text(nda), opened_by=actor, created_at=now, updated_at=now)
        case.responsibles = [CaseResponsible(recipient=r) for r in who]
        session.add(case)
        session.flush()
        session.add(CaseEvent(case_id=case.id, at=now, actor=actor, kind="opened", field="status", new_value="open"))
        if unsupported:
            session.add(_override_event(case.id, now, actor, finding, unsupported, reason))
        details = {"finding_id": finding.id, "responsibles": [{"id": r.id, "name": r.name} for r in who], "nda": case.nda_ref}
        if unsupported:
            details["override"] = {"reason": reason, "not_accused": [r.name for r in unsupported]}
        audit.append(session, actor, "case.open", "case", case.id, details)
        case_id = case.id
    return show(ctx, case_id)


def update(ctx: Context, case_id: int | str, change: CaseUpdate, *, actor: str | None = None) -> records.Case:
    """Apply ``change`` to a case: one event per field changed, one audit entry, one transaction.

    Everything is checked before anything is written: a refused change leaves the case as it was."""
    actor = actor or audit.default_actor()
    if change.due is not None and change.add_action is None:
        raise BadInput("--due goes with --add-action.")
    number = _number(case_id, "case")
    reason = _text(change.override_reason)
    if _touches_evidence(change):
        with ctx.sessions() as session:
            _checked_finding(ctx, queries.case_by_id(session, number).finding_id)
    with store_db.transaction(ctx.sessions) as session:
        case = queries.case_by_id(session, number)
        finding = case.finding
        now = utcnow()
        events: list[CaseEvent] = []

        def changed(field: str | None, old: object, new: object, kind: str = "change") -> None:
            old, new = None if old is None else str(old), None if new is None else str(new)
            events.append(CaseEvent(case_id=case.id, at=now, actor=actor, kind=kind, field=field, old_value=old, new_value=new))

        # --- plan and check: nothing is written before every rule holds
        current = [r.recipient for r in case.responsibles]
        who = _responsibles_after(session, case, current, change)
        added = [r for r in who if r.id not in {c.id for c in current}]
        minor, code = _penalty_after(case, change)
        penalty_changed = minor is not None and (minor, code) != (case.penalty_minor, case.penalty_currency)
        status = case.status if change.status is None else change.status
        _check_status(case, status, minor)
        applying = penalty_changed or (status == "penalty_applied" and case.status != "penalty_applied")
        if not who and (applying or (current and case.penalty_minor is not None)):
            have = "" if case.penalty_minor is None else f" (it has a penalty of {money.format_amount(case.penalty_minor, case.penalty_currency)})"
            raise BadInput(f"case {case.id} needs a responsible recipient{have}: a penalty is against someone; give --responsible NAME.")
        unsupported = _unique(_not_accused(finding, added) + (_not_accused(finding, who) if applying else []))
        _check_override(reason, unsupported, finding, _PENALTY if applying else _RESPONSIBLE, case.id)

        # --- apply, in timeline order
        if unsupported:
            events.append(_override_event(case.id, now, actor, finding, unsupported, reason))
        if [r.id for r in who] != [r.id for r in current]:
            changed("responsible", _listed(current), _listed(who))
            _set_responsibles(case, who)
        if change.nda is not None and _text(change.nda) != case.nda_ref:
            changed("nda", case.nda_ref, _text(change.nda))
            case.nda_ref = _text(change.nda)
        if penalty_changed:
            changed("penalty", _shown(case.penalty_minor, case.penalty_currency), money.format_amount(minor, code))
        elif code != case.penalty_currency:
            changed("penalty_currency", case.penalty_currency, code)
        case.penalty_minor, case.penalty_currency = minor, code
        if status != case.status:
            changed("status", case.status, status)
            case.status = status
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
            details: dict = {"changes": [{"kind": e.kind, "field": e.field, "old": e.old_value, "new": e.new_value} for e in events]}
            if penalty_changed:
                details["penalty"] = {"minor": minor, "currency": code}
            if unsupported:
                details["override"] = {"reason": reason, "not_accused": [r.name for r in unsupported]}
            audit.append(session, actor, "case.update", "case", case.id, details)
    return show(ctx, number)


def show(ctx: Context, case_id: int | str) -> records.Case:
    """A case with its finding, responsible recipients, remediation actions and timeline."""
    with ctx.sessions() as session:
        return _record(queries.case_by_id(session, _number(case_id, "case")))


def list_all(ctx: Context, *, status: str | None = None) -> list[records.Case]:
    """Cases, newest first, optionally only those with ``status``."""
    if status is not None and status not in STATUSES:
        raise BadInput(f"unknown case status {status!r}; use one of {', '.join(STATUSES)}.")
    with ctx.sessions() as session:
        return [_record(c) for c in queries.list_cases(session, status=status)]


def _record(c: Case) -> records.Case:
    """The interface record of a stored case (loaded with its finding, responsibles, actions and events)."""
    f = c.finding
    return records.Case(
        id=c.id,
        finding_id=c.finding_id,
        status=c.status,
        responsibles=tuple(records.RecipientRef(r.recipient.id, r.recipient.name) for r in c.responsibles),
        nda=c.nda_ref,
        penalty=_penalty_record(c.penalty_minor, c.penalty_currency),
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


def _penalty_record(minor: int | None, code: str | None) -> records.Penalty | None:
    if minor is None or code is None:
        return None
    return records.Penalty(money.plain_amount(minor, code), code, minor, money.format_amount(minor, code))


# ----------------------------------------------------------------------------- the rules


def _touches_evidence(change: CaseUpdate) -> bool:
    """Whether ``change`` may set a penalty or a responsible recipient (then the finding's seal is checked)."""
    return (
        any(v is not None for v in (change.responsible, change.add_responsible, change.penalty_amount, change.penalty_currency))
        or change.status == "penalty_applied"
    )


def _checked_finding(ctx: Context, finding_id: int) -> int:
    """``finding_id``, once the finding exists and still matches its seal (else NotFound / EvidenceTampered)."""
    with ctx.sessions() as session:
        queries.finding_by_id(session, finding_id)
    audit.check_seal(ctx, "finding", finding_id)
    return finding_id


def _responsibles_after(session: Session, case: Case, current: list[Recipient], change: CaseUpdate) -> list[Recipient]:
    """The responsible recipients once ``change`` is applied, in order (those kept first)."""
    who = list(current)
    if change.responsible is not None:
        who = [queries.recipient_by_name_or_id(session, change.responsible)]
    for ref in _names(change.add_responsible):
        who = _unique([*who, queries.recipient_by_name_or_id(session, ref)])
    for ref in _names(change.remove_responsible):
        gone = queries.recipient_by_name_or_id(session, ref)
        if gone.id not in {r.id for r in who}:
            raise BadInput(f"{gone.name} is not a responsible recipient of case {case.id}.")
        who = [r for r in who if r.id != gone.id]
    return who


def _set_responsibles(case: Case, who: list[Recipient]) -> None:
    """Make ``case.responsibles`` hold ``who``: rows of those who stay are kept, others removed, new ones added."""
    keep = {r.id for r in who}
    case.responsibles = [row for row in case.responsibles if row.recipient_id in keep]
    have = {row.recipient_id for row in case.responsibles}
    case.responsibles.extend(CaseResponsible(recipient=r) for r in who if r.id not in have)


def _penalty_after(case: Case, change: CaseUpdate) -> tuple[int | None, str | None]:
    """(minor units, currency) of the case's penalty once ``change`` is applied."""
    code = case.penalty_currency if change.penalty_currency is None else money.currency(change.penalty_currency)
    if change.penalty_amount is None:
        if case.penalty_minor is not None and code != case.penalty_currency:
            was = money.format_amount(case.penalty_minor, case.penalty_currency)
            raise BadInput(f"case {case.id}'s penalty is {was}: give --penalty-amount in {code} too to change its currency.")
        return case.penalty_minor, code
    if code is None:
        raise BadInput("a penalty needs a currency: add --penalty-currency (e.g. EUR).")
    minor = money.parse_amount(change.penalty_amount, code)
    if minor == 0:
        raise BadInput(f"penalty amount {change.penalty_amount!r} is zero; a waived penalty is a --note, not an amount.")
    return minor, code


def _check_status(case: Case, status: str, minor: int | None) -> None:
    if status not in STATUSES:
        raise BadInput(f"unknown case status {status!r}; use one of {', '.join(STATUSES)}.")
    if status != case.status and status not in TRANSITIONS[case.status]:
        raise BadInput(f"case {case.id} is closed; reopen it first with --status open.")
    if status == "penalty_applied" and minor is None:
        raise BadInput(f"case {case.id} has no penalty yet; give --penalty-amount and --penalty-currency.")


def _not_accused(finding: Finding, who: list[Recipient]) -> list[Recipient]:
    """Those of ``who`` the finding does not accuse."""
    accused = {s.recipient_id for s in finding.scores if s.accused}
    return [r for r in who if r.id not in accused]


_PENALTY = "a penalty needs a finding that accuses every responsible recipient, or a written --override-reason."
_RESPONSIBLE = "holding a recipient responsible whom the finding does not accuse needs a written --override-reason."


def _check_override(reason: str | None, unsupported: list[Recipient], finding: Finding, what: str, case_id: int | None = None) -> None:
    """Refuse, in one line naming them, recipients the finding does not accuse unless a reason is written;
    refuse a reason when nothing needs one (it would read as an override that never happened)."""
    where = "" if case_id is None else f"case {case_id}: "
    if unsupported and not reason:
        raise BadInput(f"{where}finding {finding.id} does not accuse {_listed(unsupported)}; {what}")
    if reason and not unsupported:
        raise BadInput(
            f"{where}nothing to override: finding {finding.id} accuses every responsible recipient of this change; drop --override-reason."
        )


def _override_event(case_id: int, at: object, actor: str, finding: Finding, unsupported: list[Recipient], reason: str | None) -> CaseEvent:
    """The timeline's record of the evidence rule set aside: what the finding does not support (old) and why (new)."""
    rule = f"finding {finding.id} does not accuse {_listed(unsupported)}"
    return CaseEvent(case_id=case_id, at=at, actor=actor, kind="override", field="evidence", old_value=rule, new_value=reason)


# ----------------------------------------------------------------------------- small helpers


def _names(value: Names) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _unique(who: list[Recipient]) -> list[Recipient]:
    """``who`` without repeats, in order."""
    return list({r.id: r for r in who}.values())


def _listed(who: list[Recipient]) -> str | None:
    return ", ".join(r.name for r in who) or None


def _shown(minor: int | None, code: str | None) -> str | None:
    return None if minor is None or code is None else money.format_amount(minor, code)


def _number(value: int | str, what: str) -> int:
    return ids.number(value, what)


def _text(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"due date {value!r} is not a date in the form YYYY-MM-DD.") from None
