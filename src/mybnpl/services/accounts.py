"""Accounts: a user's product at a provider."""

from __future__ import annotations

from mybnpl.core.catalog import Catalog
from mybnpl.core.models import Account
from mybnpl.vault import repos
from mybnpl.vault.db import Vault


def add_account(vault: Vault, catalog: Catalog, provider_id: str, label: str = "", account_ref: str = "",
                currency: str | None = None) -> Account:
    provider = catalog.get(provider_id)  # raises NotFound for an unknown id
    label = label.strip() or provider.default_label()
    with vault.transaction() as conn:
        account_id = repos.insert_account(conn, provider.id, label, currency or provider.currency, account_ref)
        repos.append_event(conn, "account_added", f"{provider.id}: {label}", entity="account",
                           entity_id=account_id)
    return repos.get_account(vault, account_id)


def list_accounts(vault: Vault) -> list[Account]:
    return repos.list_accounts(vault)


def get_account(vault: Vault, account_id: int) -> Account:
    """One account; :class:`~mybnpl.core.errors.NotFound` when there is none with that id."""
    return repos.get_account(vault, account_id)
