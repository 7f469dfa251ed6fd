"""Read what a letter is drafted from out of the vault: the user's details, the account and its amounts, a
timeline of dated facts (consent records, first BNPL use, earlier letters and replies in the case), the finding
and its rows, and the evidence linked to the account, finding or case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from mybnpl.core.catalog import Catalog, Text
from mybnpl.core.money import Money
from mybnpl.letters.compose import KIND_NAMES
from mybnpl.letters.facts import Amounts, Event, EvidenceItem, FindingFacts, LetterFacts, Row
from mybnpl.services import findings as findings_svc
from mybnpl.services.profile import get_profile
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

FIRST_USE_KINDS = frozenset({"unconsented_enrollment", "reenabled_after_closure"})


def gather_facts(vault: Vault, catalog: Catalog, account_id: int, today: date, *, finding_id: int | None = None,
                 case_id: int | None = None, extra: Mapping[str, str] | None = None) -> LetterFacts:
    account = repos.get_account(vault, account_id)
    provider = catalog.get(account.provider_id)
    finding = _finding(vault, finding_id) if finding_id is not None else None
    # A finding about the first use already states it, with its rows: a second "first payment" line (the first
    # payment out, which may be a later row than the first use) would read as a contradiction.
    about_first_use = finding is not None and finding.kind in FIRST_USE_KINDS and bool(finding.rows)
    timeline = [*_consents(vault, account.provider_id, account_id, provider.names),
                *([] if about_first_use else _first_use(vault, account_id, account.currency, provider.names)),
                *(_case_history(vault, case_id) if case_id is not None else [])]
    timeline.sort(key=lambda e: (e.on is not None, e.on or date.min))
    return LetterFacts(
        user=get_profile(vault), provider_id=provider.id, account_id=account_id, account_label=account.label,
        account_ref=account.account_ref, amounts=_amounts(vault, account_id, account.currency, today),
        timeline=tuple(timeline), evidence=tuple(_evidence(vault, account_id, finding_id, case_id)),
        finding=finding, extra=dict(extra or {}))


def _finding(vault: Vault, finding_id: int) -> FindingFacts:
    f = findings_svc.get_finding(vault, finding_id)
    rows: list[Row] = []
    if f.transaction_ids:
        marks = ",".join("?" * len(f.transaction_ids))
        rows = [Row(int(r[0]), date.fromisoformat(r[1]), str(r[2]), Money.from_minor(int(r[3]), str(r[4])))
                for r in vault.query(f"SELECT id, posted_on, merchant, amount_minor, currency FROM transactions "
                                     f"WHERE id IN ({marks}) ORDER BY posted_on, id", tuple(f.transaction_ids))]
    return FindingFacts(f.id, f.kind, f.first_seen, Text(f.explanation_zh or f.explanation_en, f.explanation_en),
                        tuple(rows[:20]))


def _consents(vault: Vault, provider_id: str, account_id: int, names: Text) -> list[Event]:
    out = []
    for kind, on, channel in vault.query(
            "SELECT kind, on_date, channel FROM consents WHERE provider_id = ? AND (account_id IS NULL OR "
            "account_id = ?) ORDER BY id", (provider_id, account_id)):
        day = date.fromisoformat(on) if on else None
        if kind == "enabled":
            text = Text(f"本人{'通过' + channel if channel else ''}开通了{names.zh}。",
                        f"I enabled {names.en} myself{' via ' + channel if channel else ''}.")
        elif kind == "closed":
            text = Text(f"本人关闭了{names.zh}。", f"I closed {names.en}.")
        else:
            text = Text(f"本人从未开通、也从未同意开通{names.zh}。", f"I never enabled or agreed to {names.en}.")
        out.append(Event(day, text))
    return out


def _first_use(vault: Vault, account_id: int, currency: str, names: Text) -> list[Event]:
    rows = vault.query("SELECT posted_on, merchant, amount_minor FROM transactions WHERE account_id = ? AND "
                       "bnpl_product IS NOT NULL AND direction = 'out' AND currency = ? ORDER BY posted_on, id "
                       "LIMIT 1", (account_id, currency))
    if not rows:
        return []
    on, merchant, minor = rows[0]
    amount = Money.from_minor(int(minor), currency).format()
    return [Event(date.fromisoformat(on), Text(f"本人账户记录中首次出现{names.zh}付款（{merchant}，{amount}）。",
                                               f"The first {names.en} payment in my records ({merchant}, {amount})."))]


def _case_history(vault: Vault, case_id: int) -> list[Event]:
    out = []
    for lid, kind, recipient, sent_on, ref in vault.query(
            "SELECT id, kind, recipient, sent_on, sent_ref FROM letters WHERE case_id = ? AND sent_on IS NOT NULL "
            "ORDER BY sent_on, id", (case_id,)):
        names = KIND_NAMES.get(kind, Text(kind, kind))
        out.append(Event(date.fromisoformat(sent_on), Text(
            f"本人就此事向{recipient}发出{names.zh}" + (f"（编号：{ref}）" if ref else "") + "。",
            f"I sent a letter ({names.en.lower()}) to {recipient}" + (f", reference {ref}" if ref else "") + ".")))
        for eid, added in vault.query("SELECT e.id, e.added_at FROM evidence e JOIN evidence_links l ON "
                                      "l.evidence_id = e.id WHERE l.entity = 'letter_reply' AND l.entity_id = ? "
                                      "ORDER BY e.id", (lid,)):
            out.append(Event(date.fromisoformat(added[:10]), Text(
                f"收到{recipient}的答复（证据编号 {eid}）。", f"{recipient} replied (evidence no. {eid}).")))
    return out


def _evidence(vault: Vault, account_id: int, finding_id: int | None, case_id: int | None) -> list[EvidenceItem]:
    """The user's own evidence for the account, and whatever is linked to the finding (the findings service
    mirrors a finding's evidence ids in evidence_links) or to the case."""
    rows = vault.query(
        "SELECT id, filename, note, sha256, source FROM evidence WHERE (account_id = ? AND source = 'user') OR id IN ("
        "SELECT evidence_id FROM evidence_links WHERE (entity = 'finding' AND entity_id = ?) OR "
        "(entity = 'case' AND entity_id = ?)) ORDER BY id", (account_id, finding_id or -1, case_id or -1))
    return [EvidenceItem(int(r[0]), evidence_name(r[1], r[2], r[4], int(r[0])), str(r[3])) for r in rows]


