"""The user's own details for letters (name, address, phone, e-mail, ID number), kept encrypted in the vault's
``vault_settings`` table under ``user.<field>``."""

from __future__ import annotations

from mybnpl.core.errors import InvalidInput
from mybnpl.i18n import N_, _
from mybnpl.letters.facts import USER_KEYS
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

MAX_VALUE = 500
FIELD_LABELS = {"name": N_("Your name"), "address": N_("Address"), "phone": N_("Phone"), "email": N_("Email"),
                "id_number": N_("ID number")}


def get_profile(vault: Vault) -> dict[str, str]:
    """Every field, "" where unknown."""
    rows = dict(vault.query("SELECT key, value FROM vault_settings WHERE key LIKE 'user.%'"))
    return {k: str(rows.get(f"user.{k}", "")) for k in USER_KEYS}


def set_profile(vault: Vault, **fields: str | None) -> dict[str, str]:
    """Set the given fields (None: leave as is; "": clear). Unknown fields raise InvalidInput."""
    unknown = sorted(set(fields) - set(USER_KEYS))
    if unknown:
        raise InvalidInput(N_("Unknown profile field(s): {fields}."), fields=", ".join(unknown))
    changes = {k: v.strip() for k, v in fields.items() if v is not None}
    for k, v in changes.items():
        if len(v) > MAX_VALUE or "\x00" in v:
            raise InvalidInput(N_("{field} is limited to {max} characters."), field=_(FIELD_LABELS.get(k, k)),
                               max=MAX_VALUE)
    if changes:
        with vault.transaction() as conn:
            for k, v in changes.items():
                if v:
                    repos.set_vault_setting(conn, f"user.{k}", v)
                else:
                    conn.execute("DELETE FROM vault_settings WHERE key = ?", (f"user.{k}",))
            repos.append_event(conn, "profile_changed", ", ".join(sorted(changes)))
    return get_profile(vault)
