"""Letters: draft one from the vault, edit it, mark it sent (which starts its response clock), attach the reply,
and list what is due.

Decisions:
* A letter always belongs to a case. With ``case_id`` it joins that case; with a finding it joins the finding's
  case (reference ``finding:<id>``), else the account's (reference ``account:<id>``); a missing case is opened
  in the same transaction as the letter.
* The letter's evidence (the user's own evidence for the account, the finding's and the case's) is linked to
  the letter (``evidence_links`` entity ``letter``) and to its case. A reply is linked as ``letter_reply``.
* The response clock: ``mark_sent`` computes ``deadline_on`` from the legal data's deadline rule and the
  jurisdiction's holiday calendar (letters.deadlines), from the day sent — the legal clock runs from receipt, so
  the real deadline is, if anything, later. ``letters_due`` lists open clocks and suggests the escalation letter
  once one has passed unanswered.
* A sent letter's text is the record of what was sent: it can no longer be edited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from mybnpl.core import richtext
from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.richtext import RichDoc
from mybnpl.i18n import N_
from mybnpl.letters.compose import KIND_NAMES, compose, fmt_date, lang_code
from mybnpl.letters.deadlines import Clock, clock
from mybnpl.letters.legal import Legal, parse_legal
from mybnpl.letters.render import LABELS, Renderer
from mybnpl.resources import resource_path
from mybnpl.services import evidence as evidence_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.letter_facts import evidence_name, gather_facts
from mybnpl.services.names import provider_name
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

MAX_TEXT = 200_000
__all__ = ["Draft", "DueLetter", "EvidenceRef", "LetterRecord", "attach_reply", "draft_letter", "get_letter",
           "letters_due", "list_letters", "load_legal", "load_renderer", "mark_sent", "update_letter_text"]


@cache
def load_legal() -> Legal:
    data = json.loads(resource_path("legal", "legal.json").read_text(encoding="utf-8"))
    return parse_legal(data, frozenset(load_catalog().channels))


@cache
def load_renderer() -> Renderer:
    folder = resource_path("letters")
    return Renderer({p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.j2"))})


@dataclass(frozen=True)
class EvidenceRef:
    id: int
    name: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "sha256": self.sha256}


@dataclass(frozen=True)
class Draft:
    id: int
    case_id: int
    kind: str
    jurisdiction: str
    lang: str
    title: str
    text: str
    recipient: str
    channel_id: str
    deadline_id: str | None
    deadline_days: int | None  # the period's number, in deadline_unit
    deadline_unit: str | None  # days | working_days | weeks | months
    deadline_basis: str | None  # statute | request (the letter asks; no statutory deadline)
    deadline_source: str
    evidence: tuple[EvidenceRef, ...]
    missing_fields: tuple[str, ...]
    unverified: tuple[str, ...]
    escalate_to: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "case_id": self.case_id, "kind": self.kind, "jurisdiction": self.jurisdiction,
                "lang": self.lang, "title": self.title, "recipient": self.recipient, "channel": self.channel_id,
                "deadline_id": self.deadline_id, "deadline_days": self.deadline_days,
                "deadline_unit": self.deadline_unit, "deadline_basis": self.deadline_basis,
                "deadline_source": self.deadline_source, "evidence": [e.to_json() for e in self.evidence],
                "missing_fields": list(self.missing_fields), "unverified": list(self.unverified),
                "escalate_to": self.escalate_to, "text": self.text}


@dataclass(frozen=True)
class LetterRecord:
    id: int
    case_id: int | None
    account_id: int | None
    finding_id: int | None
    kind: str
    jurisdiction: str
    lang: str
    title: str
    text: str
    status: str  # draft | sent | answered | closed
    recipient: str
    channel_id: str
    created_at: str
    sent_on: date | None
    sent_channel: str
    sent_ref: str
    deadline_id: str | None
    deadline_on: date | None
    deadline_source: str
    escalate_to: str | None
    missing_fields: tuple[str, ...]
    evidence: tuple[EvidenceRef, ...] = ()
    replies: tuple[EvidenceRef, ...] = ()
    rich: RichDoc | None = None  # the formatting, when the user added some (the text says the rest)

    @property
    def doc(self) -> RichDoc:
        """The letter as rich text: its formatting if any, else its plain text."""
        return self.rich if self.rich is not None else richtext.from_text(self.text)

    def to_json(self, with_text: bool = True) -> dict[str, Any]:
        d = {"id": self.id, "case_id": self.case_id, "account_id": self.account_id, "finding_id": self.finding_id,
             "kind": self.kind, "jurisdiction": self.jurisdiction, "lang": self.lang, "title": self.title,
             "status": self.status, "recipient": self.recipient, "channel": self.channel_id,
             "created_at": self.created_at, "sent_on": self.sent_on.isoformat() if self.sent_on else None,
             "sent_channel": self.sent_channel, "sent_ref": self.sent_ref, "deadline_id": self.deadline_id,
             "deadline_on": self.deadline_on.isoformat() if self.deadline_on else None,
             "deadline_source": self.deadline_source, "escalate_to": self.escalate_to,
             "missing_fields": list(self.missing_fields), "evidence": [e.to_json() for e in self.evidence],
             "replies": [e.to_json() for e in self.replies]}
        if with_text:
            d["text"] = self.text
        return d


@dataclass(frozen=True)
class DueLetter:
    letter_id: int
    case_id: int | None
    kind: str
    title: str
    recipient: str
    sent_on: date
    deadline_on: date
    extended_until: date | None  # the last statutory extension, if any
    then_until: date | None  # the end of your own window after the deadline (UK: 6 months to the FOS)
    state: str  # running | due_today | overdue | expired
    days_left: int
    escalate_to: str | None  # suggested once overdue
    calendar_final: bool

    def to_json(self) -> dict[str, Any]:
        return {"letter_id": self.letter_id, "case_id": self.case_id, "kind": self.kind, "title": self.title,
                "recipient": self.recipient, "sent_on": self.sent_on.isoformat(),
                "deadline_on": self.deadline_on.isoformat(),
                "extended_until": self.extended_until.isoformat() if self.extended_until else None,
                "then_until": self.then_until.isoformat() if self.then_until else None, "state": self.state,
                "days_left": self.days_left, "escalate_to": self.escalate_to, "calendar_final": self.calendar_final}


def _case_for(conn: Any, vault: Vault, catalog: Catalog, account_id: int, finding_id: int | None,
              case_id: int | None, kind: str, today: date) -> int:
    if case_id is not None:
        if not vault.query("SELECT 1 FROM cases WHERE id = ?", (case_id,)):
            raise NotFound(N_("Case {id} was not found."), id=case_id)
        return case_id
    reference = f"finding:{finding_id}" if finding_id is not None else f"account:{account_id}"
    row = conn.execute("SELECT id FROM cases WHERE reference = ? AND status != 'closed' ORDER BY id LIMIT 1",
                       (reference,)).fetchone()
    if row:
        return int(row[0])
    provider_id = repos.get_account(vault, account_id).provider_id
    title = f"{catalog.get(provider_id).name('en')}: {KIND_NAMES[kind].en}"
    cur = conn.execute("INSERT INTO cases(title, status, opened_on, provider_id, account_id, reference) "
                       "VALUES (?, 'open', ?, ?, ?, ?)", (title, today.isoformat(), provider_id, account_id, reference))
    new_id = int(cur.lastrowid)
    if finding_id is not None:
        conn.execute("INSERT OR IGNORE INTO evidence_links(evidence_id, entity, entity_id) SELECT evidence_id, "
                     "'case', ? FROM evidence_links WHERE entity = 'finding' AND entity_id = ?", (new_id, finding_id))
    repos.append_event(conn, "case_opened", title, entity="case", entity_id=new_id, on_date=today)
    return new_id


def _existing_case(vault: Vault, account_id: int, finding_id: int | None, case_id: int | None) -> int | None:
    if case_id is not None:
        return case_id
    reference = f"finding:{finding_id}" if finding_id is not None else f"account:{account_id}"
    v = vault.scalar("SELECT id FROM cases WHERE reference = ? AND status != 'closed' ORDER BY id LIMIT 1",
                     (reference,))
    return None if v is None else int(v)


def _complaint_ref(vault: Vault, case_id: int | None, lang: str) -> str | None:
    if case_id is None:
        return None
    rows = vault.query("SELECT sent_on, sent_ref FROM letters WHERE case_id = ? AND sent_on IS NOT NULL AND kind IN "
                       "('complaint', 'refund', 'closure', 'hardship') ORDER BY sent_on DESC, id DESC LIMIT 1",
                       (case_id,))
    if not rows:
        return None
    sent, ref = date.fromisoformat(rows[0][0]), rows[0][1]
    text = fmt_date(sent, lang)
    return text + ((f"（编号：{ref}）" if lang == "zh" else f" (reference {ref})") if ref else "")


def draft_letter(vault: Vault, catalog: Catalog, legal: Legal, kind: str, account_id: int, jurisdiction: str,
                 lang: str, today: date, finding_id: int | None = None, case_id: int | None = None, *,
                 channel: str | None = None, extra: Mapping[str, str] | None = None) -> Draft:
    """Draft a letter from what the vault knows and store it, with its case, evidence links and an event, in one
    transaction. Facts the vault lacks are placeholders listed in ``missing_fields`` (``extra`` fills them)."""
    lang = lang_code(lang)
    jurisdiction = jurisdiction.upper()
    account = repos.get_account(vault, account_id)
    if finding_id is not None:
        rows = vault.query("SELECT provider_id FROM findings WHERE id = ?", (finding_id,))
        if not rows:
            raise NotFound(N_("Finding {id} was not found."), id=finding_id)
        if rows[0][0] and rows[0][0] != account.provider_id:
            raise InvalidInput(N_("Finding {id} is about {provider}, not about account {account} ({other}); choose an "
                                  "account with {provider}."), id=finding_id,
                               provider=provider_name(catalog, rows[0][0]), account=account_id,
                               other=provider_name(catalog, account.provider_id))
    known_case = _existing_case(vault, account_id, finding_id, case_id)
    extra = dict(extra or {})
    unknown = sorted(k for k in extra if k not in LABELS)
    if unknown:
        raise InvalidInput(N_("Unknown letter field(s): {fields}. The fields are: {known}."),
                           fields=", ".join(unknown), known=", ".join(sorted(LABELS)))
    if "complaint_ref" not in extra and (ref := _complaint_ref(vault, known_case, lang)):
        extra["complaint_ref"] = ref
    facts = gather_facts(vault, catalog, account_id, today, finding_id=finding_id, case_id=known_case, extra=extra)
    c = compose(kind, jurisdiction, lang, facts, catalog.get(account.provider_id), catalog, legal, load_renderer(),
                today, channel)
    with vault.transaction() as conn:
        cid = _case_for(conn, vault, catalog, account_id, finding_id, known_case, kind, today)
        cur = conn.execute(
            "INSERT INTO letters(case_id, kind, jurisdiction, lang, title, body, created_at, account_id, finding_id,"
            " recipient, channel_id, deadline_id, deadline_source, escalate_to, missing_json, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (cid, kind, jurisdiction, lang, c.title, c.text, repos.now_iso(), account_id, finding_id, c.recipient,
             c.channel_id, c.deadline.id if c.deadline else None, c.deadline.source if c.deadline else "",
             c.escalate_to, json.dumps(list(c.missing_fields)), repos.now_iso()))
        letter_id = int(cur.lastrowid)
        for e in facts.evidence:
            for entity, eid in (("letter", letter_id), ("case", cid)):
                conn.execute("INSERT OR IGNORE INTO evidence_links(evidence_id, entity, entity_id) VALUES (?, ?, ?)",
                             (e.id, entity, eid))
        repos.append_event(conn, "letter_drafted", f"{kind} {jurisdiction}/{lang} -> {c.channel_id}",
                           entity="letter", entity_id=letter_id, on_date=today)
    d = c.deadline
    return Draft(letter_id, cid, kind, jurisdiction, lang, c.title, c.text, c.recipient, c.channel_id,
                 d.id if d else None, d.period.amount if d else None, d.period.unit if d else None,
                 d.basis if d else None, d.source if d else "",
                 tuple(EvidenceRef(e.id, e.name, e.sha256) for e in facts.evidence), c.missing_fields, c.unverified,
                 c.escalate_to)


_COLS = ("id, case_id, account_id, finding_id, kind, jurisdiction, lang, title, body, status, recipient, channel_id, "
         "created_at, sent_on, sent_channel, sent_ref, deadline_id, deadline_on, deadline_source, escalate_to, "
         "missing_json, body_rich")


def _refs(vault: Vault, entity: str, letter_id: int) -> tuple[EvidenceRef, ...]:
    return tuple(EvidenceRef(int(r[0]), evidence_name(r[1], r[2], r[4], int(r[0])), str(r[3])) for r in vault.query(
        "SELECT e.id, e.filename, e.note, e.sha256, e.source FROM evidence e JOIN evidence_links l "
        "ON l.evidence_id = e.id "
        "WHERE l.entity = ? AND l.entity_id = ? ORDER BY e.id", (entity, letter_id)))


def _record(vault: Vault, r: Any, details: bool) -> LetterRecord:
    lid = int(r[0])
    return LetterRecord(
        lid, r[1], r[2], r[3], str(r[4]), str(r[5]), str(r[6]), str(r[7]), str(r[8]), str(r[9]), str(r[10]),
        str(r[11]), str(r[12]), date.fromisoformat(r[13]) if r[13] else None, str(r[14]), str(r[15]), r[16],
        date.fromisoformat(r[17]) if r[17] else None, str(r[18]), r[19], tuple(json.loads(r[20] or "[]")),
        _refs(vault, "letter", lid) if details else (), _refs(vault, "letter_reply", lid) if details else (),
        richtext.from_json(r[21]) if r[21] else None)


def get_letter(vault: Vault, letter_id: int) -> LetterRecord:
    rows = vault.query(f"SELECT {_COLS} FROM letters WHERE id = ?", (letter_id,))
    if not rows:
        raise NotFound(N_("Letter {id} was not found."), id=letter_id)
    return _record(vault, rows[0], details=True)


def list_letters(vault: Vault, case_id: int | None = None) -> list[LetterRecord]:
    where, params = ("WHERE case_id = ?", (case_id,)) if case_id is not None else ("", ())
    return [_record(vault, r, details=False) for r in vault.query(f"SELECT {_COLS} FROM letters {where} ORDER BY id",
                                                                   params)]


def update_letter_text(vault: Vault, letter_id: int, text: str, rich: RichDoc | None = None) -> LetterRecord:
    """The user's edit of a draft: plain ``text``, or ``rich`` text (then ``text`` is ignored and becomes the
    rich text's plain form; formatting is kept only when there is some)."""
    if rich is not None:
        rich = richtext.normalise(rich)
        text = richtext.to_text(rich)
        if richtext.is_plain(rich):
            rich = None
    old = get_letter(vault, letter_id)
    if old.status != "draft":
        raise InvalidInput(N_("Letter {id} was sent on {date}; its text is the record of what was sent and cannot "
                              "change."), id=letter_id, date=old.sent_on)
    if len(text) > MAX_TEXT or "\x00" in text:
        raise InvalidInput(N_("A letter is limited to {max} characters."), max=MAX_TEXT)
    rich_json = richtext.to_json(rich) if rich is not None else None
    if rich_json is not None and len(rich_json.encode()) > richtext.MAX_JSON:
        raise InvalidInput(N_("The letter's formatting is too large."))
    with vault.transaction() as conn:
        conn.execute("UPDATE letters SET body = ?, body_rich = ?, updated_at = ? WHERE id = ?",
                     (text, rich_json, repos.now_iso(), letter_id))
        repos.append_event(conn, "letter_edited", old.title, entity="letter", entity_id=letter_id)
    return get_letter(vault, letter_id)


