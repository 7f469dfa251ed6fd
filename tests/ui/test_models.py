"""The lazy transactions model: counts from the vault, reads blocks on demand, keeps only a few."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mybnpl.core.catalog import Catalog
from mybnpl.services.transactions import count_transactions, page_transactions
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.models import TransactionsModel
from mybnpl.ui.pages.accounts import AccountsPage
from mybnpl.ui.pages.transactions import TransactionsPage
from mybnpl.vault.db import Vault
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager


def test_row_count_last_row_and_lru(qtbot: QtBot, demo_vault: Vault, catalog: Catalog) -> None:
    model = TransactionsModel(catalog, block_size=32, max_blocks=3)
    model.set_vault(demo_vault)
    n = count_transactions(demo_vault)
    assert model.rowCount() == n and model.columnCount() == 6
    assert model.fetches == 0  # counting reads no rows

    last = page_transactions(demo_vault, n - 1, 1)[0]
    assert model.data(model.index(n - 1, 0)) == last.posted_on.isoformat()
    assert model.data(model.index(n - 1, 1)) == last.merchant
    assert model.data(model.index(n - 1, 2)).endswith(last.amount.format().lstrip("-"))
    assert model.fetches == 1 and model.cached_blocks() == [(n - 1) // 32]

    for row in range(0, n, 7):
        model.data(model.index(row, 1))
    assert len(model.cached_blocks()) <= 3
    first_block_reads = model.fetches
    model.data(model.index(n - 1, 1))  # the most recent blocks are cached
    assert model.fetches == first_block_reads
    model.data(model.index(0, 1))  # an evicted block is read again
    assert model.fetches == first_block_reads + 1

    assert model.data(model.index(n, 0)) is None
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Date"
    model.clear()
    assert model.rowCount() == 0 and model.cached_blocks() == []


def test_view_reads_only_what_it_shows(qtbot: QtBot, window: MainWindow) -> None:
    window.show_page("transactions")
    page = window.page("transactions")
    assert isinstance(page, TransactionsPage)
    qtbot.waitUntil(lambda: page.table.isVisible())
    model = page.model
    assert model.rowCount() == 400
    assert len(model.cached_blocks()) <= 2  # 400 rows in blocks of 256: the view needs the first only
    page.table.scrollToBottom()
    qtbot.wait(20)
    assert 1 <= len(model.cached_blocks()) <= model.max_blocks
    assert "400 transactions" in page.count_label.text()


def test_empty_vault_shows_empty_state(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                       keystore: MemoryKeyStore, fast_kdf: KdfParams) -> None:
    empty, _key = VaultManager(tmp_path / "empty.mybnpl", keystore, kdf=fast_kdf).create(KeyMode.KEYRING)
    try:
        page = window.page("transactions")
        assert isinstance(page, TransactionsPage)
        assert page.stack.currentWidget() is page.table
        page.set_vault(empty)
        assert page.model.rowCount() == 0
        assert page.stack.currentWidget() is page.empty
        accounts = window.page("accounts")
        assert isinstance(accounts, AccountsPage) and accounts.stack.currentWidget() is accounts.table
        accounts.set_vault(empty)
        assert accounts.stack.currentWidget() is accounts.empty
        assert "import a statement" in accounts.empty.text_label.text() and accounts.count_label.text() == ""
    finally:
        empty.close()
