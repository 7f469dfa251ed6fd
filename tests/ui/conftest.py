"""UI fixtures: a real offscreen QApplication (pytest-qt), real SQLCipher vaults in tmp_path, the in-memory
keyring, fast Argon2, a fake monotonic clock and a fixed "today". The shared fixtures (``manager``,
``keystore``, ``fast_kdf``, ``vault_path``) come from ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mybnpl import i18n
from mybnpl.config import Config
from mybnpl.core.catalog import Catalog
from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.ui.app import build_main_window
from mybnpl.ui.context import UiContext
from mybnpl.ui.language import apply_language
from mybnpl.ui.main_window import MainWindow
from mybnpl.ui.worker import wait_for_ops
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import KeyMode, VaultManager

PASSPHRASE = "correct horse battery"
HERE = Path(__file__).resolve().parent
# Qt's "offscreen" platform plugin (the headless test platform) cannot propagate size hints and warns whenever a
# dialog with a size constraint is shown. It is a limitation of that plugin, not of our code, so only this one
# message is ignored, and only for the UI tests.
OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


TODAY = date(2026, 11, 23)


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(tmp_path / "settings.json")


@pytest.fixture
def ctx(manager: VaultManager, catalog: Catalog, config: Config, clock: FakeClock) -> Iterator[UiContext]:
    yield UiContext(config=config, manager=manager, catalog=catalog, clock=clock, today=lambda: TODAY,
                    platform_hooks=False)
    wait_for_ops()
    apply_language("en")


@pytest.fixture
def created(manager: VaultManager) -> Iterator[tuple[Vault, str]]:
    """A passphrase-mode vault and its recovery key."""
    vault, recovery = manager.create(KeyMode.PASSPHRASE, PASSPHRASE)
    yield vault, recovery
    vault.close()


@pytest.fixture
def demo_vault(manager: VaultManager, catalog: Catalog) -> Iterator[Vault]:
    vault, _recovery = manager.create(KeyMode.PASSPHRASE, PASSPHRASE)
    fill_demo(vault, catalog, size="small", today=TODAY)
    yield vault
    vault.close()


@pytest.fixture
def window(qtbot: QtBot, ctx: UiContext, demo_vault: Vault) -> Iterator[MainWindow]:
    w = build_main_window(ctx, demo_vault)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.unlock_dialog is not None:
        w.unlock_dialog.close()
        if w.unlock_dialog.vault is not None:
            w.unlock_dialog.vault.close()
    if w.vault is not None:
        w.vault.close()


def file_state(path: Path) -> dict[str, bytes]:
    """The bytes of a vault and its sidecars, to prove a failed action left them untouched."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())
            if p.name.startswith(path.name) and p.is_file()}


@pytest.fixture
def zh_catalog() -> None:
    """The shipped Chinese catalog translates the UI (kept complete by tests/test_translations.py)."""
    i18n.set_language("zh_CN")
    try:
        assert i18n._("Dashboard") != "Dashboard"
    finally:
        i18n.set_language("en")
