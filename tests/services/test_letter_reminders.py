"""Answer-deadline reminders of sent letters on a real vault: 3 days, 1 day, the day, then late — each once."""

from __future__ import annotations

from datetime import date, timedelta

from mybnpl.services import letters as letters_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.services.letter_reminders import mark_letter_reminded, pending_letter_reminders
from mybnpl.vault.db import Vault

TODAY = date(2026, 11, 23)


def test_each_step_once_and_privacy(vault: Vault) -> None:
    catalog = load_catalog()
    fill_demo(vault, catalog, size="small", today=TODAY)
    account = vault.query("SELECT id FROM accounts WHERE provider_id = 'huabei'")[0][0]
    draft = letters_svc.draft_letter(vault, catalog, letters_svc.load_legal(), "complaint", account, "CN", "en",
                                     TODAY)
    assert pending_letter_reminders(vault, TODAY) == []  # a draft has no clock
    due = letters_svc.mark_sent(vault, draft.id, TODAY, today=TODAY).deadline_on
    assert due is not None
    seen = []
    for offset in (10, 3, 2, 1, 0, -1, -5):
        day = due - timedelta(days=offset)
        notes = pending_letter_reminders(vault, day)
        for n in notes:
            mark_letter_reminded(vault, n.key)
        seen.append((offset, [n.title for n in notes]))
    titles = dict(seen)
    assert titles[10] == [] and titles[2] == [] and titles[-5] == []
    assert titles[3] and "3 days" in titles[3][0]
    assert titles[1] and "1 day" in titles[1][0]
    assert titles[0] and "today" in titles[0][0]
    assert titles[-1] and "No answer" in titles[-1][0]
    draft2 = letters_svc.draft_letter(vault, catalog, letters_svc.load_legal(), "complaint", account, "CN", "en",
                                      TODAY)
    due2 = letters_svc.mark_sent(vault, draft2.id, TODAY, today=TODAY).deadline_on
    assert due2 is not None
    private = pending_letter_reminders(vault, due2, privacy=True)
    assert private and all(draft2.recipient not in n.title + n.body for n in private)
