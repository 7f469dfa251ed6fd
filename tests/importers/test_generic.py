"""The generic CSV/XLS path on real bank exports (tests/fixtures/intl, see tests/fixtures/PROVENANCE.md).

Each real file is parsed with the ColumnMapping a user would give in the mapping step; without one, the importer
must ask for it (NEEDS_MAPPING, listing the columns). Expected values were read off the files by hand.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mybnpl.core.imports import ColumnMapping, ImportCode, ImportFailed, ParsedStatement
from mybnpl.core.models import Direction
from mybnpl.importers import base, generic
from mybnpl.importers.base import ParseOptions

INTL = Path(__file__).resolve().parents[1] / "fixtures" / "intl"
MS = "MS_JANE_SMITH_01-12-2019_14-12-2019.csv"
KBC = "export_KBC-Mastercard Business Essential_20200204_1604.csv"
RABO = "CSV_A_20180414_112204.csv"
SWED = "test_swedebank_statement.xls"
CCB = "交易明细_xxxx_2025xxxx_2025xxxx.xls"
CITIC = "example-citic-records.xls"

MAPPINGS = {
    MS: ColumnMapping(date="Date Processed", amount="Amount", description="Description", direction="Column 4",
                      negative_is_out=False, currency="GBP"),
    KBC: ColumnMapping(date="datum verrichting", debit="debet", credit="credit", merchant="Handelaar",
                       payment_method="kredietkaart", currency="munt"),
    RABO: ColumnMapping(date="Datum", amount="Bedrag", merchant="Naam tegenpartij", description="Omschrijving-1",
                        external_id="Volgnr", currency="Munt"),
    SWED: ColumnMapping(date="Date", amount="Amount", direction="D/K", merchant="Beneficiary", description="Details",
                        currency="Currency"),
    CCB: ColumnMapping(date="记账日", debit="支出", credit="收入", merchant="对方户名", description="交易地点",
                       currency="币种", extra={"time": "交易时间"}),
    CITIC: ColumnMapping(date="交易日期", amount="结算金额", negative_is_out=False, merchant="交易描述",
                         payment_method="卡末四位", currency="结算币种"),
}


def parse(name: str, mapping: ColumnMapping | None = None, data: bytes | None = None) -> ParsedStatement:
    raw = (INTL / name).read_bytes() if data is None else data
    return generic.parse(raw, name, ParseOptions(mapping=mapping or MAPPINGS[name]))


def total(st: ParsedStatement, direction: Direction) -> Decimal:
    return sum((t.amount.amount for t in st.transactions if t.direction is direction), Decimal(0))


def warning(st: ParsedStatement, fragment: str) -> dict[str, str]:
    hits = [p for w, p in zip(st.warnings, st.warning_params, strict=True) if fragment in w]
    assert len(hits) == 1, st.warnings
    return hits[0]


@pytest.mark.parametrize(("name", "columns"), [
    (MS, "Date Processed, Description, Amount, Column 4"),
    (KBC, "kredietkaart, kaarthouder, uitgavenstaat, datum verrichting, Datum verrekening, bedrag, credit, debet, "
          "munt, koers, bedrag in EUR, Kosten op verrichting, Handelaar, locatie, land, toelichting"),
    (SWED, "Account No, Column 2, Date, Beneficiary, Details, Amount, Currency, D/K, Record ID, Code, Reference No, "
           "Doc. No, Code in payer IS, Client code, Originator, Beneficiary party"),
    (CCB, "记账日, 交易日期, 交易时间, 支出, 收入, 账户余额, 币种, 摘要, 对方账号, 对方户名, 交易地点"),
    (CITIC, "交易日期, 入账日期, 交易描述, 卡末四位, 交易币种, 结算币种, 交易金额, 结算金额"),
])
def test_without_a_mapping_the_importer_asks_for_one(name: str, columns: str) -> None:
    data = (INTL / name).read_bytes()
    with pytest.raises(ImportFailed) as e:
        generic.parse(data, name, ParseOptions())
    assert e.value.code == ImportCode.NEEDS_MAPPING
    assert e.value.params["columns"] == columns
    header, rows = generic.detect_table(data, name)
    assert ", ".join(header) == columns
    assert rows and all(len(r) == len(header) for r in rows)
    assert generic.sniff(data[:65536].decode("utf-8", "replace"), data, name) == 10


def test_marks_and_spencer_pending_rows_are_skipped_with_a_warning() -> None:
    st = parse(MS)
    assert st.format == "generic_csv" and st.currency == "GBP"
    assert len(st.transactions) == 10  # 13 rows, 3 of them "Pending"
    assert warning(st, "pending")["count"] == "3"
    first, last = st.transactions[0], st.transactions[-1]
    assert (first.posted_on, first.amount.amount, first.direction) == (date(2019, 12, 12), Decimal("1183.23"),
                                                                       Direction.OUT)
    assert first.merchant.startswith("ROYAL LONDON INSURANCE") and first.row == 5
    assert (last.posted_on, last.amount.amount, last.direction) == (date(2019, 12, 2), Decimal("1100.00"), Direction.IN)
    assert last.merchant == "PAYMENT RECEIVED - THANK YOU"  # "+ £1,100.00",CR
    assert total(st, Direction.OUT) == Decimal("1385.80")


def test_kbc_semicolons_decimal_comma_and_debit_credit_columns() -> None:
    st = parse(KBC)
    got = [(t.posted_on, t.amount.amount, t.amount.currency, t.direction, t.merchant, t.payment_method)
           for t in st.transactions]
    assert got == [
        (date(2020, 2, 1), Decimal("16.52"), "EUR", Direction.OUT, "More info", "1234567890123456"),
        (date(2020, 1, 24), Decimal("35.77"), "EUR", Direction.IN, "Payment from Checking account", ""),
        (date(2020, 1, 1), Decimal("16.52"), "EUR", Direction.OUT, "More info", "1234567890123456"),
    ]
    assert st.warnings == ()


def test_rabobank_latin1_crcrlf_and_a_row_missing_its_opening_quote() -> None:
    st = parse(RABO)
    assert "Naam initiërende partij" in st.columns  # ISO-8859-1, not GB18030
    assert [(t.posted_on, t.amount.amount, t.direction, t.external_id) for t in st.transactions] == [
        (date(2018, 3, 1), Decimal("337.49"), Direction.OUT, "000000000000009565"),
        (date(2018, 3, 14), Decimal("50.00"), Direction.IN, "000000000000009590"),
        (date(2018, 3, 16), Decimal("750.00"), Direction.OUT, "000000000000009591"),
    ]
    repaired = st.transactions[1]
    assert repaired.merchant == "Nederlandse Loterij Organisatie B.V."
    assert repaired.description == "Gefeliciteerd, Gewonnen met Staatsloterij, Trekking 10-03-2018, 18753493.6094"
    assert st.transactions[0].merchant == "RENTE LENING"  # no counterparty: the description stands in
    assert warning(st, "broken quoting") == {"count": "1", "line": "3"}


def test_swedbank_xls_that_is_really_csv() -> None:
    data = (INTL / SWED).read_bytes()
    assert base.detect(data, SWED) is generic  # by content, not by the .xls extension
    st = parse(SWED)
    assert st.format == "generic_csv" and st.currency == "LTL"
    assert len(st.transactions) == 13
    assert warning(st, "balance")["count"] == "4"  # opening balance, 2 turnover rows, closing balance
    assert all(t.amount.amount != Decimal("10374.04") for t in st.transactions)
    # the file's own turnover rows: D 284.70, K 2863.63
    assert total(st, Direction.OUT) == Decimal("284.70") and total(st, Direction.IN) == Decimal("2863.63")
    salary = [t for t in st.transactions if t.direction is Direction.IN]
    assert [(t.posted_on, t.merchant, t.description) for t in salary] == [
        (date(2014, 10, 6), "UAB IMONE", "Darbo užmokestis")]
    no_name = st.transactions[6]
    assert no_name.merchant.startswith("PIRKINYS 2014.09.29 12 LTL") and no_name.amount.amount == Decimal("12.00")


def test_ccb_xls_skips_the_account_block() -> None:
    st = parse(CCB)
    assert st.format == "generic_xls" and st.currency == "CNY"
    assert [t.amount.amount for t in st.transactions] == [Decimal(x) for x in
                                                          ("67.00", "16.78", "20.00", "515.02", "18.06", "66.40")]
    assert all(t.direction is Direction.OUT for t in st.transactions)
    first = st.transactions[0]
    assert (first.posted_on, first.posted_at, first.merchant) == (date(2025, 1, 1), "20250101 18:53:19",
                                                                  "中***融科技有限公司")
    assert first.description == "支付宝-支付宝外部商户-中移动金融科技有限公司"
    assert st.warnings == ()  # the "以上数据仅供参考" footer is not a row


def test_citic_xls_cash_back_is_money_in_and_card_digits_are_text() -> None:
    st = parse(CITIC)
    assert len(st.transactions) == 13
    assert {t.payment_method for t in st.transactions} == {"6688"}  # stored as the float 6688.0
    back_in = [(t.posted_on, t.amount.amount, t.merchant) for t in st.transactions if t.direction is Direction.IN]
    assert back_in == [(date(2024, 11, 9), Decimal("0.20"), "0.2元现金奖励-笔笔返0.2元"),
                       (date(2024, 10, 20), Decimal("1.21"), "财付通还款")]
    assert total(st, Direction.OUT) == Decimal("1098.80")
    assert st.period_start == date(2024, 10, 20) and st.period_end == date(2024, 11, 9)


def test_unknown_column_is_a_bad_mapping() -> None:
    with pytest.raises(ImportFailed) as e:
        parse(KBC, ColumnMapping(date="Datum", amount="bedrag"))
    assert e.value.code == ImportCode.BAD_MAPPING
    assert "no column “Datum”" in e.value.params["detail"]


def test_a_column_without_dates_is_a_bad_mapping() -> None:
    with pytest.raises(ImportFailed) as e:
        parse(CITIC, ColumnMapping(date="交易描述", amount="结算金额"))
    assert e.value.code == ImportCode.BAD_MAPPING
    assert e.value.params["detail"].startswith("13 of 13 rows have no readable dates in column “交易描述”")


def test_no_amount_column_is_a_bad_mapping() -> None:
    with pytest.raises(ImportFailed) as e:
        parse(CITIC, ColumnMapping(date="交易日期"))
    assert e.value.code == ImportCode.BAD_MAPPING


def test_a_few_unreadable_rows_are_skipped_with_a_warning() -> None:
    rows = [f"2024-01-{d:02d},Shop {d},{d}.50" for d in range(1, 10)] + ["not a date,Shop X,1.00"]
    data = ("Date,Merchant,Amount\n" + "\n".join(rows)).encode()
    st = parse("t.csv", ColumnMapping(date="Date", amount="Amount", merchant="Merchant", currency="EUR"), data)
    assert len(st.transactions) == 9
    assert warning(st, "could not be read") == {"count": "1", "line": "11", "detail": "“not a date”"}
    assert all(t.direction is Direction.IN for t in st.transactions)  # positive, negative_is_out=True


def test_bnpl_aliases_in_descriptions() -> None:
    data = "\n".join([
        "Datum;Omschrijving;Bedrag",
        "01-03-2024;KLARNA*ZALANDO;-49,95",
        "02-03-2024;Clearpay UK Ltd;-12,50",
        "03-03-2024;PAYPAL PAY IN 4 INSTALMENT;-25,00",
        "04-03-2024;支付宝－花呗还款;-100,00",
        "05-03-2024;Zipcar rental;-30,00",
    ]).encode("gb18030")
    st = parse("bnpl.csv", ColumnMapping(date="Datum", amount="Bedrag", description="Omschrijving",
                                         currency="EUR"), data)
    assert [t.bnpl_product for t in st.transactions] == ["klarna", "afterpay", "paypal_paylater", "huabei", None]
    assert st.transactions[0].posted_on == date(2024, 3, 1)  # day-first by default for EUR


def test_cp1252_text_is_not_read_as_gb18030() -> None:
    data = "Date;Description;Amount\n15.03.2024;Café Crème – Genève;-4,50 €\n16.03.2024;Bäckerei;-2,10 €\n"
    st = parse("w.csv", ColumnMapping(date="Date", amount="Amount", description="Description", currency="EUR"),
               data.encode("cp1252"))
    assert [t.merchant for t in st.transactions] == ["Café Crème – Genève", "Bäckerei"]
    assert st.transactions[0].amount.amount == Decimal("4.50")


def test_dates_month_first_when_the_data_says_so_and_date_format_wins() -> None:
    data = b"Date,Desc,Amount\n01/02/2024,a,-1.00\n01/13/2024,b,-2.00\n"
    st = parse("us.csv", ColumnMapping(date="Date", amount="Amount", description="Desc", currency="USD"), data)
    assert [t.posted_on for t in st.transactions] == [date(2024, 1, 2), date(2024, 1, 13)]
    ambiguous = b"Date,Desc,Amount\n01/02/2024,a,-1.00\n03/04/2024,b,-2.00\n"
    st = parse("a.csv", ColumnMapping(date="Date", amount="Amount", description="Desc", currency="USD"), ambiguous)
    assert st.transactions[0].posted_on == date(2024, 1, 2)  # USD: month-first
    st = parse("a.csv", ColumnMapping(date="Date", amount="Amount", description="Desc", currency="GBP"), ambiguous)
    assert st.transactions[0].posted_on == date(2024, 2, 1)
    st = parse("a.csv", ColumnMapping(date="Date", amount="Amount", description="Desc", currency="GBP",
                                      date_format="%m/%d/%Y"), ambiguous)
    assert st.transactions[0].posted_on == date(2024, 1, 2)


def test_quoted_line_breaks_are_kept() -> None:
    data = b'Date,Desc,Amount\n2024-01-01,"two\nlines",-1.00\n2024-01-02,plain,-2.00\n'
    st = parse("nl.csv", ColumnMapping(date="Date", amount="Amount", description="Desc"), data)
    assert [t.merchant for t in st.transactions] == ["two\nlines", "plain"]


def _xlsx(rows: list[list[str | float]], extra: str = "") -> bytes:
    """A minimal valid .xlsx (inline strings), written by hand so the test needs no spreadsheet writer."""
    def cell(v: str | float) -> str:
        if isinstance(v, str):
            return f'<c t="inlineStr"><is><t>{v}</t></is></c>'
        return f"<c><v>{v}</v></c>"

    sheet = "".join(f"<row>{''.join(cell(v) for v in r)}</row>" for r in rows) + extra
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="Statement" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
    return buf.getvalue()


def test_xlsx_with_a_title_row() -> None:
    data = _xlsx([["Afterpay statement"], [], ["Date", "Merchant", "Amount", "Order"],
                  ["2024-05-01", "Afterpay instalment", -25.5, 12345.0], ["2024-05-15", "Refund", 10, 12346.0]])
    header, _ = generic.detect_table(data, "s.xlsx")
    assert header == ["Date", "Merchant", "Amount", "Order"]
    st = generic.parse(data, "s.xlsx", ParseOptions(provider_hint="afterpay", mapping=ColumnMapping(
        date="Date", amount="Amount", merchant="Merchant", external_id="Order", currency="AUD")))
    assert st.format == "generic_xlsx" and st.provider_id == "afterpay"
    assert [(t.amount.amount, t.direction, t.external_id, t.bnpl_product) for t in st.transactions] == [
        (Decimal("25.50"), Direction.OUT, "12345", "afterpay"), (Decimal("10.00"), Direction.IN, "12346", None)]


def _forged_dimensions() -> bytes:
    data = bytearray((INTL / CCB).read_bytes())
    at = data.index(b"\x00\x02\x0e\x00") + 4  # BIFF8 DIMENSIONS: first row, last row + 1, first col, last col + 1
    data[at:at + 4] = (0xFF0000).to_bytes(4, "little")  # first row far below the last
    return bytes(data)


@pytest.mark.parametrize(("data", "why"), [
    (_xlsx([["Date", "Merchant", "Amount"], ["2024-05-01", "x", 1.0]],
           '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), "cells spread over too large an area"),
    (_forged_dimensions(), "BIFF DIMENSIONS"),
])
def test_spreadsheets_that_would_abort_calamine_are_refused(data: bytes, why: str) -> None:
    # calamine allocates what these declare; a failed allocation aborts the process, so they never reach it
    assert generic.spreadsheet_hazard(data) == why
    with pytest.raises(ImportFailed) as e:
        generic.parse(data, "bomb", ParseOptions(mapping=ColumnMapping(date="Date", amount="Amount")))
    assert e.value.code == ImportCode.CORRUPT and why in e.value.params["detail"]
    assert generic.spreadsheet_hazard((INTL / CCB).read_bytes()) is None


@pytest.mark.parametrize(("data", "code"), [
    (b"", ImportCode.EMPTY),
    (b"just one line of prose\n", ImportCode.UNSUPPORTED_FORMAT),
    (b"PK\x03\x04broken zip", ImportCode.CORRUPT),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ImportCode.CORRUPT),
])
def test_unreadable_input(data: bytes, code: ImportCode) -> None:
    with pytest.raises(ImportFailed) as e:
        generic.parse(data, "x", ParseOptions(mapping=ColumnMapping(date="Date", amount="Amount")))
    assert e.value.code == code


def test_sniff_is_low_and_only_for_tables() -> None:
    table = b"Date,Merchant,Amount\n2024-01-01,Shop,1.00\n"
    assert generic.sniff(table.decode(), table, "t.csv") == 10
    prose = b"Dear customer,\nthank you.\n"
    assert generic.sniff(prose.decode(), prose, "t.txt") == 0
    header_only = b"Date,Merchant,Amount\n"
    assert generic.sniff(header_only.decode(), header_only, "t.csv") == 0
    undated = b"Plan,Instalment,Amount\nA,1 of 4,25.00\n"  # no date: still a table the user may map
    assert generic.sniff(undated.decode(), undated, "t.csv") == 10
