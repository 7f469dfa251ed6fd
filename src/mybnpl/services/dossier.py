"""Dossiers: gather a case (or an account) from the vault, export it as one signed PDF, verify a PDF.

Decisions:
* The signing key is created on the first export: an Ed25519 PKCS#8 PEM in ``vault_settings`` under
  ``dossier.signing_key`` (the vault is encrypted; no migration needed). It is never logged; the event log
  records only its fingerprint.
* ``--case``: the case's letters, the evidence linked to the case, its letters and replies, and its findings
  (the finding the case was opened from and those its letters cite; else the account's confirmed findings).
  ``--account``: everything about the account: all its letters, its evidence and its open or confirmed findings.
* A letter's deadline is "met" when a reply arrived by the deadline, "late" when after it, "missed" when none
  arrived and the day has passed, else "running".
* The export is written atomically (:func:`mybnpl.atomic.atomic_writer`): a failure or a cancel leaves no file.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mybnpl.atomic import atomic_writer
from mybnpl.core.catalog import PROVIDER_STEP, Catalog, Provider
from mybnpl.core.errors import InvalidInput, NotFound, UserError
from mybnpl.core.money import Money
from mybnpl.dossier import signing
from mybnpl.dossier.labels import colon, event_kind, fact, label, source_name, summary_text
from mybnpl.dossier.model import (
    AccountInfo,
    DossierData,
    EvidenceInfo,
    FindingInfo,
    InstallmentRow,
    LetterInfo,
    Party,
    PlanInfo,
    ReplyInfo,
    TimelineEntry,
)
from mybnpl.i18n import N_, os_reason
from mybnpl.letters.compose import kind_name, lang_code
from mybnpl.letters.facts import mask_id
from mybnpl.letters.legal import KINDS, LETTER_JURISDICTIONS
from mybnpl.services import evidence as evidence_svc
from mybnpl.services import findings as findings_svc
from mybnpl.services import letters as letters_svc
from mybnpl.services import plans as plans_svc
from mybnpl.services.finding_text import KIND_TITLE, kind_title
from mybnpl.services.letter_facts import evidence_name
from mybnpl.services.profile import get_profile
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

if TYPE_CHECKING:  # the PDF machinery (reportlab, PDFium) loads with the first export, not with the app
    from mybnpl.dossier.verify import Report

KEY_SETTING = "dossier.signing_key"
# What "verified" covers, said wherever a dossier is verified (the printed pages are drawn from the signed content)
SIGNED_SCOPE = N_("The signature covers the attached originals and the dossier's content (dossier-content.json), "
                  "not how the pages are drawn. To be sure this is the very file you exported, compare its SHA-256 "
                  "with the one shown at export.")
MAX_VERIFY_BYTES = 2 * 1024 * 1024 * 1024
MAX_INSTALLMENTS = 400
__all__ = ["ExportResult", "export_dossier", "gather", "signing_fingerprint", "signing_key", "verify_file"]


class DossierCancelled(UserError):
    code = "cancelled"
    message = N_("The dossier export was cancelled; no file was written.")


class DossierWriteFailed(UserError):
    code = "write_failed"
    message = N_("The dossier could not be written to {name}: {reason}")


class DossierUnreadable(UserError):
    code = "unreadable"
    message = N_("{name} could not be read: {reason}")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    pages: int
    evidence_count: int
    sha256: str
    size: int
    fingerprint: str
    problems: tuple[tuple[int, str], ...]

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "pages": self.pages, "evidence_count": self.evidence_count,
                "sha256": self.sha256, "size": self.size, "fingerprint": self.fingerprint,
                "problems": [{"evidence_id": i, "problem": p} for i, p in self.problems]}


# --- signing key ----------------------------------------------------------------------------------------------

def signing_key(vault: Vault) -> str:
    """The vault's Ed25519 private key (PEM), created on first use."""
    pem = repos.get_vault_setting(vault, KEY_SETTING)
    if pem:
        return pem
    pem = signing.new_private_pem()
    fpr = signing.fingerprint(signing.public_raw(signing.load_private(pem)))
    with vault.transaction() as conn:
        if conn.execute("SELECT 1 FROM vault_settings WHERE key = ?", (KEY_SETTING,)).fetchone() is None:
            repos.set_vault_setting(conn, KEY_SETTING, pem)
            repos.append_event(conn, "dossier_key_created", f"Ed25519 {fpr}")
    return repos.get_vault_setting(vault, KEY_SETTING)