def _clock(legal: Legal, rec: LetterRecord) -> Clock | None:
    if rec.sent_on is None or rec.deadline_id is None or rec.deadline_id not in legal.deadlines:
        return None
    rule = legal.deadline(rec.deadline_id)
    calendar = legal.jurisdiction(rec.jurisdiction).calendar
    return clock(rec.sent_on, rule.period, calendar, rule.extensions, rule.then)


def mark_sent(vault: Vault, letter_id: int, sent_on: date, channel: str = "", ref: str = "",
              today: date | None = None, legal: Legal | None = None) -> LetterRecord:
    """Record that the letter went out (date, how, reference number): its response clock starts."""
    legal = legal or load_legal()
    today = today or date.today()
    rec = get_letter(vault, letter_id)
    if rec.status != "draft":
        raise InvalidInput(N_("Letter {id} is already marked sent ({date})."), id=letter_id, date=rec.sent_on)
    if sent_on > today:
        raise InvalidInput(N_("The sending date is in the future."))
    channel, ref = channel.strip()[:200], ref.strip()[:200]
    sent = LetterRecord(**{**rec.__dict__, "sent_on": sent_on})
    clk = _clock(legal, sent)
    with vault.transaction() as conn:
        conn.execute("UPDATE letters SET status = 'sent', sent_on = ?, sent_channel = ?, sent_ref = ?, "
                     "deadline_on = ?, updated_at = ? WHERE id = ?",
                     (sent_on.isoformat(), channel, ref, clk.due.isoformat() if clk else None, repos.now_iso(),
                      letter_id))
        if rec.case_id is not None:
            conn.execute("UPDATE cases SET status = 'waiting' WHERE id = ? AND status = 'open'", (rec.case_id,))
        repos.append_event(conn, "letter_sent", f"{rec.kind} -> {rec.recipient}" + (f" ({ref})" if ref else ""),
                           entity="letter", entity_id=letter_id, on_date=sent_on)
    return get_letter(vault, letter_id)


