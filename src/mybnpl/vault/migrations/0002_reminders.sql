-- mybnpl schema version 2: due-date reminders.
-- A reminder is one (due item, days before its due date) pair, named "<i|s><item id>-<days before>"
-- (i = installment, s = statement; "i12-3" = installment 12, three days before). It is shown once, dismissed
-- for good, or snoozed until an instant. Timestamps are ISO-8601 with their UTC offset.
CREATE TABLE reminder_state (
    reminder_id    TEXT PRIMARY KEY,
    state          TEXT NOT NULL CHECK (state IN ('shown', 'dismissed', 'snoozed')),
    shown_at       TEXT,
    dismissed_at   TEXT,
    snoozed_until  TEXT,
    updated_at     TEXT NOT NULL
) WITHOUT ROWID;

-- Days before each due date to remind, per account: a JSON array of whole days, e.g. [3, 1, 0]; [] = no
-- reminders. Accounts without a row use the default, [3, 1, 0].
CREATE TABLE reminder_offsets (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    offsets     TEXT NOT NULL
);

-- Statements marked paid by hand (installments keep their own status and paid_on columns).
CREATE TABLE statement_payments (
    statement_id  INTEGER PRIMARY KEY REFERENCES statements(id) ON DELETE CASCADE,
    paid_on       TEXT NOT NULL,
    marked_at     TEXT NOT NULL
);