def signing_fingerprint(vault: Vault) -> str | None:
    pem = repos.get_vault_setting(vault, KEY_SETTING)
    return signing.fingerprint(signing.public_raw(signing.load_private(pem))) if pem else None


# --- gathering ------------------------------------------------------------------------------------------------

@dataclass
class _Scope:
    account_id: int
    provider: Provider
    case_ids: list[int]
    case_row: Any | None


def _scope(vault: Vault, catalog: Catalog, case_id: int | None, account_id: int | None) -> _Scope:
    if (case_id is None) == (account_id is None):
        raise InvalidInput(N_("Choose a case or an account."))
    if case_id is not None:
        rows = vault.query("SELECT id, title, status, opened_on, provider_id, account_id, reference FROM cases "
                           "WHERE id = ?", (case_id,))
        if not rows:
            raise NotFound(N_("Case {id} was not found."), id=case_id)
        row = rows[0]
        acc = row[5]
        if acc is None:
            acc_row = vault.scalar("SELECT id FROM accounts WHERE provider_id = ? ORDER BY id LIMIT 1", (row[4],))
            if acc_row is None:
                raise InvalidInput(N_("Case {id} has no account."), id=case_id)
            acc = acc_row
        account = repos.get_account(vault, int(acc))
        return _Scope(account.id, catalog.get(row[4] or account.provider_id), [case_id], row)
    assert account_id is not None
    account = repos.get_account(vault, account_id)
    cases = [int(r[0]) for r in vault.query("SELECT id FROM cases WHERE account_id = ? ORDER BY id", (account_id,))]
    return _Scope(account_id, catalog.get(account.provider_id), cases, None)


def _ids(vault: Vault, sql: str, params: tuple[Any, ...]) -> list[int]:
    return [int(r[0]) for r in vault.query(sql, params)]