def evidence_name(filename: str | None, note: str | None, source: str | None, evidence_id: int) -> str:
    """How a letter lists an evidence item: the user's note, else the file name. An imported statement's
    original is listed by its file name: the app's own note about it is English and says nothing to a lender."""
    if source == "import" and filename:
        return str(filename)
    return str(note or filename or f"#{evidence_id}")


def _amounts(vault: Vault, account_id: int, currency: str, today: date) -> Amounts:
    iso = today.isoformat()
    n, total, next_due, overdue = vault.query(
        "SELECT count(*), sum(i.amount_minor), min(CASE WHEN i.due_on >= ? THEN i.due_on END), "
        "sum(CASE WHEN i.due_on < ? THEN i.amount_minor ELSE 0 END) FROM installments i JOIN plans p "
        "ON p.id = i.plan_id WHERE p.account_id = ? AND i.status = 'due' AND i.currency = ?",
        (iso, iso, account_id, currency))[0]
    next_amount = None
    if next_due:
        next_amount = vault.scalar(
            "SELECT sum(i.amount_minor) FROM installments i JOIN plans p ON p.id = i.plan_id WHERE p.account_id = ?"
            " AND i.status = 'due' AND i.currency = ? AND i.due_on = ?", (account_id, currency, next_due))
    plans, principal, fees = vault.query("SELECT count(*), sum(principal_minor), sum(fee_minor) FROM plans "
                                         "WHERE account_id = ? AND currency = ?", (account_id, currency))[0]
    bn, btotal, bfirst, blast = vault.query(
        "SELECT count(*), sum(amount_minor), min(posted_on), max(posted_on) FROM transactions WHERE account_id = ? "
        "AND bnpl_product IS NOT NULL AND direction = 'out' AND currency = ?", (account_id, currency))[0]

    st = vault.query(
        "SELECT total_due_minor, minimum_due_minor, due_date, period_end FROM statements WHERE account_id = ? AND "
        "currency = ? AND total_due_minor IS NOT NULL ORDER BY coalesce(period_end, due_date, imported_at) DESC, "
        "id DESC LIMIT 1", (account_id, currency))
    st_total, st_min, st_due, st_end = st[0] if st else (None, None, None, None)

    def m(minor: int | None) -> Money | None:
        return None if not minor else Money.from_minor(int(minor), currency)

    return Amounts(currency=currency, outstanding=m(total), overdue=m(overdue), open_installments=int(n),
                   next_due=date.fromisoformat(next_due) if next_due else None, next_due_amount=m(next_amount),
                   plans=int(plans), principal=m(principal), fees=m(fees), bnpl_count=int(bn), bnpl_total=m(btotal),
                   first_bnpl=date.fromisoformat(bfirst) if bfirst else None,
                   last_bnpl=date.fromisoformat(blast) if blast else None,
                   statement_total=m(st_total) if st_total is not None else None, statement_minimum=m(st_min),
                   statement_due=date.fromisoformat(st_due) if st_due else None,
                   statement_end=date.fromisoformat(st_end) if st_end else None)
