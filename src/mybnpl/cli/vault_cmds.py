"""Vault commands: init, status, check, providers, account, demo, passwd, backup, restore."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mybnpl import i18n
from mybnpl.cli.base import Cli, DemoNeedsNewVault, Sub
from mybnpl.i18n import _, tr
from mybnpl.services import accounts as accounts_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.services.status import vault_status
from mybnpl.vault import backup as backup_mod
from mybnpl.vault.keys import DbKey, decode_recovery_key
from mybnpl.vault.manager import KeyMode


def add_parsers(cmd: Sub) -> None:
    cmd("init", _("create a new vault (keyring, or passphrase from MYBNPL_PASSPHRASE)"), True)
    cmd("status", _("show the vault's key mode, versions and counts"), True)
    cmd("check", _("run the integrity checks on the vault"), True)
    cmd("providers", _("list the BNPL providers mybnpl knows"), True)
    acc = cmd("account", _("add or list accounts"), False)
    acc_sub = acc.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    add = acc_sub.add_parser("add", help=_("add an account at a provider"))
    add.add_argument("--provider", required=True, metavar="ID", help=_("provider id (see `mybnpl providers`)"))
    add.add_argument("--label", default="", help=_("a name for this account"))
    add.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
    lst = acc_sub.add_parser("list", help=_("list accounts"))
    lst.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
    demo = cmd("demo", _("fill a new vault with a realistic demo data set"), True)
    demo.add_argument("--size", choices=["small", "large"], default="small",
                      help=_("large = 100,000 transactions, for benchmarks"))
    pw = cmd("passwd", _("change the passphrase or switch key mode; rotates the key"), True)
    pw.add_argument("--mode", choices=["keyring", "passphrase"], help=_("new key mode (default: keep)"))
    bk = cmd("backup", _("write a verified encrypted backup"), True)
    bk.add_argument("out", metavar="OUT")
    rs = cmd("restore", _("replace the vault's content with a backup (the old file is kept)"), True)
    rs.add_argument("src", metavar="IN")


class VaultCommands(Cli):
    args: argparse.Namespace

    def cmd_init(self) -> int:
        vault, recovery = self.create()
        try:
            info = self.manager.key_info()
            data = {"vault": str(self.path), "key_mode": info.current.key_mode,
                    "keyring_backend": info.current.keyring_backend, "recovery_key": recovery}
            if not self.keystore.status().usable and info.current.key_mode == "passphrase":
                self.env.stderr.write(tr("No secure keyring: {reason}. Passphrase mode is used.",
                                         reason=_(self.keystore.status().reason)) + "\n")
            self.emit(data, tr("Vault created: {path}", path=str(self.path)), recovery=recovery)
        finally:
            vault.close()
        return 0

    def cmd_status(self) -> int:
        vault = self.open()
        try:
            data = vault_status(self.manager, vault)
        finally:
            vault.close()

        self.emit(
            data,
            tr("Vault: {path}", path=data["vault"]),
            tr("Key mode: {mode}", mode=_("system keyring") if data["key_mode"] == "keyring" else _("passphrase")),
            tr("Schema version: {v}, SQLCipher {c}", v=data["schema_version"], c=data["cipher_version"]),
            *(f"  {k}: {v}" for k, v in data["counts"].items()),
        )
        return 0

    def cmd_check(self) -> int:
        vault = self.open()
        try:
            problems = vault.integrity_problems()
        finally:
            vault.close()
        self.emit({"ok": not problems, "problems": problems},
                  _("The vault is intact.") if not problems else _("The vault is damaged."))
        return 0 if not problems else 1

    def cmd_providers(self) -> int:
        catalog = load_catalog()
        lang = i18n.current_language()
        rows = [_provider_json(p, lang) for p in catalog.all()]
        self.emit(rows, *(f"{p.id:18} {p.name(lang)}" for p in catalog.all()))
        return 0

    def cmd_account(self) -> int:
        vault = self.open()
        try:
            if self.args.account_command == "add":
                acc = accounts_svc.add_account(vault, load_catalog(), self.args.provider, self.args.label)
                self.emit(_account_json(acc), tr("Account {id} added.", id=acc.id))
            else:
                accs = accounts_svc.list_accounts(vault)
                self.emit([_account_json(a) for a in accs], *(f"{a.id:5} {a.provider_id:18} {a.label}" for a in accs))
        finally:
            vault.close()
        return 0

    def cmd_demo(self) -> int:
        recovery = None
        if self.path.exists():
            vault = self.open()
        else:
            vault, recovery = self.create()
        try:
            if accounts_svc.list_accounts(vault):
                raise DemoNeedsNewVault()
            counts = fill_demo(vault, load_catalog(), size=self.args.size, today=self.today())
        finally:
            vault.close()
        data: dict[str, Any] = {"vault": str(self.path), **counts}
        if recovery:
            data["recovery_key"] = recovery
        self.emit(data, tr("Demo data added: {n} transactions.", n=counts["transactions"]), recovery=recovery)
        return 0

    def cmd_passwd(self) -> int:
        vault = self.open()
        try:
            current = self.manager.key_mode() or KeyMode.PASSPHRASE
            mode = KeyMode(self.args.mode) if self.args.mode else current
            passphrase = self._new_passphrase("MYBNPL_NEW_PASSPHRASE") if mode is KeyMode.PASSPHRASE else None
            recovery = self.manager.change_key(vault, mode, passphrase)
        finally:
            vault.close()
        self.emit({"key_mode": mode.value, "recovery_key": recovery},
                  _("The key was changed. The old recovery key no longer works."), recovery=recovery)
        return 0

    def cmd_backup(self) -> int:
        vault = self.open()
        try:
            counts = backup_mod.backup(vault, Path(self.args.out))
        finally:
            vault.close()
        self.emit({"backup": str(Path(self.args.out)), "verified": True, "counts": counts},
                  tr("Backup written and verified: {path}", path=self.args.out))
        return 0

    def cmd_restore(self) -> int:
        vault = self.open()
        try:
            backup_key: DbKey | None = None
            if self.env.environ.get("MYBNPL_BACKUP_RECOVERY_KEY"):
                backup_key = decode_recovery_key(self.env.environ["MYBNPL_BACKUP_RECOVERY_KEY"])
            counts = backup_mod.restore(vault, Path(self.args.src), backup_key)
        finally:
            vault.close()
        self.emit({"restored": str(Path(self.args.src)), "counts": counts},
                  _("Backup restored. The previous vault file was kept next to it."))
        return 0




def _provider_json(p: Any, lang: str) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name(lang), "names": {"zh": p.names.get("zh"), "en": p.names.get("en")},
        "product_kind": str(p.product_kind), "operator": p.operator, "lending_entity": p.lending_entity,
        "jurisdictions": list(p.jurisdictions), "regulator_route": list(p.regulator_route),
        "currency": p.currency, "how_to_close": p.how_to_close.get(lang), "aliases": list(p.aliases),
        "grace_days": p.grace_days, "grace_jurisdiction": p.grace_jurisdiction,
        "late_fee": p.late_fee.text.get(lang) if p.late_fee else None,
    }


def _account_json(a: Any) -> dict[str, Any]:
    return {"id": a.id, "provider": a.provider_id, "label": a.label, "currency": a.currency,
            "created_at": a.created_at.isoformat()}