def _in(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def _findings(vault: Vault, scope: _Scope, letters: list[letters_svc.LetterRecord]) -> list[findings_svc.FindingRow]:
    wanted: set[int] = {lt.finding_id for lt in letters if lt.finding_id is not None}
    if scope.case_row is not None and str(scope.case_row[6]).startswith("finding:"):
        with contextlib.suppress(ValueError):
            wanted.add(int(str(scope.case_row[6]).split(":", 1)[1]))
    rows = findings_svc.list_findings(vault, include_all=True)
    if wanted:
        return [f for f in rows if f.id in wanted]
    states = ("confirmed",) if scope.case_row is not None else ("open", "confirmed")
    return [f for f in rows if f.status in states and (f.account_id == scope.account_id or (
        f.account_id is None and f.provider_id == scope.provider.id))]


def _deadline_state(deadline: date | None, replies: list[ReplyInfo], today: date) -> str:
    if deadline is None:
        return "none"
    if replies:
        return "met" if min(r.received_on for r in replies) <= deadline else "late"
    return "missed" if today > deadline else "running"


def _letters(vault: Vault, letters: list[letters_svc.LetterRecord], lang: str, today: date) -> list[LetterInfo]:
    out = []
    for rec in letters:
        replies = [ReplyInfo(int(r[0]), datetime.fromisoformat(r[1]).date()) for r in vault.query(
            "SELECT e.id, e.added_at FROM evidence e JOIN evidence_links l ON l.evidence_id = e.id "
            "WHERE l.entity = 'letter_reply' AND l.entity_id = ? ORDER BY e.id", (rec.id,))]
        created = datetime.fromisoformat(rec.created_at).date() if rec.created_at else None
        out.append(LetterInfo(rec.id, kind_name(rec.kind, lang), rec.recipient, created, rec.sent_on,
                              rec.sent_channel, rec.sent_ref, rec.deadline_on,
                              _deadline_state(rec.deadline_on, replies, today) if rec.sent_on else "none",
                              tuple(replies)))
    return out


def _evidence(vault: Vault, scope: _Scope, letter_ids: list[int], finding_ids: list[int]) -> list[EvidenceInfo]:
    ids = set(_ids(vault, f"SELECT evidence_id FROM evidence_links WHERE (entity = 'case' AND entity_id IN "
                          f"({_in(scope.case_ids)})) OR (entity IN ('letter', 'letter_reply') AND entity_id IN "
                          f"({_in(letter_ids)})) OR (entity = 'finding' AND entity_id IN ({_in(finding_ids)}))", ()))
    if scope.case_row is None:
        ids |= set(_ids(vault, "SELECT id FROM evidence WHERE account_id = ?", (scope.account_id,)))
    else:  # a case also carries the user's own evidence about its account, as its letters list it
        ids |= set(_ids(vault, "SELECT id FROM evidence WHERE account_id = ? AND source = 'user'",
                        (scope.account_id,)))
    out = []
    for eid in sorted(ids):
        e = evidence_svc.get_evidence(vault, eid)
        out.append(EvidenceInfo(e.id, e.filename, evidence_name(e.filename, e.note, e.source, e.id), e.source,
                                e.added_at, e.size, e.sha256,
                                e.media_type, load=functools.partial(evidence_svc.evidence_bytes, vault, eid)))
    return out


_WORD = re.compile(r"[a-z][a-z0-9_]*[a-z0-9]")
_EXPORTED = re.compile(r"(.+) sha256 ([0-9a-f]+…) \((\d+) evidence\)")


def _names(catalog: Catalog, lang: str) -> dict[str, str]:
    """Ids the event log writes (finding kinds, letter kinds, provider ids, finding states) → their names."""
    names = {p.id: p.name(lang) for p in catalog.all()}
    names.update({k: kind_name(k, lang) for k in KINDS})
    names.update({k: kind_title(k, lang) for k in KIND_TITLE})
    names.update({k: label(k, lang) for k in ("open", "confirmed", "dismissed")})
    names[PROVIDER_STEP] = "服务提供方" if lang_code(lang) == "zh" else "the provider"
    return names


def _humanize(summary: str, names: dict[str, str]) -> str:
    """An event log line as a reader understands it: "unconsented_enrollment: open -> confirmed" →
    "Used without your recorded consent: open → confirmed"."""
    return _WORD.sub(lambda m: names.get(m.group(0), m.group(0)), summary).replace(" -> ", " → ")


def _first_what(vault: Vault, f: findings_svc.FindingRow, lang: str) -> str:
    """The first row a finding rests on, in a few words: "2025-02-12 19:08 · ¥10.06 · 美团商家代金券"."""
    if not f.transaction_ids:
        return ""
    rows = vault.query("SELECT posted_at, posted_on, amount_minor, currency, merchant FROM transactions WHERE id = ?",
                       (f.transaction_ids[0],))
    if not rows:
        return ""
    at, on, minor, currency, merchant = rows[0]
    return " · ".join(x for x in (str(at or on)[:16], Money.from_minor(int(minor), str(currency)).format(),
                                  str(merchant or "")) if x)


def _timeline(vault: Vault, scope: _Scope, letter_ids: list[int], findings: list[findings_svc.FindingRow],
              evidence_ids: list[int], plan_ids: list[int], lang: str, catalog: Catalog) -> list[TimelineEntry]:
    finding_ids = [f.id for f in findings]
    rows = vault.query(
        "SELECT at, on_date, kind, summary FROM events WHERE (entity = 'case' AND entity_id IN "
        f"({_in(scope.case_ids)})) OR (entity = 'letter' AND entity_id IN ({_in(letter_ids)})) OR "
        f"(entity = 'finding' AND entity_id IN ({_in(finding_ids)})) OR (entity = 'evidence' AND entity_id IN "
        f"({_in(evidence_ids)})) OR (entity = 'plan' AND entity_id IN ({_in(plan_ids)})) OR "
        "(entity = 'account' AND entity_id = ?) ORDER BY at, id", (scope.account_id,))
    names = _names(catalog, lang)
    sep, by_import = colon(lang), fact("by_import", lang)

    def said(kind: str, summary: str) -> str:
        exported = _EXPORTED.fullmatch(summary) if kind == "dossier_exported" else None
        if exported:  # "case.pdf sha256 4932…… (6 evidence)", as the event log writes it
            return fact("exported", lang, name=exported[1], sha=exported[2], n=exported[3])
        return _humanize(summary.replace(" (import)", by_import), names).replace(": ", sep)

    out = [TimelineEntry(date.fromisoformat(r[1]) if r[1] else datetime.fromisoformat(r[0]).date(),
                         event_kind(r[2], lang) + sep + said(r[2], r[3]) if r[3] else event_kind(r[2], lang),
                         source_name("event", lang)) for r in rows]
    # What happened before anything was recorded: each finding's first occurrence, and the statements it rests on
    for f in findings:
        what = _first_what(vault, f, lang)
        if what:
            out.append(TimelineEntry(f.first_seen, fact("first_seen", lang, kind=kind_title(f.kind, lang), what=what),
                                     source_name("statement", lang)))
    for kind, on, channel, note in vault.query(
            "SELECT kind, on_date, channel, note FROM consents WHERE provider_id = ? AND (account_id IS NULL OR "
            "account_id = ?) ORDER BY id", (scope.provider.id, scope.account_id)):
        text = event_kind(f"consent_{kind}", lang) + "".join(f" · {x}" for x in (channel, note) if x)
        out.append(TimelineEntry(date.fromisoformat(on) if on else None, text, source_name("consent", lang)))
    out.sort(key=lambda e: (e.on is not None, e.on or date.min))
    return out


def _plans(vault: Vault, account_id: int, lang: str) -> list[PlanInfo]:
    out, budget = [], MAX_INSTALLMENTS
    for pid in _ids(vault, "SELECT id FROM plans WHERE account_id = ? ORDER BY first_due, id", (account_id,)):
        p = plans_svc.get_plan(vault, pid)
        rows = tuple(InstallmentRow(i.seq, i.due_on, str(i.amount), i.status.value, i.paid_on)
                     for i in p.installments[:max(budget, 0)])
        budget -= len(rows)
        out.append(PlanInfo(p.id, p.merchant, str(p.principal), str(p.fee), p.cadence, rows))
    return out


def _regulator(catalog: Catalog, provider: Provider, jurisdiction: str, letters: list[letters_svc.LetterRecord],
               lang: str) -> Party:
    channel_id = next((lt.channel_id for lt in reversed(letters) if lt.kind == "regulator" and lt.channel_id
                       in catalog.channels), None)
    if channel_id is None:
        channel_id = next((s for s in catalog.route(provider.id, jurisdiction) if s != PROVIDER_STEP), None)
    if channel_id is None:
        return Party("—")
    ch = catalog.channel(channel_id)
    return Party(ch.name(lang), (ch.contact,) if ch.contact else ())


def gather(vault: Vault, catalog: Catalog, *, case_id: int | None = None, account_id: int | None = None,
           lang: str = "en", jurisdiction: str | None = None, today: date | None = None,
           requests: str = "") -> DossierData:
    """Everything a dossier prints, read from the vault, in ``lang`` ("zh" or "en")."""
    today = today or date.today()
    lang = lang_code(lang)
    scope = _scope(vault, catalog, case_id, account_id)
    if scope.case_row is not None:
        letters = letters_svc.list_letters(vault, scope.case_ids[0])
    else:
        letters = [lt for lt in letters_svc.list_letters(vault) if lt.account_id == scope.account_id]
    if jurisdiction is None:
        jurisdiction = letters[-1].jurisdiction if letters else next(
            (j for j in scope.provider.jurisdictions if j in LETTER_JURISDICTIONS), "CN")
    jurisdiction = jurisdiction.upper()
    if jurisdiction not in LETTER_JURISDICTIONS:
        raise InvalidInput(N_("The jurisdiction must be one of {choices}."), choices=", ".join(LETTER_JURISDICTIONS))
    findings = _findings(vault, scope, letters)
    letter_ids, finding_ids = [lt.id for lt in letters], [f.id for f in findings]
    evidence = _evidence(vault, scope, letter_ids, finding_ids)
    account = repos.get_account(vault, scope.account_id)
    plans = _plans(vault, account.id, lang)
    timeline = _timeline(vault, scope, letter_ids, findings, [e.id for e in evidence], [p.id for p in plans],
                         lang, catalog)
    letter_infos = _letters(vault, letters, lang, today)
    profile = get_profile(vault)
    provider = scope.provider
    lender = provider.lending_entity or provider.operator
    complainant = Party(profile["name"] or "—", tuple(x for x in (
        profile["address"], profile["phone"], profile["email"],
        mask_id(profile["id_number"]) if profile["id_number"] else "") if x))
    respondent = Party(lender, tuple(x for x in (
        provider.name(lang), provider.operator if provider.operator != lender else "",
        provider.complaint_channels[0].contact if provider.complaint_channels else "") if x))
    refs = [f"mybnpl #{c}" for c in scope.case_ids] + [lt.sent_ref for lt in letters if lt.sent_ref]
    sent = [lt for lt in letter_infos if lt.sent_on]
    summary = summary_text(lang, product=provider.name(lang), lender=lender, findings=len(findings),
                           confirmed=sum(f.status == "confirmed" for f in findings), sent=len(sent),
                           missed=sum(lt.deadline_state == "missed" for lt in sent), evidence=len(evidence))
    if scope.case_row is not None and lang == "en":  # case titles are written in English (from the finding)
        summary = f"{scope.case_row[1]}\n{summary}"
    return DossierData(
        lang=lang, title=f"{label('title', lang)}：{provider.name(lang)}" if lang == "zh"
        else f"{label('title', lang)}: {provider.name(lang)}",
        case_reference=" · ".join(refs) or f"mybnpl account #{account.id}", prepared_on=today,
        complainant=complainant, respondent=respondent,
        regulator=_regulator(catalog, provider, jurisdiction, letters, lang), jurisdiction=jurisdiction,
        summary=summary, requests=requests.strip(), timeline=tuple(timeline),
        accounts=(AccountInfo(account.id, provider.name(lang), lender, account.label, account.account_ref,
                              account.currency, tuple(plans)),),
        findings=tuple(FindingInfo(f.id, f.kind, f.severity, f.status, f.first_seen, f.explanation(lang),
                                   f.evidence_ids, kind_title(f.kind, lang)) for f in findings),
        letters=tuple(letter_infos), evidence=tuple(evidence))


# --- export and verify ----------------------------------------------------------------------------------------

def export_dossier(vault: Vault, catalog: Catalog, out: Path, *, case_id: int | None = None,
                   account_id: int | None = None, lang: str = "en", jurisdiction: str | None = None,
                   today: date | None = None, requests: str = "",
                   progress: Callable[[int, int, str], None] = lambda _d, _t, _s: None,
                   check: Callable[[], None] = lambda: None, invariant: bool = False) -> ExportResult:
    """Gather, render, sign and write the dossier to ``out`` atomically; records a ``dossier_exported`` event."""
    data = gather(vault, catalog, case_id=case_id, account_id=account_id, lang=lang, jurisdiction=jurisdiction,
                  today=today, requests=requests)
    key = signing_key(vault)
    created = data.prepared_on.isoformat() if invariant else datetime.now(UTC).isoformat(timespec="seconds")
    out = Path(out)
    if out.is_dir():
        raise InvalidInput(N_("{name} is a folder."), name=out.name)
    from mybnpl.dossier import build

    try:
        with atomic_writer(out) as fh:
            result = build.export(data, key, fh, created=created, progress=progress, check=check,
                                  invariant=invariant)
    except OSError as e:
        raise DossierWriteFailed(name=out.name, reason=os_reason(e)) from None
    with vault.transaction() as conn:
        repos.append_event(conn, "dossier_exported", f"{out.name} sha256 {result.sha256[:16]}… "
                                                     f"({result.evidence_count} evidence)",
                           entity="case" if case_id is not None else "account",
                           entity_id=case_id if case_id is not None else account_id)
    return ExportResult(out, result.pages, result.evidence_count, result.sha256, result.size, result.fingerprint,
                        result.problems)


def verify_file(path: Path, expected_fingerprint: str | None = None) -> Report:
    """Check a dossier file; problems are in the report (never raised), except an unreadable file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_VERIFY_BYTES:
            raise DossierUnreadable(name=path.name, reason="larger than 2 GiB")
        data = path.read_bytes()
    except OSError as e:
        raise DossierUnreadable(name=path.name, reason=os_reason(e)) from None
    from mybnpl.dossier.verify import verify_bytes

    return verify_bytes(data, path.name, expected_fingerprint)


# --- for the desktop app --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """A case or an account a dossier can be made of."""

    kind: str  # "case" | "account"
    id: int
    label: str


def targets(vault: Vault, catalog: Catalog, lang: str) -> list[Target]:
    out = [Target("case", int(r[0]), f"#{r[0]} {r[1]}") for r in vault.query("SELECT id, title FROM cases ORDER BY id")]
    for acc in repos.list_accounts(vault):
        try:
            name = catalog.get(acc.provider_id).name(lang_code(lang))
        except NotFound:
            name = acc.provider_id
        out.append(Target("account", acc.id, f"#{acc.id} {name} – {acc.label}"))
    return out


@dataclass(frozen=True)
class Preview:
    pages: int
    images: tuple[tuple[int, int, bytes], ...]  # (width, height, RGB bytes) of the first pages


def preview(vault: Vault, catalog: Catalog, *, case_id: int | None = None, account_id: int | None = None,
            lang: str = "en", jurisdiction: str | None = None, today: date | None = None, requests: str = "",
            max_pages: int = 24, width: int = 280, check: Callable[[], None] = lambda: None) -> Preview:
    """The dossier as it would be exported (signed with a throw-away key: previewing creates no key and writes
    no file), its first ``max_pages`` pages rendered ``width`` pixels wide."""
    import io

    data = gather(vault, catalog, case_id=case_id, account_id=account_id, lang=lang, jurisdiction=jurisdiction,
                  today=today, requests=requests)
    buf = io.BytesIO()
    from mybnpl.dossier import build, isolated

    build.export(data, signing.new_private_pem(), buf, created=data.prepared_on.isoformat(), check=check)
    check()
    stop = []

    def cancelled() -> bool:
        try:
            check()
        except BaseException:
            stop.append(True)
        return bool(stop)

    try:  # the pages hold the placed content of PDF evidence: drawn by the PDF worker, not here
        pages, images = isolated.render_pages(buf.getvalue(), max_pages, width, cancelled)
    except isolated.WorkerFailed:
        check()  # a cancel stopped the worker: say cancelled, not "could not be drawn"
        raise UserError(N_("The preview could not be drawn. The dossier itself can still be exported.")) from None
    return Preview(pages, tuple(images))
