"""The column-mapping dialog on the real files of tests/fixtures: its first guess, and a preview read by the
importer's own row reader (the In/Out the import stores, not the raw D/K codes; an empty date said in words)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mybnpl.importers import generic, pdf
from mybnpl.ui.mapping import MappingDialog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def dialog_for(qtbot: QtBot, path: Path) -> MappingDialog:
    data = path.read_bytes()
    header, rows = pdf.pdf_table(data, path.name) if path.suffix == ".pdf" else generic.detect_table(data, path.name)
    dialog = MappingDialog(path.name, header, rows)
    qtbot.addWidget(dialog)
    return dialog


def preview(dialog: MappingDialog, column: int) -> list[str]:
    return [dialog.preview.item(i, column).text() for i in range(dialog.preview.rowCount())]


# file, {field: guessed column}, currency (a code, or the column each row's currency is read from)
GUESSES = [
    ("intl/CSV_A_20180414_112204.csv", {"date": "Datum", "amount": "Bedrag", "merchant": "Naam tegenpartij",
                                        "description": "Omschrijving-1", "direction": None}, "Munt"),
    ("intl/export_KBC-Mastercard Business Essential_20200204_1604.csv",
     {"date": "datum verrichting", "amount": None, "debit": "debet", "credit": "credit", "merchant": "Handelaar"},
     "munt"),
    ("intl/test_swedebank_statement.xls", {"date": "Date", "amount": "Amount", "direction": "D/K",
                                           "merchant": "Beneficiary", "description": "Details"}, "Currency"),
    ("intl/交易明细_xxxx_2025xxxx_2025xxxx.xls", {"date": "交易日期", "debit": "支出", "credit": "收入", "amount": None,
                                                "merchant": "对方户名", "description": "摘要"}, "币种"),
    ("intl/example-citic-records.xls", {"date": "交易日期", "amount": "交易金额", "merchant": "交易描述"}, "交易币种"),
    ("intl/MS_JANE_SMITH_01-12-2019_14-12-2019.csv", {"date": "Date Processed", "amount": "Amount",
                                                      "description": "Description", "direction": "Column 4"}, "GBP"),
    ("pdf/issue-912.pdf", {"date": "Vr.Date", "debit": "Dr.Amt", "credit": "Cr.Amt", "amount": None,
                           "description": "Particulars"}, "CNY"),
    ("pdf/senate-expenditures.pdf", {"date": "DATE POSTED", "amount": "AMOUNT ($)", "merchant": "PAYEE NAME",
                                     "description": "DESCRIPTION"}, "USD"),
]


@pytest.mark.parametrize(("name", "columns", "currency"), GUESSES, ids=[g[0].split("/")[1][:12] for g in GUESSES])
def test_first_guess_on_real_files(qtbot: QtBot, name: str, columns: dict[str, str | None], currency: str) -> None:
    dialog = dialog_for(qtbot, FIXTURES / name)
    assert {field: dialog.column(field) for field in columns} == columns
    assert dialog.currency.currentData() == currency
    assert dialog.ok.isEnabled() and dialog.preview.rowCount() > 0


def test_currency_column_is_offered_by_name(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, FIXTURES / "intl/export_KBC-Mastercard Business Essential_20200204_1604.csv")
    assert dialog.currency.currentText() == "From the column “munt”"


def test_preview_shows_in_and_out_for_dk_codes(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, FIXTURES / "intl/test_swedebank_statement.xls")
    # row 1 is the opening balance (K): skipped as the import skips it; then purchases marked D
    assert preview(dialog, 2) == ["", "Out", "Out", "Out", "Out"]
    assert preview(dialog, 4)[0] == "A balance or total row, skipped"
    assert preview(dialog, 1)[1:3] == ["15.31", "9.40"]
    assert "D" not in preview(dialog, 2) and "K" not in preview(dialog, 2)


def test_preview_of_a_card_statement_reads_cr_as_in(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, FIXTURES / "intl/MS_JANE_SMITH_01-12-2019_14-12-2019.csv")
    assert not dialog.negative_box.isChecked()
    read = [(dialog.column("amount"), r[2], r[3]) for r in dialog.rows]
    assert ("Amount", "+ £1,100.00", "CR") in read
    rows = {dialog.preview.item(i, 3).text(): dialog.preview.item(i, 2).text() for i in range(5)}
    assert rows["ROYAL LONDON INSURANCE        01222 61234  GBR"] == "Out"
    dialog.combos["direction"].setCurrentIndex(0)  # the same rows through the same reader, now without the marks
    dialog.negative_box.setChecked(True)
    assert dialog.preview.item(3, 2).text() == "In"


def test_an_empty_date_is_said_in_words(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, FIXTURES / "pdf/senate-expenditures.pdf")
    assert preview(dialog, 4)[0] == "No date"
    assert preview(dialog, 3)[0] == "BAIN, J MATTHEW"
    dialog.combos["date"].setCurrentIndex(dialog.combos["date"].findData("PAYEE NAME"))
    assert preview(dialog, 4)[0] == "“BAIN, J MATTHEW” is not a date"
