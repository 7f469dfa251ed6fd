"""The mapping step's first guess (importers.columns) on the real files of tests/fixtures, and what importing with
that guess stores: columns, currency, direction. Before these guesses the walkthrough (docs/walkthrough.md, "Awkward
things found" 7-10) saw CNY for euro files, KBC's ``debet`` and CCB's ``支出``/``收入`` missed, ``对方账号`` taken as
the merchant, and a card payment marked CR imported as money out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mybnpl.core.imports import ColumnMapping, ParsedStatement
from mybnpl.core.models import Direction
from mybnpl.importers import generic, pdf
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.columns import guess_mapping, symbol_currency
from mybnpl.importers.generic import direction_word

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INTL, PDF = FIXTURES / "intl", FIXTURES / "pdf"


def table(path: Path) -> tuple[list[str], list[list[str]]]:
    data = path.read_bytes()
    return pdf.pdf_table(data, path.name) if path.suffix == ".pdf" else generic.detect_table(data, path.name)


def guess(path: Path) -> ColumnMapping:
    header, rows = table(path)
    m = guess_mapping(header, rows, currency_column=path.suffix != ".pdf")
    assert m is not None
    return m


def imported(path: Path, m: ColumnMapping) -> ParsedStatement:
    parser = pdf.parse if path.suffix == ".pdf" else generic.parse
    return parser(path.read_bytes(), path.name, ParseOptions(mapping=m))


def moves(st: ParsedStatement) -> Counter[tuple[str, Direction]]:
    return Counter((t.amount.currency, t.direction) for t in st.transactions)


def test_rabobank_currency_column_and_dutch_names() -> None:
    path = INTL / "CSV_A_20180414_112204.csv"
    m = guess(path)
    assert (m.date, m.amount, m.merchant, m.description, m.currency) == (
        "Datum", "Bedrag", "Naam tegenpartij", "Omschrijving-1", "Munt")  # not Rentedatum, Oorspr bedrag, CNY
    assert m.direction is None and m.negative_is_out  # "Code" (db/cb/bg) is not a D/K column
    st = imported(path, m)
    assert {c for c, _ in moves(st)} == {"EUR"} and st.currency == "EUR"
    first = next(t for t in st.transactions if t.merchant == "Nederlandse Loterij Organisatie B.V.")
    assert first.direction is Direction.IN and str(first.amount.amount) == "50.00"


def test_kbc_debet_and_credit_columns_and_munt() -> None:
    path = INTL / "export_KBC-Mastercard Business Essential_20200204_1604.csv"
    m = guess(path)
    assert (m.date, m.amount, m.debit, m.credit, m.merchant, m.currency) == (
        "datum verrichting", None, "debet", "credit", "Handelaar", "munt")
    st = imported(path, m)
    assert set(moves(st)) == {("EUR", Direction.OUT), ("EUR", Direction.IN)}
    assert next(t for t in st.transactions if t.merchant == "Payment from Checking account").direction is Direction.IN


def test_swedbank_dk_column_and_currency() -> None:
    path = INTL / "test_swedebank_statement.xls"
    m = guess(path)
    assert (m.date, m.amount, m.direction, m.merchant, m.description, m.currency) == (
        "Date", "Amount", "D/K", "Beneficiary", "Details", "Currency")
    st = imported(path, m)
    assert moves(st) == {("LTL", Direction.OUT): 12, ("LTL", Direction.IN): 1}  # balance rows skipped
    assert st.transactions[0].merchant == "X-911 MAXIMA" and st.transactions[0].direction is Direction.OUT


def test_ccb_expense_and_income_columns_and_a_name_as_merchant() -> None:
    path = INTL / "交易明细_xxxx_2025xxxx_2025xxxx.xls"
    m = guess(path)
    assert (m.debit, m.credit, m.amount, m.merchant, m.description, m.currency) == (
        "支出", "收入", None, "对方户名", "摘要", "币种")  # not 对方账号, an account number
    st = imported(path, m)
    assert {c for c, _ in moves(st)} == {"CNY"}
    assert st.transactions[0].merchant == "中***融科技有限公司" and st.transactions[0].direction is Direction.OUT


def test_citic_description_is_the_merchant_and_a_card_statement_is_positive_for_spending() -> None:
    path = INTL / "example-citic-records.xls"
    m = guess(path)
    assert (m.date, m.amount, m.merchant, m.currency, m.negative_is_out) == (
        "交易日期", "交易金额", "交易描述", "交易币种", False)
    st = imported(path, m)
    by_merchant = {t.merchant: t.direction for t in st.transactions}
    assert by_merchant["支付宝－北京嘀嘀无限科技发展有限公司"] is Direction.OUT
    assert by_merchant["0.2元现金奖励-笔笔返0.2元"] is Direction.IN


def test_card_statement_cr_marks_are_money_in() -> None:
    path = INTL / "MS_JANE_SMITH_01-12-2019_14-12-2019.csv"
    m = guess(path)
    assert (m.date, m.amount, m.description, m.direction, m.currency, m.negative_is_out) == (
        "Date Processed", "Amount", "Description", "Column 4", "GBP", False)
    st = imported(path, m)
    assert moves(st) == {("GBP", Direction.OUT): 9, ("GBP", Direction.IN): 1}
    assert next(t for t in st.transactions if t.direction is Direction.IN).merchant.startswith("PAYMENT RECEIVED")


def test_issue_912_dr_and_cr_amount_columns() -> None:
    path = PDF / "issue-912.pdf"
    m = guess(path)
    assert (m.date, m.debit, m.credit, m.amount, m.description) == ("Vr.Date", "Dr.Amt", "Cr.Amt", None, "Particulars")
    assert m.currency == "CNY"  # no symbol in the amounts: the default ("$" in a description does not count)


def test_senate_pdf_dollar_header() -> None:
    path = PDF / "senate-expenditures.pdf"
    m = guess(path)
    assert (m.date, m.amount, m.merchant, m.description, m.currency) == (
        "DATE POSTED", "AMOUNT ($)", "PAYEE NAME", "DESCRIPTION", "USD")
    st = imported(path, m)
    assert set(moves(st)) == {("USD", Direction.OUT)}  # expenditures, printed positive


@pytest.mark.parametrize(("marker", "direction"), [
    ("CR", Direction.IN), ("Cr.", Direction.IN), ("Credit", Direction.IN), ("K", Direction.IN), ("贷", Direction.IN),
    ("收入", Direction.IN), ("DR", Direction.OUT), ("dr.", Direction.OUT), ("Debit", Direction.OUT),
    ("D", Direction.OUT), ("借", Direction.OUT), ("支出", Direction.OUT), ("debet", Direction.OUT)])
def test_direction_markers(marker: str, direction: Direction) -> None:
    assert direction_word(marker) is direction
    # a marked row: the mark wins over the sign, whichever way the sign is read
    for negative_is_out in (True, False):
        assert generic._amount("12.00", "", "", marker, negative_is_out)[1] is direction



@pytest.mark.parametrize(("text", "direction"), [
    ("1,100.00 CR", Direction.IN), ("1,100.00 Cr.", Direction.IN), ("12.00 DR", Direction.OUT),
    ("12.00 Dr.", Direction.OUT)])
def test_cr_and_dr_after_the_amount(text: str, direction: Direction) -> None:
    assert generic._amount(text, "", "", "", True)[1] is direction


@pytest.mark.parametrize(("text", "code"), [
    ("AMOUNT ($)", "USD"), ("Betrag (EUR)", "EUR"), ("金额(元)", "CNY"), ("¥12.00", "CNY"), ("￥3", "CNY"),
    ("RMB 5", "CNY"), ("£1,100.00", "GBP"), ("€ 3,50", "EUR"), ("HK$ 20", "HKD"), ("Amount", None), ("Dr.Amt", None)])
def test_currency_from_headers_and_cells(text: str, code: str | None) -> None:
    assert symbol_currency(text) == code


def test_header_words_in_several_languages() -> None:
    rows = [["2024-01-02", "Shop", "Lunch", "-12,50", "SEK"], ["2024-01-03", "Employer", "Salary", "1000,00", "SEK"]]
    m = guess_mapping(["Bokföringsdag", "Mottagare", "Meddelande", "Belopp", "Valuta"], rows)
    assert m is not None and (m.date, m.merchant, m.description, m.amount, m.currency) == (
        "Bokföringsdag", "Mottagare", "Meddelande", "Belopp", "Valuta")
    m = guess_mapping(["Buchungstag", "Zahlungsempfänger", "Verwendungszweck", "Soll", "Haben", "Währung"],
                      [["02.01.2024", "Laden", "Einkauf", "12,50", "", "EUR"]])
    assert m is not None and (m.debit, m.credit, m.merchant, m.currency) == ("Soll", "Haben", "Zahlungsempfänger",
                                                                             "Währung")
    m = guess_mapping(["交易时间", "交易对方", "商品", "收/支", "金额(元)"],
                      [["2024-01-02 10:00:00", "美团", "外卖", "支出", "25.00"]], currency_column=False)
    assert m is not None and (m.date, m.merchant, m.description, m.direction, m.amount, m.currency) == (
        "交易时间", "交易对方", "商品", "收/支", "金额(元)", "CNY")
    # a currency column where each row's currency cannot be read from it: its most common code
    m = guess_mapping(["Date", "Amount", "Currency"], [["2024-01-02", "1", "EUR"], ["2024-01-03", "2", "EUR"]],
                      currency="CNY", currency_column=False)
    assert m is not None and m.currency == "EUR"
