"""services.letters on the demo vault: draft → edit → sent (clock) → overdue (escalation) → reply; profile."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.services import cases as cases_svc
from mybnpl.services import findings as findings_svc
from mybnpl.services import letters as letters_svc
from mybnpl.services import profile as profile_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.vault.db import Vault

from .conftest import TODAY, account_id


def _draft(vault: Vault, kind: str, provider: str, jur: str, lang: str, **kw: object) -> letters_svc.Draft:
    return letters_svc.draft_letter(vault, load_catalog(), letters_svc.load_legal(), kind,
                                    account_id(vault, provider), jur, lang, TODAY, **kw)  # type: ignore[arg-type]


def test_profile_fills_the_letter_and_the_id_is_masked(demo: Vault) -> None:
    profile_svc.set_profile(demo, name="张三", address="北京市朝阳区某路1号", phone="13800000000",
                            id_number="110101199001011234")
    try:
        d = _draft(demo, "complaint", "meituan_yuefu", "CN", "zh")
        assert "投诉人：张三" in d.text and "**************1234" in d.text and "110101" not in d.text
        assert not {"user_name", "user_phone", "user_address", "user_id_masked"} & set(d.missing_fields)
        assert "user_email" not in d.missing_fields  # optional: left out, not asked for
    finally:
        profile_svc.set_profile(demo, name="", address="", phone="", id_number="")
    assert profile_svc.get_profile(demo) == {"name": "", "address": "", "phone": "", "email": "", "id_number": ""}
    with pytest.raises(InvalidInput):
        profile_svc.set_profile(demo, nickname="x")


def test_finding_letter_states_it_to_the_recipient_with_rows_and_evidence(demo: Vault) -> None:
    [f] = [x for x in findings_svc.list_findings(demo)
           if x.kind == "unconsented_enrollment" and x.provider_id == "meituan_yuefu"]
    d = _draft(demo, "complaint", "meituan_yuefu", "CN", "zh", finding_id=f.id)
    # The app's explanation speaks to the user ("您记录过…"): it never goes into a letter; the letter says it in the
    # first person to the recipient, dated at the first use.
    assert f.explanation_zh not in d.text and "您记录" not in d.text and "未经您" not in d.text
    assert "首次被用于付款" in d.text and f"{f.first_seen.year}年" in d.text
    assert "授权记录" in d.text and "request" not in d.missing_fields
    # the first use is stated once, with its row: no second "first payment" line that could name another row
    assert "首次出现" not in d.text
    assert "首次出现美团月付付款" in _draft(demo, "complaint", "meituan_yuefu", "CN", "zh").text  # without a finding
    with pytest.raises(InvalidInput):  # a finding about another provider cannot back this account's letter
        _draft(demo, "complaint", "huabei", "CN", "zh", finding_id=f.id)
    case = next(c for c in cases_svc.list_cases(demo, TODAY) if c["id"] == d.case_id)
    assert case["reference"] == f"finding:{f.id}" and [x["id"] for x in case["letters"]] == [d.id]
    linked = {r[0] for r in demo.query("SELECT evidence_id FROM evidence_links WHERE entity = 'letter' AND "
                                       "entity_id = ?", (d.id,))}
    assert linked == {e.id for e in d.evidence} and set(f.evidence_ids) <= linked
    assert demo.scalar("SELECT count(*) FROM events WHERE kind = 'letter_drafted' AND entity_id = ?", (d.id,)) == 1


def test_regulator_route_follows_the_lender(demo: Vault) -> None:
    assert _draft(demo, "regulator", "meituan_yuefu", "CN", "zh").channel_id == "local_fin_regulator"
    assert _draft(demo, "regulator", "huabei", "CN", "zh").channel_id == "nfra_12378"
    d = _draft(demo, "regulator", "meituan_yuefu", "CN", "zh", channel="samr_12315")
    assert (d.channel_id, d.deadline_days, d.deadline_unit) == ("samr_12315", 7, "working_days")
    assert "respondent_address" in d.missing_fields
    assert _draft(demo, "regulator", "afterpay", "UK", "en").channel_id == "fos"
    assert _draft(demo, "regulator", "klarna", "US", "en").channel_id == "cfpb"
    with pytest.raises(InvalidInput):
        _draft(demo, "complaint", "meituan_yuefu", "UK", "en")  # a CN-only provider
    with pytest.raises(NotFound):
        letters_svc.draft_letter(demo, load_catalog(), letters_svc.load_legal(), "complaint", 999, "CN", "zh", TODAY)


def test_extra_facts_fill_placeholders(demo: Vault) -> None:
    d = _draft(demo, "refund", "jd_baitiao", "CN", "zh", extra={"order_number": "JD-42", "merchant": "京东商城"})
    assert "订单号：JD-42" in d.text and not {"order_number", "merchant"} & set(d.missing_fields)
    assert "lender" in d.missing_fields  # the catalog does not know 白条's lender: asked, not guessed


def test_send_clock_overdue_escalation_and_reply(demo: Vault, tmp_path: Path) -> None:
    d = _draft(demo, "complaint", "huabei", "CN", "zh")
    edited = letters_svc.update_letter_text(demo, d.id, d.text + "\n补充说明。\n")
    assert edited.text.endswith("补充说明。\n") and edited.status == "draft"
    sent_on = date(2026, 9, 25)
    with pytest.raises(InvalidInput):
        letters_svc.mark_sent(demo, d.id, TODAY + timedelta(days=1), today=TODAY)
    rec = letters_svc.mark_sent(demo, d.id, sent_on, "EMS", "EA123456789CN", today=TODAY)
    assert (rec.status, rec.deadline_on, rec.sent_ref) == ("sent", date(2026, 10, 10), "EA123456789CN")
    assert rec.deadline_source.startswith("http")
    with pytest.raises(InvalidInput):
        letters_svc.update_letter_text(demo, d.id, "changed")
    with pytest.raises(InvalidInput):
        letters_svc.mark_sent(demo, d.id, sent_on, today=TODAY)
    [due] = [x for x in letters_svc.letters_due(demo, date(2026, 10, 5)) if x.letter_id == d.id]
    assert (due.state, due.days_left, due.escalate_to) == ("running", 5, None)
    [due] = [x for x in letters_svc.letters_due(demo, date(2026, 10, 12)) if x.letter_id == d.id]
    assert (due.state, due.escalate_to, due.extended_until) == ("overdue", "regulator", date(2026, 11, 24))
    # the escalation letter knows the complaint: its date and reference fill the "earlier complaint" line
    esc = _draft(demo, "regulator", "huabei", "CN", "zh")
    assert esc.case_id == d.case_id and "2026年9月25日（编号：EA123456789CN）" in esc.text
    assert "complaint_ref" not in esc.missing_fields and "蚂蚁" in esc.text
    reply = tmp_path / "reply.txt"
    reply.write_text("我司已收到您的投诉。", encoding="utf-8")
    ref = letters_svc.attach_reply(demo, d.id, reply, today=TODAY)
    got = letters_svc.get_letter(demo, d.id)
    assert got.status == "answered" and [r.id for r in got.replies] == [ref.id]
    assert all(x.letter_id != d.id for x in letters_svc.letters_due(demo, TODAY))
    case = next(c for c in cases_svc.list_cases(demo, TODAY) if c["id"] == d.case_id)
    [mine] = [x for x in case["letters"] if x["id"] == d.id]
    assert mine["reply_evidence_ids"] == [ref.id] and mine["status"] == "answered"


def test_uk_clock_is_eight_weeks_then_six_months(demo: Vault) -> None:
    d = _draft(demo, "complaint", "afterpay", "UK", "en")
    rec = letters_svc.mark_sent(demo, d.id, date(2026, 8, 31), today=TODAY)
    assert rec.deadline_on == date(2026, 10, 26)
    [due] = [x for x in letters_svc.letters_due(demo, TODAY) if x.letter_id == d.id]
    assert due.then_until == date(2027, 4, 26) and due.escalate_to == "regulator"


def test_formatted_edit_is_kept_beside_its_plain_text(demo: Vault) -> None:
    from mybnpl.core import richtext
    from mybnpl.core.richtext import Line, Run

    d = _draft(demo, "closure", "huabei", "CN", "zh")
    doc = richtext.from_text(d.text)
    styled = (Line((Run("请求事项"),), "heading"), Line((Run("关闭花呗", bold=True),), "number"), *doc)
    rec = letters_svc.update_letter_text(demo, d.id, "ignored", styled)
    assert rec.text == "请求事项\n1. 关闭花呗\n" + richtext.to_text(doc)  # the plain form, for the CLI and .txt
    assert rec.rich == richtext.normalise(styled) and rec.doc == rec.rich
    assert letters_svc.list_letters(demo)[-1].rich == rec.rich
    plain = letters_svc.update_letter_text(demo, d.id, "", richtext.from_text("只有文字。"))
    assert (plain.text, plain.rich) == ("只有文字。", None)  # no formatting: nothing extra stored
    assert demo.query("SELECT body_rich FROM letters WHERE id = ?", (d.id,)) == [(None,)]
    with pytest.raises(InvalidInput):
        letters_svc.update_letter_text(demo, d.id, "", (Line((Run("x" * (letters_svc.MAX_TEXT + 1)),)),))


def test_statement_balance_fills_the_amounts(demo: Vault) -> None:
    """The latest statement that prints a balance is quoted; without plans its total is the amount owed."""
    from mybnpl.services.accounts import add_account

    acc = add_account(demo, load_catalog(), "pdd_xianyong", currency="CNY").id
    with demo.transaction() as conn:
        for end, total in (("2026-10-31", 99_00), ("2026-11-30", 1234_56)):
            conn.execute("INSERT INTO statements(account_id, provider_id, format, imported_at, period_end, due_date,"
                         " total_due_minor, minimum_due_minor, currency) VALUES (?, 'pdd_xianyong', 'pdf', ?, ?,"
                         " '2026-12-09', ?, 12346, 'CNY')", (acc, "2026-12-01T00:00:00+00:00", end, total))
    en = letters_svc.draft_letter(demo, load_catalog(), letters_svc.load_legal(), "hardship", acc, "CN", "en", TODAY)
    assert "Amount owed: ¥1,234.56\n" in en.text
    assert ("Your latest statement (to 30 November 2026) shows ¥1,234.56 due by 9 December 2026, minimum payment "
            "¥123.46.") in en.text
    assert "outstanding" not in en.missing_fields
    zh = letters_svc.draft_letter(demo, load_catalog(), letters_svc.load_legal(), "closure", acc, "CN", "zh", TODAY)
    assert ("贵方最近一期账单（截至2026年11月30日）显示应还 ¥1,234.56，到期日2026年12月9日，"
            "最低还款额 ¥123.46。") in zh.text


def test_english_letter_names_a_chinese_product_once_in_each_language(demo: Vault) -> None:
    d = _draft(demo, "complaint", "huabei", "CN", "en")
    [product] = [ln for ln in d.text.splitlines() if ln.startswith("Product:")]
    assert product == "Product: Huabei (Alipay) (花呗)"
    zh = _draft(demo, "complaint", "huabei", "CN", "zh")
    assert "Huabei" not in zh.text


def test_a_letter_lists_imports_by_file_name_and_adds_the_users_request(demo: Vault) -> None:
    from mybnpl.services.accounts import add_account
    from mybnpl.vault import repos

    acc = add_account(demo, load_catalog(), "meituan_yuefu", label="美团月付 / Meituan Yuefu (monthly pay)").id
    with demo.transaction() as conn:
        repos.insert_evidence(conn, b"a,b\n", media_type="text/csv", filename="美团账单.csv", source="import",
                              note="original file of an imported statement (meituan_csv)", account_id=acc)
        eid = repos.insert_evidence(conn, b"png", media_type="image/png", filename="x.png", source="user",
                                    note="开通页面截图", account_id=acc)
    d = letters_svc.draft_letter(demo, load_catalog(), letters_svc.load_legal(), "complaint", acc, "CN", "zh", TODAY,
                                 extra={"request": "说明开通经过"})
    assert "开通页面截图（证据编号" in d.text and f"证据编号 {eid}" in d.text
    assert "产品：美团月付\n" in d.text  # the import's "zh / en" label only repeats the name
    assert "说明开通经过" in d.text
    from mybnpl.services.letter_facts import evidence_name

    assert evidence_name("美团账单.csv", "original file of an imported statement (x)", "import", 5) == "美团账单.csv"
    assert evidence_name("a.png", "开通页面截图", "user", 6) == "开通页面截图"
    assert evidence_name(None, None, "user", 7) == "#7"
