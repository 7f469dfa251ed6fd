"""A demo vault shared by the letter tests of one module (drafting only adds letters and cases to it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.vault.db import Vault
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

TODAY = date(2026, 12, 1)
# the demo account each jurisdiction's letters are drafted for (Klarna operates in the EU and the US)
ACCOUNT_FOR = {"CN": "meituan_yuefu", "UK": "afterpay", "EU": "klarna", "US": "klarna"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    path = tmp_path_factory.mktemp("letters") / "demo.mybnpl"
    vault, _ = VaultManager(path, MemoryKeyStore(), kdf=KdfParams.fast_for_tests()).create(
        KeyMode.PASSPHRASE, "demo passphrase")
    fill_demo(vault, load_catalog(), today=TODAY)
    yield vault
    vault.close()


def account_id(vault: Vault, provider_id: str) -> int:
    return int(vault.scalar("SELECT id FROM accounts WHERE provider_id = ?", (provider_id,)))
