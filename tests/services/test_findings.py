"""Findings end to end on real SQLCipher vaults: the issue's scenarios, the dismiss/reopen rules, the event log,
and the real Meituan 月付 and JD 白条 exports."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.core.schedule import add_months
from mybnpl.importers.base import ParseOptions
from mybnpl.services import findings as svc
from mybnpl.services import imports as imports_svc
from mybnpl.services import plans as plans_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn"
TODAY = date(2025, 6, 30)
CAT = load_catalog()


def add_account(vault: Vault, provider: str) -> int:
    with vault.transaction() as conn:
        return repos.insert_account(conn, provider, provider, "CNY")


def add_rows(vault: Vault, account_id: int, *rows: tuple[str, int, str, str | None]) -> dict[str, int]:
    """(date, amount minor, merchant, BNPL product) rows; returns their ids by date+merchant."""
    new = [repos.NewTransaction(posted_on=date.fromisoformat(d), amount=Money.from_minor(a, "CNY"),
                                direction=Direction.OUT, merchant=m, bnpl_product=p, account_id=account_id,
                                payment_method=p or "微信支付", external_id=f"{d}-{m}")
           for d, a, m, p in rows]
    with vault.transaction() as conn:
        repos.insert_transactions(conn, new)
    return {f"{r[1]}|{r[2]}": int(r[0]) for r in vault.query("SELECT id, posted_on, merchant FROM transactions")}


def add_consent(vault: Vault, provider: str, kind: str, on: date | None, evidence: bytes | None = None) -> int:
    with vault.transaction() as conn:
        eid = repos.insert_evidence(conn, evidence, media_type="image/png", filename="开通记录.png") if evidence \
            else None
        cur = conn.execute("INSERT INTO consents(provider_id, kind, on_date, evidence_id, created_at) "
                           "VALUES (?, ?, ?, ?, ?)", (provider, kind, on.isoformat() if on else None, eid,
                                                      repos.now_iso()))
        return int(cur.lastrowid)


def of_kind(vault: Vault, kind: str, provider: str | None = None, include_all: bool = True) -> list[svc.FindingRow]:
    return [f for f in svc.list_findings(vault, include_all=include_all)
            if f.kind == kind and (provider is None or f.provider_id == provider)]


def events(vault: Vault, kind: str) -> int:
    return int(vault.scalar("SELECT count(*) FROM events WHERE kind = ?", (kind,)))


USES = (("2025-03-05", 5800, "超市", "huabei"), ("2025-02-14", 2300, "奶茶", "huabei"),
        ("2025-02-10", 1500, "面馆", None))


# -- the scenarios ----------------------------------------------------------------------------------------
def test_consent_before_first_use_gives_no_enrollment_finding(vault: Vault) -> None:
    acc = add_account(vault, "huabei")
    add_rows(vault, acc, *USES)
    add_consent(vault, "huabei", "enabled", date(2025, 2, 1))
    result = svc.recompute(vault, CAT, TODAY)
    assert result.total == len(svc.list_findings(vault, include_all=True))
    assert of_kind(vault, "unconsented_enrollment") == []


def test_no_consent_dates_the_finding_at_the_first_bnpl_row(vault: Vault) -> None:
    acc = add_account(vault, "huabei")
    ids = add_rows(vault, acc, *USES)
    svc.recompute(vault, CAT, TODAY)
    [f] = of_kind(vault, "unconsented_enrollment", "huabei")
    first_bnpl = min(d for d, _, _, p in USES if p)
    assert f.first_seen == date.fromisoformat(first_bnpl)
    assert f.transaction_ids == (ids[f"{first_bnpl}|奶茶"],)
    assert (f.status, f.severity, f.account_id, f.confidence) == ("open", "warning", acc, "medium")
    assert first_bnpl in f.explanation_en and first_bnpl in f.explanation_zh


def test_closure_then_use_is_reenabled_after_closure(vault: Vault) -> None:
    acc = add_account(vault, "huabei")
    ids = add_rows(vault, acc, *USES)
    add_consent(vault, "huabei", "enabled", date(2025, 1, 1))
    closure = add_consent(vault, "huabei", "closed", date(2025, 2, 20), evidence=b"\x89PNG closed")
    svc.recompute(vault, CAT, TODAY)
    assert of_kind(vault, "unconsented_enrollment") == []
    [f] = of_kind(vault, "reenabled_after_closure", "huabei")
    assert (f.first_seen, f.transaction_ids, f.severity) == (date(2025, 3, 5), (ids["2025-03-05|超市"],), "serious")
    closure_evidence = vault.scalar("SELECT evidence_id FROM consents WHERE id = ?", (closure,))
    assert closure_evidence in f.evidence_ids and "2025-02-20" in f.explanation_en


def independent_xirr(flows: list[tuple[date, float]]) -> float:
    d0 = flows[0][0]
    lo, hi = -0.99, 100.0
    for _ in range(300):
        mid = (lo + hi) / 2
        npv = sum(cf / (1 + mid) ** ((d - d0).days / 365) for d, cf in flows)
        lo, hi = (lo, mid) if npv > 0 else (mid, hi)  # borrower's flows: npv rises with the rate
    return (lo + hi) / 2


def test_plan_with_a_membership_fee_gives_fee_and_cost_findings_with_the_right_irr(vault: Vault) -> None:
    plan = plans_svc.add_plan(vault, CAT, provider_id="juduoduo", merchant="手机", total=Money.parse("3000"),
                              installments=6, first_due=date(2025, 4, 15), cadence="1m", fee=Money.parse("450"))
    svc.recompute(vault, CAT, TODAY)
    [fee] = of_kind(vault, "bundled_fee", "juduoduo")
    [cost] = of_kind(vault, "cost_above_threshold", "juduoduo")
    inst = vault.query("SELECT due_on, amount_minor FROM installments WHERE plan_id = ? ORDER BY seq", (plan.id,))
    start = add_months(plan.first_due, -1)
    expected = independent_xirr([(start, 3000.0)] + [(date.fromisoformat(d), -a / 100) for d, a in inst])
    assert abs(cost.data["annual_rate"] - expected) < 0.001
    assert abs(fee.data["annual_rate"] - expected) < 0.001
    rules = svc.load_rules()
    assert cost.data["lines_above"] == [line.id for line in rules.rate_lines if expected > line.rate]
    assert f"{expected * 100:.1f}%" in cost.explanation_en and f"{expected * 100:.1f}%" in cost.explanation_zh
    assert "¥450.00" in fee.explanation_en and fee.first_seen == start


def test_upfront_membership_fee_irr_matches_the_annuity_formula(vault: Vault) -> None:
    # 1,200 borrowed, 12 monthly payments of 100, a 60 membership fee outside the installments (paid at start).
    acc = add_account(vault, "jd_baitiao")
    first = date(2025, 3, 1)
    with vault.transaction() as conn:
        repos.insert_plan(conn, account_id=acc, merchant="京东", principal=Money.parse("1200"),
                          fee=Money.parse("60"), first_due=first, cadence="1m",
                          due_dates=[add_months(first, i) for i in range(12)],
                          amounts=[Money.parse("100")] * 12)
    svc.recompute(vault, CAT, TODAY)
    [fee] = of_kind(vault, "bundled_fee", "jd_baitiao")
    lo, hi = 1e-9, 1.0  # 1140 = 100 * (1 - (1 + r) ** -12) / r
    for _ in range(200):
        r = (lo + hi) / 2
        lo, hi = (r, hi) if 100 * (1 - (1 + r) ** -12) / r > 1140 else (lo, r)
    expected = (1 + lo) ** 12 - 1
    assert abs(fee.data["annual_rate"] - expected) < 0.001
    assert of_kind(vault, "cost_above_threshold") == []  # about 10 %: under every rate line


# -- status rules ---------------------------------------------------------------------------------------------------
def test_dismissed_stays_dismissed_and_unchanged_recompute_logs_nothing(vault: Vault) -> None:
    acc = add_account(vault, "huabei")
    add_rows(vault, acc, *USES)
    first = svc.recompute(vault, CAT, TODAY)
    assert first.added == first.total > 0 and events(vault, "findings_recomputed") == 1
    [f] = of_kind(vault, "unconsented_enrollment")
    row = svc.set_status(vault, f.id, "dismissed", reason="  I enabled it in the shop  ")
    assert (row.status, row.dismiss_reason) == ("dismissed", "I enabled it in the shop")
    again = svc.recompute(vault, CAT, TODAY)
    assert not again.changed and again.unchanged == first.total
    assert events(vault, "findings_recomputed") == 1
    kept = svc.get_finding(vault, f.id)
    assert (kept.status, kept.dismiss_reason) == ("dismissed", "I enabled it in the shop")
    assert f.id not in [x.id for x in svc.list_findings(vault)]
    assert f.id in [x.id for x in svc.list_findings(vault, include_all=True)]
    # a later use is not new evidence for the first use
    add_rows(vault, acc, ("2025-04-01", 999, "便利店", "huabei"))
    svc.recompute(vault, CAT, TODAY)
    assert svc.get_finding(vault, f.id).status == "dismissed"


def test_dismissed_reopens_when_its_evidence_changes(vault: Vault) -> None:
    acc = add_account(vault, "huabei")
    add_rows(vault, acc, *USES)
    svc.recompute(vault, CAT, TODAY)
    [f] = of_kind(vault, "unconsented_enrollment")
    svc.set_status(vault, f.id, "dismissed", reason="old news")
    ids = add_rows(vault, acc, ("2024-12-24", 6600, "礼物", "huabei"))  # an older export: an earlier first use
    result = svc.recompute(vault, CAT, TODAY)
    assert result.reopened == 1
    row = svc.get_finding(vault, f.id)
    assert (row.status, row.dismiss_reason, row.first_seen) == ("open", "", date(2024, 12, 24))
    assert row.transaction_ids == (ids["2024-12-24|礼物"],)
    assert "old news" in row.note_en and "old news" in row.note_zh
    assert events(vault, "finding_open") == 1


def test_findings_that_no_longer_hold_are_removed_or_kept_stale(vault: Vault) -> None:
    acc = add_account(vault, "huabei")
    add_rows(vault, acc, *USES)
    add_account(vault, "jd_baitiao")
    add_rows(vault, acc, ("2025-01-20", 4000, "京东", "jd_baitiao"))
    svc.recompute(vault, CAT, TODAY)
    [hb] = of_kind(vault, "unconsented_enrollment", "huabei")
    [jd] = of_kind(vault, "unconsented_enrollment", "jd_baitiao")
    svc.set_status(vault, jd.id, "confirmed")
    add_consent(vault, "huabei", "enabled", date(2025, 1, 1))
    add_consent(vault, "jd_baitiao", "enabled", date(2025, 1, 1))
    result = svc.recompute(vault, CAT, TODAY)
    assert (result.removed, result.stale) == (1, 1)
    with pytest.raises(NotFound):
        svc.get_finding(vault, hb.id)
    kept = svc.get_finding(vault, jd.id)
    assert (kept.status, kept.stale) == ("confirmed", True)
    assert not svc.recompute(vault, CAT, TODAY).changed  # stale stays stale, nothing to log


def test_status_changes_are_logged_and_checked(vault: Vault) -> None:
    acc = add_account(vault, "huabei")
    add_rows(vault, acc, *USES)
    svc.recompute(vault, CAT, TODAY)
    [f] = of_kind(vault, "unconsented_enrollment")
    svc.set_status(vault, f.id, "confirmed")
    svc.set_status(vault, f.id, "confirmed")  # no change, no event
    svc.set_status(vault, f.id, "dismissed", reason="why not")
    svc.set_status(vault, f.id, "open")
    kinds = [e.kind for e in reversed(repos.list_events(vault)) if e.entity == "finding"]
    assert kinds == ["finding_confirmed", "finding_dismissed", "finding_open"]
    assert svc.get_finding(vault, f.id).dismiss_reason == ""
    with pytest.raises(InvalidInput):
        svc.set_status(vault, f.id, "resolved")
    with pytest.raises(NotFound):
        svc.set_status(vault, 9999, "confirmed")


def test_finding_evidence_is_linked_and_order_is_open_serious_first(vault: Vault) -> None:
    out = _import(vault, FIX / "meituan.csv")
    add_consent(vault, "meituan_yuefu", "never_enabled", None, evidence=b"\x89PNG never")
    add_rows(vault, add_account(vault, "huabei"), *USES)
    svc.recompute(vault, CAT, TODAY)
    items = svc.list_findings(vault)
    rank = {"serious": 0, "warning": 1, "info": 2}
    assert [rank[f.severity] for f in items] == sorted(rank[f.severity] for f in items)
    [mt] = of_kind(vault, "unconsented_enrollment", "meituan_yuefu")
    assert mt.severity == "serious" and out.evidence_id in mt.evidence_ids
    linked = {r[0] for r in vault.query("SELECT evidence_id FROM evidence_links WHERE entity = 'finding' AND "
                                        "entity_id = ?", (mt.id,))}
    assert linked == set(mt.evidence_ids) and len(mt.evidence_ids) == 2


def test_recompute_is_one_transaction(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    acc = add_account(vault, "huabei")
    add_rows(vault, acc, *USES)

    def boom(*_a: object, **_k: object) -> int:
        raise RuntimeError("crash after the findings were written")

    monkeypatch.setattr(repos, "append_event", boom)
    with pytest.raises(RuntimeError):
        svc.recompute(vault, CAT, TODAY)
    assert vault.scalar("SELECT count(*) FROM findings") == 0
    assert vault.scalar("SELECT count(*) FROM evidence_links WHERE entity = 'finding'") == 0


# -- real exports -------------------------------------------------------------------------------------------------
def _import(vault: Vault, path: Path) -> imports_svc.ImportOutcome:
    data, parsed = imports_svc.parse_file(path, ParseOptions())
    return imports_svc.commit(vault, CAT, imports_svc.build_preview(vault, CAT, path.name, data, parsed))


@pytest.mark.parametrize(("name", "provider"), [("meituan.csv", "meituan_yuefu"), ("jd_2024.csv", "jd_baitiao"),
                                                ("jd_2025.csv", "jd_baitiao")])
def test_real_export_enrollment_finding_is_dated_at_its_first_bnpl_row(vault: Vault, name: str,
                                                                        provider: str) -> None:
    path = FIX / name
    _data, parsed = imports_svc.parse_file(path, ParseOptions())
    bnpl = [t for t in parsed.transactions if t.bnpl_product == provider]
    first_day = min(t.posted_on for t in bnpl)
    first_time = min(t.posted_at for t in bnpl if t.posted_on == first_day)
    out = _import(vault, path)
    assert out.status == "imported" and out.bnpl_transactions == len(bnpl)
    svc.recompute(vault, CAT, TODAY)
    [f] = of_kind(vault, "unconsented_enrollment", provider)
    assert f.first_seen == first_day
    row = vault.query("SELECT posted_on, posted_at, bnpl_product, statement_id FROM transactions WHERE id = ?",
                      (f.transaction_ids[0],))[0]
    assert (row[0], row[1], row[2], row[3]) == (first_day.isoformat(), first_time, provider, out.statement_id)
    assert out.evidence_id in f.evidence_ids and name in f.explanation_en
    assert f.data["uncovered_uses"] == len(bnpl)
    # recording consent on the first day clears it; the finding was open, so it is deleted
    add_consent(vault, provider, "enabled", first_day)
    assert svc.recompute(vault, CAT, TODAY).removed >= 1
    assert of_kind(vault, "unconsented_enrollment", provider) == []


def test_paying_an_installment_does_not_reopen_a_dismissed_stacking_finding(vault: Vault) -> None:
    from mybnpl.core.money import Money
    from mybnpl.services import due as due_svc
    from mybnpl.services import plans as plans_svc

    first_due = TODAY + timedelta(days=10)
    plans = [plans_svc.add_plan(vault, CAT, provider_id=p, merchant="店", total=Money.parse("300", "CNY"),
                                installments=3, first_due=first_due, cadence="1m")
             for p in ("huabei", "jd_baitiao", "meituan_yuefu")]
    svc.recompute(vault, CAT, TODAY)
    stacked = [f for f in svc.list_findings(vault) if f.kind == "stacked_dues" and f.first_seen <= first_due]
    assert stacked
    f = stacked[0]
    svc.set_status(vault, f.id, "dismissed", reason="budgeted")
    inst = vault.query("SELECT id FROM installments WHERE plan_id = ? AND seq = 1", (plans[0].id,))[0][0]
    due_svc.pay_installment(vault, inst, TODAY, today=TODAY)
    svc.recompute(vault, CAT, TODAY)
    kept = svc.get_finding(vault, f.id)
    assert (kept.status, kept.dismiss_reason) == ("dismissed", "budgeted")