def attach_reply(vault: Vault, letter_id: int, path: Path, today: date | None = None,
                 note: str = "") -> EvidenceRef:
    """Keep the provider's or regulator's reply as evidence linked to the letter (and its case); the letter
    counts as answered and its clock stops."""
    rec = get_letter(vault, letter_id)
    item = evidence_svc.add_evidence_file(vault, path, note=note or f"reply to letter {letter_id}",
                                          account_id=rec.account_id, link=("letter_reply", letter_id))
    with vault.transaction() as conn:
        if rec.case_id is not None:
            conn.execute("INSERT OR IGNORE INTO evidence_links(evidence_id, entity, entity_id) VALUES (?, 'case', ?)",
                         (item.id, rec.case_id))
            conn.execute("UPDATE cases SET status = 'open' WHERE id = ? AND status = 'waiting'", (rec.case_id,))
        conn.execute("UPDATE letters SET status = 'answered', updated_at = ? WHERE id = ? AND status = 'sent'",
                     (repos.now_iso(), letter_id))
        repos.append_event(conn, "letter_reply", path.name, entity="letter", entity_id=letter_id,
                           on_date=today or date.today())
    return EvidenceRef(item.id, item.note or item.filename, item.sha256)


def letters_due(vault: Vault, today: date, legal: Legal | None = None) -> list[DueLetter]:
    """Every sent, unanswered letter with a response clock, soonest first; overdue ones suggest the escalation
    letter kind."""
    legal = legal or load_legal()
    out = []
    for rec in (get_letter(vault, int(r[0])) for r in vault.query(
            "SELECT id FROM letters WHERE status = 'sent' AND deadline_on IS NOT NULL ORDER BY deadline_on, id")):
        clk = _clock(legal, rec)
        if clk is None or rec.sent_on is None:
            continue
        state = clk.state(today)
        out.append(DueLetter(rec.id, rec.case_id, rec.kind, rec.title, rec.recipient, rec.sent_on, clk.due,
                             clk.extended[-1] if clk.extended else None, clk.then, state, clk.days_left(today),
                             rec.escalate_to if state in ("overdue", "expired") else None, clk.final))
    return out
