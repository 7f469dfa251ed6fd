"""OFX 1.x SGML / 2.x XML / QFX statements: the real ofxparse samples and small hand-written variants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement
from mybnpl.core.models import Direction
from mybnpl.importers import base, ofx
from mybnpl.importers.base import ParseOptions

INTL = Path(__file__).resolve().parents[1] / "fixtures" / "intl"

SGML_HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n" \
              "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"


def parse(data: bytes, name: str = "s.ofx", hint: str | None = None) -> ParsedStatement:
    return ofx.parse(data, name, ParseOptions(provider_hint=hint))


def failure(data: bytes) -> ImportFailed:
    with pytest.raises(ImportFailed) as e:
        parse(data)
    return e.value


def bank(transactions: str, org: str = "Some Bank", curdef: str = "USD") -> str:
    return (f"<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20240301"
            f"<LANGUAGE>ENG<FI><ORG>{org}<FID>9999</FI></SONRS></SIGNONMSGSRSV1>"
            f"<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>"
            f"<STMTRS><CURDEF>{curdef}<BANKACCTFROM><BANKID>1<ACCTID>12345678<ACCTTYPE>CHECKING</BANKACCTFROM>"
            f"<BANKTRANLIST><DTSTART>20240301<DTEND>20240331{transactions}</BANKTRANLIST>"
            f"</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>")


def trn(amount: str, name: str = "Shop", fitid: str = "1", posted: str = "20240305120000") -> str:
    return f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{posted}<TRNAMT>{amount}<FITID>{fitid}<NAME>{name}</STMTTRN>"


def test_checking_ofx_102_sgml_without_closing_tags() -> None:
    data = (INTL / "checking.ofx").read_bytes()
    assert ofx.sniff(data.decode("latin-1"), data, "checking.ofx") == 100
    assert base.detect(data, "checking.ofx") is ofx
    st = parse(data, "checking.ofx")
    assert (st.format, st.currency, st.provider_id, st.account_hint) == ("ofx", "USD", None, "****87~7")
    assert (st.period_start, st.period_end) == (date(2000, 1, 1), date(2013, 5, 25))
    got = [(t.posted_on, t.amount.amount, t.amount.currency, t.direction, t.external_id, t.category)
           for t in st.transactions]
    assert got == [
        (date(2011, 3, 31), Decimal("0.01"), "USD", Direction.IN, "0000486", "credit"),
        (date(2011, 4, 5), Decimal("34.51"), "USD", Direction.OUT, "0000487", "debit"),
        (date(2011, 4, 7), Decimal("25.00"), "USD", Direction.OUT, "0000488", "check"),
    ]
    check = st.transactions[2]
    assert check.merchant == "RETURNED CHECK FEE, CHECK # 319"
    assert check.description == "RETURNED CHECK FEE, CHECK # 319 FOR $45.33 ON 04/07/11"
    assert check.posted_at == "20110407120000.000"


def test_decimal_error_ofx_is_corrupt_and_names_the_transaction() -> None:
    data = (INTL / "decimal_error.ofx").read_bytes()  # no OFX header, CRLF, <TRNAMT>$120</TRNAMT>
    assert ofx.sniff(data.decode("latin-1"), data, "decimal_error.ofx") == 95
    err = failure(data)
    assert err.code == ImportCode.CORRUPT
    assert err.params["detail"] == "transaction 2000957249: TRNAMT “$120” is not a number"


def test_ofx2_xml_credit_card_with_a_catalog_org_and_entities() -> None:
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
           "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"
           "<DTSERVER>20240401</DTSERVER><LANGUAGE>ENG</LANGUAGE><FI><ORG>Klarna</ORG><FID>1</FID></FI>"
           "</SONRS></SIGNONMSGSRSV1><CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1</TRNUID>"
           "<CCSTMTRS><CURDEF>EUR</CURDEF><CCACCTFROM><ACCTID>4111</ACCTID></CCACCTFROM><BANKTRANLIST>"
           "<DTSTART>20240301</DTSTART><DTEND>20240331</DTEND>"
           "<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240302000000[+1:CET]</DTPOSTED><TRNAMT>-59,90</TRNAMT>"
           "<FITID>A1</FITID><NAME>H&amp;M Café</NAME><MEMO>Klarna Pay in 3</MEMO></STMTTRN>"
           "<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20240310</DTPOSTED><TRNAMT>20.00</TRNAMT>"
           "<FITID>A2</FITID><PAYEE><NAME>Refund desk</NAME></PAYEE><CURRENCY><CURRATE>1.1<CURSYM>USD</CURRENCY>"
           "</STMTTRN><!-- a comment <STMTTRN> --></BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>")
    data = xml.encode("utf-8")
    assert ofx.sniff(xml, data, "x.qfx") == 100
    st = parse(data)
    assert (st.provider_id, st.currency, st.account_hint) == ("klarna", "EUR", "4111")
    first, second = st.transactions
    assert (first.merchant, first.amount.amount, first.direction, first.bnpl_product) == (
        "H&M Café", Decimal("59.90"), Direction.OUT, "klarna")
    assert first.posted_on == date(2024, 3, 2) and first.posted_at == "20240302000000[+1:CET]"
    assert (second.merchant, second.amount.currency, second.direction) == ("Refund desk", "USD", Direction.IN)


def test_qfx_charset_1252_and_intuit_tags() -> None:
    body = bank(trn("-12.00", "CAF\xc9 DU MONDE") + trn("-30.00", "AFTERPAY AU", fitid="2"), org="Intuit Bank")
    data = (SGML_HEADER + body.replace("<FI>", "<INTU.BID>3000<FI>")).encode("cp1252")
    st = parse(data, "s.qfx", hint="zip")
    assert [t.merchant for t in st.transactions] == ["CAFÉ DU MONDE", "AFTERPAY AU"]
    assert [t.bnpl_product for t in st.transactions] == [None, "afterpay"]
    assert st.provider_id == "zip"  # the ORG names no catalog provider: the caller's hint stands
    assert st.account_hint == "****5678"


def test_statement_without_transactions_is_valid_and_empty() -> None:
    st = parse(bank("").encode())
    assert st.transactions == () and st.period_start == date(2024, 3, 1)


@pytest.mark.parametrize(("text", "code", "detail"), [
    (bank(trn("-1.00")).replace("</OFX>", "").replace("</BANKMSGSRSV1>", ""), ImportCode.CORRUPT, "never closed"),
    (bank(trn("-1.00")).replace("</STMTRS>", "</STMTRS></FOO>"), ImportCode.CORRUPT, "</FOO> closes nothing"),
    (bank(trn("-1.00", posted="20111301")), ImportCode.CORRUPT, "DTPOSTED “20111301” is not an OFX date"),
    (bank(trn("1e5")), ImportCode.CORRUPT, "TRNAMT “1e5” is not a number"),
    (bank(trn("-1.00")).replace("<BANKTRANLIST>", "stray <BANKTRANLIST>"), ImportCode.CORRUPT, "unexpected text"),
    ("<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><CURDEF>USD</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>",
     ImportCode.UNSUPPORTED_FORMAT, "investment"),
    ("<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500</STATUS></SONRS></SIGNONMSGSRSV1></OFX>",
     ImportCode.EMPTY, None),
    ("OFXHEADER:100\n\nno body", ImportCode.CORRUPT, "no <OFX> element"),
    ("", ImportCode.EMPTY, None),
])
def test_malformed_files(text: str, code: ImportCode, detail: str | None) -> None:
    err = failure(text.encode())
    assert err.code == code
    if detail:
        assert detail in err.params["detail"]


def test_sniff_ignores_other_files() -> None:
    csv = b"Date,Amount\n2024-01-01,1.00\n"
    assert ofx.sniff(csv.decode(), csv, "a.csv") == 0
