"""Pages on a demo vault: dashboard, accounts, settings (generic editors, key change, backup), empty states."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from mybnpl.config import SETTINGS
from mybnpl.services.accounts import list_accounts
from mybnpl.services.due import due_items
from mybnpl.ui.context import UiContext
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.accounts import AccountsPage
from mybnpl.ui.pages.dashboard import DashboardPage
from mybnpl.ui.pages.letters import LettersPage
from mybnpl.ui.recovery import groups
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import KeyMode
from tests.ui.conftest import PASSPHRASE

NEW_PASSPHRASE = "another long passphrase"


def test_navigation_has_every_section(window: MainWindow) -> None:
    names = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert names == ["Dashboard", "Accounts", "Transactions", "Import", "Findings", "Evidence", "Letters",
                     "Dossiers", "Settings"]
    window.nav.setCurrentRow(4)
    assert window.stack.currentWidget() is window.page("findings")
    assert "Vault:" in window.path_label.text() and "passphrase" in window.mode_label.text()


def test_dashboard_shows_findings_first_and_what_is_due(qtbot: QtBot, window: MainWindow) -> None:
    page = window.page("dashboard")
    assert isinstance(page, DashboardPage)
    data = page.data
    assert data is not None and data.accounts == 5
    assert page.card_accounts.value.text() == "5"
    stored = window.vault.query("SELECT count(*) FROM findings WHERE status != 'dismissed'")  # type: ignore
    assert page.findings.rowCount() == len(data.open_findings) == min(50, stored[0][0]) > 0
    item = page.findings.item(0, 0)
    assert item is not None and item.text() == "Serious"
    qtbot.waitUntil(lambda: page.dues.table.rowCount() > 0, timeout=10_000)
    dues = due_items(window.vault, window.ctx.catalog, window.ctx.today(), within_days=7)  # type: ignore[arg-type]
    assert [i.key for i in page.dues.items] == [i.key for i in dues]
    assert page.dues.table.rowCount() == len(dues)
    late = [i for i in dues if i.status.value in ("overdue", "grace")]
    assert late and all(i.status.value in ("overdue", "grace") for i in dues[:len(late)])  # late first
    assert "overdue" in page.dues.table.item(0, 0).text() or "late" in page.dues.table.item(0, 0).text()
    assert page.dues.weeks.isVisible() and "week of" in page.dues.weeks.text()
    # the Account column shows an account's own label, not the product's name a second time
    for r, item in enumerate(dues):
        shown = page.dues.table.item(r, 2).text()
        own = not window.ctx.catalog.get(item.provider_id).names_only(item.account_label)
        assert shown == (item.account_label if own else "")
    # and the column is hidden when no account has a label of its own
    assert page.dues.table.isColumnHidden(2) == (not any(page.dues.table.item(r, 2).text() for r in range(len(dues))))


def test_empty_states_explain_what_is_coming(window: MainWindow) -> None:
    letters = window.page("letters")
    assert isinstance(letters, LettersPage)
    text = letters.banner.text()  # said in the app, never inside the letter
    assert "templates" in text and "not a lawyer" in text and "not legal advice" in text
    imp = window.page("import")
    assert "Alipay, WeChat Pay, JD, Meituan" in imp.empty.text_label.text()


def test_add_account(qtbot: QtBot, window: MainWindow) -> None:
    page = window.page("accounts")
    assert isinstance(page, AccountsPage)
    assert page.model.rowCount() == 5
    dialog = page.open_add_dialog()
    assert dialog is not None
    index = dialog.provider.findData("klarna")
    assert index >= 0 and "Klarna" in dialog.provider.itemText(index)
    dialog.provider.setCurrentIndex(index)
    qtbot.keyClicks(dialog.label, "Klarna DE")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 6
    assert window.vault is not None
    assert any(a.label == "Klarna DE" for a in list_accounts(window.vault))


def test_settings_are_rendered_by_type_and_saved(qtbot: QtBot, window: MainWindow) -> None:
    page = window.settings_page
    assert set(page.editors) == {s.key for s in SETTINGS}
    box = page.editors["minimize_to_tray"]
    assert isinstance(box, QCheckBox) and box.isChecked()
    box.setChecked(False)
    assert window.ctx.config.get("minimize_to_tray") is False
    assert window.ctx.config.path is not None and '"minimize_to_tray": false' in window.ctx.config.path.read_text()
    edit = page.editors["vault_path"]
    assert isinstance(edit, QLineEdit)
    edit.setText("/tmp/elsewhere.mybnpl")
    edit.editingFinished.emit()
    assert window.ctx.config.get("vault_path") == "/tmp/elsewhere.mybnpl"


def test_change_passphrase_shows_new_recovery_key(qtbot: QtBot, window: MainWindow) -> None:
    page = window.settings_page
    window.show_page("settings")
    qtbot.mouseClick(page.change_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.passphrase_radio.isChecked()
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.fields.first, NEW_PASSPHRASE)
    qtbot.keyClicks(dialog.fields.second, NEW_PASSPHRASE)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.recovery_dialog is not None and page.recovery_dialog.isVisible())
    recovery = page.recovery_dialog
    assert recovery is not None and dialog.recovery_key is not None
    recovery.reject()  # not confirmed yet: stays open
    assert recovery.isVisible()
    qtbot.keyClicks(recovery.panel.confirm_edit, groups(dialog.recovery_key)[-1])
    qtbot.mouseClick(recovery.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not recovery.isVisible()
    vault = window.vault
    assert vault is not None and not vault.closed
    manager = window.ctx.manager
    assert manager.key_mode() is KeyMode.PASSPHRASE
    new_key = dialog.recovery_key
    window.lock()
    manager.open_with_passphrase(NEW_PASSPHRASE).close()
    manager.open_with_recovery(new_key).close()
    from mybnpl.vault.errors import WrongPassphrase

    try:
        manager.open_with_passphrase(PASSPHRASE).close()
    except WrongPassphrase:
        pass
    else:
        raise AssertionError("the old passphrase still opens the vault")


def test_switch_to_keyring(qtbot: QtBot, window: MainWindow) -> None:
    page = window.settings_page
    # the keyring is probed off the GUI thread when the page is first shown, not while the app starts
    assert page.keyring_usable is None and not page.switch_button.isEnabled()
    window.show()
    window.show_page("settings")
    qtbot.waitUntil(page.switch_button.isEnabled)
    assert page.keyring_usable is True
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.keyring_radio.isChecked() and dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.recovery_dialog is not None)
    assert window.ctx.manager.key_mode() is KeyMode.KEYRING
    assert "system keyring" in window.mode_label.text()
    assert page.recovery_dialog is not None
    page.recovery_dialog.done(0)


def test_no_secure_keyring_keeps_the_switch_off(qtbot: QtBot, window: MainWindow,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    page = window.settings_page
    monkeypatch.setattr(window.ctx.manager.keystore, "usable", False)
    window.show_page("settings")
    qtbot.waitUntil(lambda: page.keyring_usable is False)
    assert not page.switch_button.isEnabled() and page.change_button.isEnabled()
    assert page.keyring_note.isVisible() and "cannot hold the key" in page.keyring_note.text()  # and says why


def test_backup_and_restore_with_progress_cancel_and_the_backups_own_key(qtbot: QtBot, window: MainWindow,
                                                                         tmp_path: Path, demo_vault: Vault) -> None:
    page = window.settings_page
    panel = page.backups
    target = tmp_path / "backup.mybnpl"
    panel.ask_backup_path = lambda: str(target)
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    assert panel.progress.isVisibleTo(page) and panel.cancel_button.isVisibleTo(page)  # while it runs
    qtbot.waitUntil(lambda: "verified" in panel.status.text(), timeout=20_000)
    assert target.is_file() and target.stat().st_size > 0
    assert not panel.progress.isVisibleTo(page) and page.backup_button.isEnabled()
    panel.ask_backup_path = lambda: ""
    panel.backup()  # no file chosen: nothing happens
    assert panel._op is None

    # cancelled as soon as it starts: no file
    other = tmp_path / "cancelled.mybnpl"
    panel.ask_backup_path = lambda: str(other)
    panel.backup()
    panel.cancel()
    qtbot.waitUntil(lambda: panel._op is None, timeout=20_000)
    assert not other.exists() or "verified" in panel.status.text()  # a tiny vault may finish first

    # restore: asked first; "no" changes nothing
    accounts = demo_vault.scalar("SELECT count(*) FROM accounts")
    with demo_vault.transaction() as conn:
        conn.execute("DELETE FROM consents")
        conn.execute("INSERT INTO accounts(provider_id, label, currency, created_at) "
                     "VALUES ('klarna', 'added after the backup', 'EUR', '2026-11-30')")
    panel.ask_restore_path = lambda: str(target)
    panel.confirm_restore = lambda _name: False
    panel.restore()
    assert panel._op is None and demo_vault.scalar("SELECT count(*) FROM accounts") == accounts + 1
    panel.confirm_restore = lambda _name: True
    with qtbot.waitSignal(page.data_changed, timeout=20_000):
        qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    assert demo_vault.scalar("SELECT count(*) FROM accounts") == accounts
    assert list(demo_vault.path.parent.glob("*.before-restore-*"))

    # a backup made under another key: the recovery key it was made with is asked for
    from mybnpl.vault.backup import _copy
    from mybnpl.vault.keys import DbKey, encode_recovery_key

    stranger, other_key = tmp_path / "stranger.mybnpl", DbKey(bytes(range(32)))
    _copy(demo_vault.conn, stranger, other_key)
    asked: list[bool] = []
    panel.ask_restore_path = lambda: str(stranger)
    panel.ask_backup_key = lambda: (asked.append(True), "")[1]  # the user gives up
    panel.restore()
    qtbot.waitUntil(lambda: bool(asked) and panel._op is None, timeout=20_000)
    assert "recovery key" in panel.status.text()
    panel.ask_backup_key = lambda: encode_recovery_key(other_key)
    with qtbot.waitSignal(page.data_changed, timeout=20_000):
        panel.restore()
    assert "restored" in panel.status.text()


def test_nothing_due_says_so_under_its_heading(qtbot: QtBot, ctx: UiContext,
                                               created: tuple[Vault, str]) -> None:
    """A new vault: the due list is hidden, and its "nothing due" line sits right under the heading."""
    from mybnpl.ui.app import build_main_window
    from mybnpl.ui.worker import wait_for_ops

    win = build_main_window(ctx, created[0])
    qtbot.addWidget(win)
    win.resize(1100, 760)
    win.show()
    dues = win.page("dashboard").dues  # type: ignore[attr-defined]
    dues.reload()
    wait_for_ops()
    qtbot.waitUntil(lambda: dues.empty.isVisible(), timeout=10_000)
    assert not dues.table.isVisible()
    assert dues.empty.geometry().top() - dues.title.geometry().bottom() < 80
