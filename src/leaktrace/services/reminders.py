"""Remediation actions that are due: on the dashboard, and by e-mail (``leaktrace case remind``).

A case's remediation plan (``case update --add-action TEXT --due DATE``) is only worth something
if someone acts on it: an action of an open case that is not done and whose due date is past, or
within :data:`DUE_SOON_DAYS` days, is *due*. The dashboard lists them (overdue first); ``leaktrace
case remind`` sends one message listing them to the ``notify_email`` addresses through the SMTP
relay of the ``smtp_host`` and ``smtp_port`` settings (STARTTLS with ``smtp_starttls``), and records
a ``reminder.sent`` audit entry (who ran it, to whom, which actions). Run it daily from cron or a
systemd timer: each run sends what is due then, so a reminder repeats until the action is done.

The relay is used without authentication (a company's internal relay); no secret is configured,
so none can leak into an output or the log. A message holds case numbers, the actions' texts,
their due dates and the responsible recipients' names: never an image, a score or a key.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from leaktrace.addresses import checked_address
from leaktrace.errors import BadInput, LeaktraceError
from leaktrace.records import Record
from leaktrace.services import audit, cases
from leaktrace.services.context import Context

__all__ = ["DUE_SOON_DAYS", "DueAction", "ReminderRun", "SmtpFailed", "deliver", "due", "send"]

#: An open action is due when its date is past or at most this many days ahead.
DUE_SOON_DAYS = 7
#: Seconds to wait for the SMTP relay.
SMTP_TIMEOUT_S = 10.0


class SmtpFailed(LeaktraceError):
    """The SMTP relay could not be reached or refused the message (nothing was recorded as sent)."""

    exit_code = 3
    http_status = 503


@dataclass(frozen=True)
class DueAction(Record):
    """One remediation action of an open case that is due (``days_left`` < 0: overdue by that many days)."""

    case_id: int
    action_id: int
    text: str
    due: str  # YYYY-MM-DD
    days_left: int
    responsible: tuple[str, ...]  # the case's responsible recipients
    case_status: str

    derived = ("overdue",)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class ReminderRun(Record):
    """What ``case remind`` did: ``sent`` when a message left for ``to``; ``reason`` when it did not."""

    sent: bool
    to: tuple[str, ...]
    actions: tuple[DueAction, ...]
    reason: str | None = None


def due(ctx: Context, *, today: date | None = None, within_days: int = DUE_SOON_DAYS) -> list[DueAction]:
    """The due actions of every open case, overdue first, then by date and case."""
    if within_days < 0:
        raise BadInput(f"--within-days must be 0 or more, not {within_days}.")
    today = today or datetime.now(UTC).date()
    horizon = today + timedelta(days=within_days)
    found = []
    for case in cases.list_all(ctx):
        if case.status == "closed":
            continue
        for action in case.actions:
            if action.done or action.due is None or date.fromisoformat(action.due) > horizon:
                continue
            found.append(
                DueAction(
                    case.id,
                    action.id,
                    action.text,
                    action.due,
                    (date.fromisoformat(action.due) - today).days,
                    tuple(r.name for r in case.responsibles),
                    case.status,
                )
            )
    return sorted(found, key=lambda a: (a.due, a.case_id, a.action_id))


def send(
    ctx: Context, *, today: date | None = None, within_days: int = DUE_SOON_DAYS, dry_run: bool = False, actor: str | None = None
) -> ReminderRun:
    """E-mail the due actions to ``notify_email`` (one message), or say why nothing was sent."""
    actions = tuple(due(ctx, today=today, within_days=within_days))
    to = tuple(checked_address(a) for a in ctx.settings.notify_email.split(",") if a.strip())
    if not actions:
        return ReminderRun(False, to, actions, "no remediation action is due")
    if dry_run:
        return ReminderRun(False, to, actions, "a dry run: nothing was sent")
    if not ctx.settings.smtp_host or not to:
        raise BadInput("a reminder needs an SMTP relay and addresses: set the smtp_host and notify_email settings (see the README's Settings).")
    deliver(ctx, _message(ctx, actions, to, today or datetime.now(UTC).date()), what="the reminder")
    audit.record(ctx, actor=actor, action="reminder.sent", details={"to": list(to), "actions": [a.action_id for a in actions]})
    return ReminderRun(True, to, actions)


def deliver(ctx: Context, message: EmailMessage, *, what: str = "the message") -> None:
    """Send ``message`` (its ``From`` set here from ``smtp_from`` if it has none) through the
    ``smtp_host``:``smtp_port`` relay, STARTTLS with ``smtp_starttls``; :class:`SmtpFailed` naming
    ``what`` and the relay's first line of refusal. The message's text is never logged or quoted."""
    if not ctx.settings.smtp_host:
        raise BadInput(f"{what} needs an SMTP relay: set the smtp_host setting (see the README's Settings).")
    if "From" not in message:
        message["From"] = ctx.settings.smtp_from
    try:
        with smtplib.SMTP(ctx.settings.smtp_host, ctx.settings.smtp_port, timeout=SMTP_TIMEOUT_S) as relay:
            if ctx.settings.smtp_starttls:
                relay.starttls()
            relay.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SmtpFailed(f"{what} could not be sent through {ctx.settings.smtp_host}:{ctx.settings.smtp_port}: {reason}") from None


def _message(ctx: Context, actions: tuple[DueAction, ...], to: tuple[str, ...], today: date) -> EmailMessage:
    overdue = sum(a.overdue for a in actions)
    message = EmailMessage()
    message["Subject"] = f"leaktrace: {len(actions)} remediation action{'s' * (len(actions) != 1)} due" + (f", {overdue} overdue" if overdue else "")
    message["From"] = ctx.settings.smtp_from
    message["To"] = ", ".join(to)
    message["Message-ID"] = make_msgid(domain="leaktrace")
    lines = [f"Remediation actions of open cases due by {today + timedelta(days=DUE_SOON_DAYS)} (as of {today}):", ""]
    for a in actions:
        when = (
            f"overdue by {-a.days_left} day{'s' * (a.days_left != -1)}"
            if a.overdue
            else ("due today" if a.days_left == 0 else f"due in {a.days_left} days")
        )
        who = ", ".join(a.responsible) or "nobody held responsible"
        lines.append(f"- case {a.case_id} ({who}): {a.text} - {a.due}, {when}")
    lines += ["", "Mark an action done with: leaktrace case update CASE --action-done ACTION_ID (or on the case's page)."]
    message.set_content("\n".join(lines))
    return message
