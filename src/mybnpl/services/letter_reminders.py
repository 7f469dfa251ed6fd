"""Reminders of the answers a sent letter is waiting for: 3 days and 1 day before the deadline, on the day, and
once when it has passed (time to escalate). Each fires once; what fired is remembered in the vault."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mybnpl.i18n import N_, _, ngettext, tr
from mybnpl.services.letters import letters_due
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

BEFORE = (3, 1, 0)
_KEY = "reminders.letter.{id}.{step}"


@dataclass(frozen=True)
class LetterNotice:
    key: str
    letter_id: int
    title: str
    body: str


def pending_letter_reminders(vault: Vault, today: date, privacy: bool = False) -> list[LetterNotice]:
    """What to show today, not yet shown (a machine that was off catches up with the latest step only)."""
    out = []
    for d in letters_due(vault, today):
        left = (d.deadline_on - today).days
        step = "late" if left < 0 else next((str(b) for b in sorted(BEFORE) if left <= b), None)
        if step is None:
            continue
        key = _KEY.format(id=d.letter_id, step=step)
        if repos.get_vault_setting(vault, key):
            continue
        to = _("the recipient") if privacy else d.recipient
        if step == "late":
            title = tr(N_("No answer to your letter from {to}"), to=to)
            body = tr(N_("The answer was due on {date}. mybnpl suggests the next step on the Letters page."),
                      date=d.deadline_on.isoformat())
        else:
            title = (tr(N_("An answer from {to} is due today"), to=to) if left == 0 else
                     ngettext("An answer from {to} is due in {n} day", "An answer from {to} is due in {n} days",
                              left).format(to=to, n=left))
            body = tr(N_("Letter {id}, sent {sent}: the answer is due on {date}."), id=d.letter_id,
                      sent=d.sent_on.isoformat(), date=d.deadline_on.isoformat())
        out.append(LetterNotice(key, d.letter_id, title, body))
    return out


def mark_letter_reminded(vault: Vault, key: str) -> None:
    with vault.transaction() as conn:
        repos.set_vault_setting(conn, key, repos.now_iso())
