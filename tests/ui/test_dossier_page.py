"""The Dossiers page (also File → Export dossier…): pick a case, preview its pages, export in the background with
progress and cancel, verify a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mybnpl.services import cases as cases_svc
from mybnpl.services import evidence as evidence_svc
from mybnpl.services import findings as findings_svc
from mybnpl.ui.language import apply_language
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.pages.dossier import DossiersPage
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.db import Vault
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager
from tests.dossier.helpers import screenshot_png

from .conftest import TODAY


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow, demo_vault: Vault) -> Iterator[DossiersPage]:
    finding = next(f for f in findings_svc.list_findings(demo_vault) if f.provider_id == "meituan_yuefu")
    findings_svc.set_status(demo_vault, finding.id, "confirmed")
    case_id = cases_svc.open_case_from_finding(demo_vault, finding.id, "Meituan yuefu enabled without consent", TODAY)
    evidence_svc.add_evidence_bytes(demo_vault, screenshot_png(270, 585), "shot.png", note="开通截图",
                                    link=("case", case_id))
    window.dossier_action.trigger()
    p = window.stack.currentWidget()
    assert isinstance(p, DossiersPage) and p is window.page("dossiers")
    p.reload()
    qtbot.waitUntil(lambda: p.target.findData(f"case:{case_id}") >= 0, timeout=10_000)
    p.select("case", case_id)
    yield p
    wait_for_ops()


def test_preview_export_verify(qtbot: QtBot, page: DossiersPage, tmp_path: Path) -> None:
    assert page.export_button.isEnabled() and page.title_label.text() == "Dossiers"
    page.preview()
    qtbot.waitUntil(lambda: page.pages.count() > 3, timeout=20_000)
    assert page.pages.item(0).text().startswith("1 / ")
    out = tmp_path / "case.pdf"
    page.ask_path = lambda: str(out)  # type: ignore[method-assign]  # the save dialog's answer
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)  # the button itself, as a user does
    assert page.cancel_button.isEnabled() and not page.export_button.isEnabled()
    qtbot.waitUntil(lambda: page._op is None, timeout=30_000)
    assert out.exists() and "Dossier written" in page.status.text()
    assert page.last_export is not None and page.last_export.sha256 in page.status.text()
    page.ask_verify_path = lambda: str(out)  # type: ignore[method-assign]
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page._op is None, timeout=20_000)
    assert page.status.text().startswith("verified: case.pdf") and page.last_report is not None
    # the whole file's hash, to compare with the one shown at export, and what the signature does not cover
    assert f"File SHA-256: {page.last_export.sha256}" in page.status.text()
    assert "not how the pages are drawn" in page.status.text()
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    page.verify(junk)
    qtbot.waitUntil(lambda: page._op is None, timeout=20_000)
    assert "NOT verified" in page.status.text() and "junk.pdf" in page.status.text()


def test_cancel_leaves_no_file(qtbot: QtBot, page: DossiersPage, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "cancelled.pdf"
    page.export(out)
    page.cancel()
    qtbot.waitUntil(lambda: page._op is None, timeout=30_000)
    assert not out.exists() and list(folder.iterdir()) == []
    assert "cancelled" in page.status.text()


def test_locking_clears_the_page(qtbot: QtBot, window: MainWindow, page: DossiersPage) -> None:
    apply_language("zh_CN")
    window.retranslate()
    assert page.title_label.text() != "Dossiers"
    apply_language("en")
    window.retranslate()
    window.lock()
    assert page.target.count() == 0 and not page.export_button.isEnabled()


def test_an_empty_vault_says_what_a_dossier_needs(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                                  keystore: MemoryKeyStore, fast_kdf: KdfParams) -> None:
    empty, _key = VaultManager(tmp_path / "empty.mybnpl", keystore, kdf=fast_kdf).create(KeyMode.KEYRING)
    try:
        page = window.page("dossiers")
        assert isinstance(page, DossiersPage)
        page.set_vault(empty)
        qtbot.waitUntil(lambda: page.pages_stack.currentWidget() is page.empty, timeout=10_000)
        assert "Import a statement" in page.empty.text_label.text() and not page.export_button.isEnabled()
    finally:
        empty.close()
