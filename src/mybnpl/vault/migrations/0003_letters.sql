-- mybnpl schema version 3: letters drafted from the vault, and their response clocks.
-- A letter belongs to a case; it is a draft until marked sent (sent_on, sent_channel, sent_ref), which starts
-- its response clock: deadline_on is computed from the legal data's rule deadline_id (resources/legal) and
-- deadline_source records where that rule comes from. A reply is evidence linked with entity 'letter_reply'.
ALTER TABLE letters ADD COLUMN account_id INTEGER REFERENCES accounts(id);
ALTER TABLE letters ADD COLUMN finding_id INTEGER REFERENCES findings(id);
ALTER TABLE letters ADD COLUMN status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'sent', 'answered', 'closed'));
ALTER TABLE letters ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN channel_id TEXT NOT NULL DEFAULT '';  -- 'provider', a catalog channel, ...
ALTER TABLE letters ADD COLUMN sent_channel TEXT NOT NULL DEFAULT '';  -- how it was sent (post, e-mail, app)
ALTER TABLE letters ADD COLUMN sent_ref TEXT NOT NULL DEFAULT '';  -- tracking or complaint reference number
ALTER TABLE letters ADD COLUMN deadline_id TEXT;
ALTER TABLE letters ADD COLUMN deadline_on TEXT;
ALTER TABLE letters ADD COLUMN deadline_source TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN escalate_to TEXT;
ALTER TABLE letters ADD COLUMN missing_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE letters ADD COLUMN updated_at TEXT;
CREATE INDEX ix_letters_case ON letters(case_id);
CREATE INDEX ix_letters_open_deadline ON letters(deadline_on) WHERE status = 'sent';
