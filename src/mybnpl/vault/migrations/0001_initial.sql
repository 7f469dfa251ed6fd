-- mybnpl schema version 1. Money is INTEGER minor units + ISO currency; dates are ISO-8601 TEXT.
CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY,
    provider_id  TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    account_ref  TEXT NOT NULL DEFAULT '',
    currency     TEXT NOT NULL DEFAULT 'CNY',
    created_at   TEXT NOT NULL
);
CREATE INDEX ix_accounts_provider ON accounts(provider_id);

CREATE TABLE evidence_blobs (
    sha256  TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    data    BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT NOT NULL REFERENCES evidence_blobs(sha256),
    media_type   TEXT NOT NULL,
    size         INTEGER NOT NULL,
    filename     TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT 'user',
    note         TEXT NOT NULL DEFAULT '',
    captured_at  TEXT,
    added_at     TEXT NOT NULL,
    account_id   INTEGER REFERENCES accounts(id)
);
CREATE INDEX ix_evidence_sha ON evidence(sha256);

CREATE TABLE statements (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER REFERENCES accounts(id),
    provider_id   TEXT NOT NULL,
    format        TEXT NOT NULL,
    evidence_id   INTEGER REFERENCES evidence(id),
    source_sha256 TEXT,
    filename      TEXT NOT NULL DEFAULT '',
    reconciled    INTEGER,  -- 1 totals checked, 0 flagged, NULL nothing printed to check
    row_count     INTEGER NOT NULL DEFAULT 0,  -- rows in the source (new + already present)
    imported_at   TEXT NOT NULL,
    period_start  TEXT,
    period_end    TEXT,
    due_date      TEXT,
    total_due_minor   INTEGER,
    minimum_due_minor INTEGER,
    currency      TEXT,
    warnings_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX ix_statements_sha ON statements(source_sha256);

CREATE TABLE transactions (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER REFERENCES accounts(id),
    statement_id    INTEGER REFERENCES statements(id),
    posted_on       TEXT NOT NULL,
    posted_at       TEXT NOT NULL DEFAULT '',  -- full timestamp text when the source has one
    amount_minor    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('out', 'in', 'neutral')),
    merchant        TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    payment_method  TEXT NOT NULL DEFAULT '',
    bnpl_product    TEXT,
    status          TEXT NOT NULL DEFAULT '',  -- the source's own status (交易成功, 已退款, Pending...)
    category        TEXT NOT NULL DEFAULT '',
    external_id     TEXT,
    fingerprint     INTEGER  -- content identity: the first 64 bits of a SHA-256, signed (repos.fingerprint)
);
CREATE INDEX ix_tx_posted ON transactions(posted_on, id);
CREATE INDEX ix_tx_account ON transactions(account_id, posted_on);
CREATE INDEX ix_tx_bnpl ON transactions(bnpl_product) WHERE bnpl_product IS NOT NULL;
CREATE INDEX ix_tx_bnpl_posted ON transactions(posted_on, id) WHERE bnpl_product IS NOT NULL;
CREATE UNIQUE INDEX ux_tx_external ON transactions(account_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX ux_tx_fingerprint ON transactions(fingerprint) WHERE fingerprint IS NOT NULL;

CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    merchant        TEXT NOT NULL DEFAULT '',
    principal_minor INTEGER NOT NULL,
    fee_minor       INTEGER NOT NULL DEFAULT 0,
    currency        TEXT NOT NULL,
    n_installments  INTEGER NOT NULL CHECK (n_installments >= 1),
    first_due       TEXT NOT NULL,
    cadence         TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT 'manual',
    created_at      TEXT NOT NULL
);

CREATE TABLE installments (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    due_on        TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'paid', 'waived')),
    paid_on       TEXT,
    UNIQUE (plan_id, seq)
);
CREATE INDEX ix_inst_due ON installments(due_on) WHERE status = 'due';

CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    provider_id  TEXT NOT NULL,
    account_id   INTEGER REFERENCES accounts(id),
    kind         TEXT NOT NULL CHECK (kind IN ('enabled', 'never_enabled', 'closed')),
    on_date      TEXT,
    channel      TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    evidence_id  INTEGER REFERENCES evidence(id),
    created_at   TEXT NOT NULL
);

CREATE TABLE findings (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    severity        TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'serious')),
    provider_id     TEXT,
    account_id      INTEGER REFERENCES accounts(id),
    first_seen      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),
    dismiss_reason  TEXT NOT NULL DEFAULT '',
    explanation_en  TEXT NOT NULL,
    explanation_zh  TEXT NOT NULL,
    fingerprint     TEXT NOT NULL UNIQUE,
    data_json       TEXT NOT NULL DEFAULT '{}',
    updated_at      TEXT NOT NULL
);

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'waiting', 'escalated', 'closed')),
    opened_on    TEXT NOT NULL,
    provider_id  TEXT,
    account_id   INTEGER REFERENCES accounts(id),
    reference    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE letters (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER REFERENCES cases(id),
    kind          TEXT NOT NULL,
    jurisdiction  TEXT NOT NULL,
    lang          TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    sent_on       TEXT
);

-- Links evidence to anything (statement, transaction, consent, finding, letter, case).
CREATE TABLE evidence_links (
    evidence_id  INTEGER NOT NULL REFERENCES evidence(id),
    entity       TEXT NOT NULL,
    entity_id    INTEGER NOT NULL,
    PRIMARY KEY (evidence_id, entity, entity_id)
) WITHOUT ROWID;

-- The append-only timeline. Triggers forbid changing or deleting history.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    on_date    TEXT,
    kind       TEXT NOT NULL,
    entity     TEXT NOT NULL DEFAULT '',
    entity_id  INTEGER,
    summary    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_events_at ON events(at);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- Personal settings that must stay encrypted (the user's name and address for letters, ...).
CREATE TABLE vault_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
