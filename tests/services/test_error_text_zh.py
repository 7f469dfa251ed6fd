"""Service errors read as whole Chinese sentences: no English detail, no English name of the thing not found."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.money import Money
from mybnpl.services import cases, consents, dossier, due, evidence, findings, imports, letters, plans, profile
from mybnpl.services import reminders as reminders_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

from ..zh_errors import zh_error

TODAY = date(2026, 6, 1)


def test_not_found_names_the_thing_in_chinese(vault: Vault) -> None:
    cat = load_catalog()
    for call, thing in [
        (lambda: consents.get_consent(vault, 99), "同意记录"),
        (lambda: cases.open_case_from_finding(vault, 99, "t", TODAY), "发现"),
        (lambda: findings.get_finding(vault, 99), "发现"),
        (lambda: plans.get_plan(vault, 99), "分期计划"),
        (lambda: evidence.get_evidence(vault, 99), "证据"),
        (lambda: dossier.gather(vault, cat, case_id=99), "案件"),
        (lambda: letters.get_letter(vault, 99), "信函"),
        (lambda: due.pay_installment(vault, 99, TODAY), "分期"),
        (lambda: due.pay_statement(vault, 99, TODAY), "账单"),
        (lambda: reminders_svc.mark_reminder(vault, "i99-3", "shown"), "分期"),
        (lambda: repos.get_account(vault, 99), "账户"),
        (lambda: cat.get("nope"), "平台"),
    ]:
        text = zh_error(call, "not_found", NotFound)
        assert text.startswith("找不到") or "没有" in text
        assert (thing in text and "99" in text) or "nope" in text


def test_invalid_input_is_a_chinese_sentence(vault: Vault, tmp_path: Path) -> None:
    cat = load_catalog()
    plan = plans.add_plan(vault, cat, provider_id="huabei", merchant="Shop", total=Money.parse("300"),
                          installments=3, first_due=TODAY, cadence="1m")
    assert "日期" in zh_error(lambda: consents.add_consent(vault, cat, provider_id="huabei", kind="enabled",
                                                          on_date=None, today=TODAY), "invalid_input")
    assert "未来" in zh_error(lambda: consents.add_consent(vault, cat, provider_id="huabei", kind="closed",
                                                          on_date=date(2027, 1, 1), today=TODAY), "invalid_input")
    other = zh_error(lambda: consents.add_consent(vault, cat, provider_id="jd_baitiao", kind="closed", on_date=TODAY,
                                                  today=TODAY, account_id=plan.account_id), "invalid_input")
    assert "jd_baitiao" not in other and "白条" in other
    assert "原因" in zh_error(lambda: findings.set_status(vault, 1, "dismissed", "x" * 5000), "invalid_input")
    assert "状态" in zh_error(lambda: findings.set_status(vault, 1, "bogus"), "invalid_input")
    assert "期数" in zh_error(lambda: plans.add_plan(vault, cat, provider_id="huabei", merchant="m",
                                                     total=Money.parse("1"), installments=0, first_due=TODAY,
                                                     cadence="1m"), "invalid_input")
    assert "姓名" in zh_error(lambda: profile.set_profile(vault, name="x" * 501), "invalid_input")
    zh_error(lambda: evidence.read_evidence_file(tmp_path / "missing.png"), "invalid_input")
    zh_error(lambda: imports.read_file(tmp_path / "missing.csv"), "invalid_input")
    assert "案件" in zh_error(lambda: dossier.gather(vault, cat), "invalid_input")
    assert "天数" in zh_error(lambda: due.due_items(vault, cat, TODAY, within_days=-1), "invalid_input")
    first = plan.installments[0]
    assert "未来" in zh_error(lambda: due.pay_installment(vault, first.id, date(2027, 1, 1), today=TODAY),
                              "invalid_input")


def test_a_finding_must_be_confirmed_before_a_case(vault: Vault) -> None:
    with vault.transaction() as conn:
        conn.execute("INSERT INTO findings(kind, severity, provider_id, first_seen, explanation_en, explanation_zh, "
                     "fingerprint, updated_at) VALUES ('fee_charged', 'warning', 'huabei', ?, 'e', 'z', 'x', ?)",
                     (TODAY.isoformat(), TODAY.isoformat()))
    text = zh_error(lambda: cases.open_case_from_finding(vault, 1, "t", TODAY), "invalid_input")
    assert "请先确认发现 1" in text and "mybnpl findings confirm 1" in text


@pytest.mark.parametrize("within", [-1, -30])
def test_english_rendering_is_unchanged_in_shape(vault: Vault, within: int) -> None:
    with pytest.raises(InvalidInput) as e:
        due.due_items(vault, load_catalog(), TODAY, within_days=within)
    assert str(e.value) == "The number of days ahead must be 0 or more."
