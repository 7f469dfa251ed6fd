"""The `mybnpl` command. No command launches the desktop app.

Conventions: ``--vault`` / ``MYBNPL_VAULT``, ``--lang``, ``--today`` / ``MYBNPL_TODAY``; read commands take
``--json``; exit 0 on success, 1 on a user or input error (one translated line on stderr), 2 on usage errors.
Secrets come from ``MYBNPL_PASSPHRASE`` (passphrase mode), the OS keyring, ``MYBNPL_RECOVERY_KEY``, or a
terminal prompt — never from the command line, where other users could read them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from mybnpl import __version__, i18n
from mybnpl.core.errors import UsageError, UserError
from mybnpl.hardening import harden_process
from mybnpl.i18n import _, tr
from mybnpl.paths import resolve_vault_path
from mybnpl.services import accounts as accounts_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.services.status import vault_status
from mybnpl.vault import backup as backup_mod
from mybnpl.vault.db import Vault
from mybnpl.vault.errors import VaultExists, VaultNotFound
from mybnpl.vault.keys import DbKey, KdfParams, decode_recovery_key
from mybnpl.vault.keystore import KeyStore, OsKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager


class NoSecretSource(UserError):
    code = "no_secret_source"
    message = i18n.N_(
        "No usable system keyring and no terminal to ask for a passphrase. Set MYBNPL_PASSPHRASE for "
        "passphrase mode, or run `mybnpl` to use the desktop app."
    )


class PassphraseMismatch(UserError):
    code = "passphrase_mismatch"
    message = i18n.N_("The two passphrases differ. Nothing was changed.")


class DemoNeedsNewVault(UserError):
    code = "demo_needs_new_vault"
    message = i18n.N_("Demo data goes into a new vault; this one already has accounts. Choose another --vault.")


@dataclass
class Env:
    """Everything the command reads from outside, injectable for tests."""

    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    keystore: KeyStore | None = None
    kdf: KdfParams | None = None
    prompt: Callable[[str], str] | None = None  # getpass-like; None → use getpass when stdin is a TTY


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exit 2 with a one-line message
        self.print_usage(sys.stderr)
        sys.stderr.write(f"mybnpl: {message}\n")
        raise SystemExit(2)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("dates are written YYYY-MM-DD")) from None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mybnpl", description=_("Your private, encrypted case file for Buy-Now-Pay-Later accounts."))
    p.add_argument("--version", action="version", version=f"mybnpl {__version__}")
    p.add_argument("--vault", metavar="PATH", help=_("vault file (default: MYBNPL_VAULT or the data directory)"))
    p.add_argument("--lang", choices=["zh", "zh_CN", "en"], help=_("language of messages"))
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help=_("evaluate dates as of this day"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def cmd(name: str, help_text: str, json_flag: bool = False) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if json_flag:
            sp.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
        return sp

    cmd("init", _("create a new vault (keyring, or passphrase from MYBNPL_PASSPHRASE)"), True)
    cmd("status", _("show the vault's key mode, versions and counts"), True)
    cmd("check", _("run the integrity checks on the vault"), True)
    cmd("providers", _("list the BNPL providers mybnpl knows"), True)
    acc = cmd("account", _("add or list accounts"))
    acc_sub = acc.add_subparsers(dest="account_command", metavar="ACTION", parser_class=_Parser, required=True)
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
    return p


class Cli:
    def __init__(self, args: argparse.Namespace, env: Env) -> None:
        self.args = args
        self.env = env
        self.path = resolve_vault_path(args.vault, env.environ)
        self.keystore = env.keystore if env.keystore is not None else OsKeyStore()
        self.manager = VaultManager(self.path, self.keystore, kdf=env.kdf)

    # -- output -----------------------------------------------------------------------------------
    def out(self, text: str) -> None:
        self.env.stdout.write(text + "\n")

    def emit(self, data: Any, *lines: str, recovery: str | None = None) -> None:
        """JSON with --json, else the human lines (and the recovery key, if one was just created)."""
        if getattr(self.args, "json", False):
            self.out(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return
        for line in lines:
            self.out(line)
        if recovery:
            self.show_recovery(recovery)

    # -- secrets ----------------------------------------------------------------------------------
    def _ask(self, prompt: str) -> str:
        if self.env.prompt is not None:
            return self.env.prompt(prompt)
        if not sys.stdin or not sys.stdin.isatty():
            raise NoSecretSource()
        import getpass

        return getpass.getpass(prompt)

    def _new_passphrase(self, var: str = "MYBNPL_PASSPHRASE") -> str:
        if self.env.environ.get(var):
            return self.env.environ[var]
        first = self._ask(_("New passphrase: "))
        if self._ask(_("Repeat the passphrase: ")) != first:
            raise PassphraseMismatch()
        return first

    def open(self) -> Vault:
        if not self.path.exists():
            raise VaultNotFound(name=self.path.name)
        recovery = self.env.environ.get("MYBNPL_RECOVERY_KEY")
        if recovery:
            return self.manager.open_with_recovery(recovery)
        mode = self.manager.key_mode()
        if mode is KeyMode.KEYRING:
            return self.manager.open_with_keyring()
        if mode is None:
            self.manager.key_info()  # raises KeyInfoMissing with its advice
        passphrase = self.env.environ.get("MYBNPL_PASSPHRASE") or self._ask(_("Passphrase: "))
        return self.manager.open_with_passphrase(passphrase)

    def create(self) -> tuple[Vault, str]:
        if self.path.exists():
            raise VaultExists(name=self.path.name)
        if self.env.environ.get("MYBNPL_PASSPHRASE"):
            return self.manager.create(KeyMode.PASSPHRASE, self.env.environ["MYBNPL_PASSPHRASE"])
        if self.keystore.status().usable:
            return self.manager.create(KeyMode.KEYRING)
        return self.manager.create(KeyMode.PASSPHRASE, self._new_passphrase())

    def show_recovery(self, recovery: str) -> None:
        self.env.stderr.write(
            _("Your recovery key — write it down and keep it safe. It is shown only now and opens the vault "
              "if the keyring or your passphrase is lost:") + "\n"
        )
        self.out(recovery)

    # -- commands ---------------------------------------------------------------------------------
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
            tr("Key mode: {mode}", mode=data["key_mode"]),
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

    def today(self) -> date:
        return self.args.today or date.today()


def _provider_json(p: Any, lang: str) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name(lang), "names": {"zh": p.names.get("zh"), "en": p.names.get("en")},
        "product_kind": str(p.product_kind), "operator": p.operator, "lending_entity": p.lending_entity,
        "jurisdictions": list(p.jurisdictions), "regulator_route": list(p.regulator_route),
        "currency": p.currency, "how_to_close": p.how_to_close.get(lang), "aliases": list(p.aliases),
    }


def _account_json(a: Any) -> dict[str, Any]:
    return {"id": a.id, "provider": a.provider_id, "label": a.label, "currency": a.currency,
            "created_at": a.created_at.isoformat()}


def _prescan_lang(argv: Sequence[str], environ: dict[str, str]) -> None:
    lang = None
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif a.startswith("--lang="):
            lang = a.split("=", 1)[1]
    i18n.set_language(lang or environ.get("MYBNPL_LANG") or None)


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    if env is None:  # a real process (tests pass their own Env and keep their process as it is)
        harden_process()
    env = env or Env()
    argv = list(sys.argv[1:] if argv is None else argv)
    _prescan_lang(argv, env.environ)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    if args.today is None and env.environ.get("MYBNPL_TODAY"):
        try:
            args.today = date.fromisoformat(env.environ["MYBNPL_TODAY"])
        except ValueError:
            env.stderr.write("mybnpl: " + _("MYBNPL_TODAY must be a date written YYYY-MM-DD") + "\n")
            return 2
    if args.command is None:
        from mybnpl.ui.app import run  # the only place the CLI touches the UI, and only lazily

        explicit = args.vault or env.environ.get("MYBNPL_VAULT") or None  # else the app's own setting decides
        return run(explicit, language=args.lang, today=args.today)
    cli = Cli(args, env)
    try:
        return int(getattr(cli, f"cmd_{args.command}")())
    except UsageError as e:
        env.stderr.write(f"mybnpl: {i18n.error_text(e)}\n")
        return 2
    except UserError as e:
        env.stderr.write(f"mybnpl: {i18n.error_text(e)}\n")
        return 1
    except KeyboardInterrupt:
        env.stderr.write("\n")
        return 130
    except Exception as e:  # a bug: report where, never the message (it may hold personal data)
        frames = "".join(traceback.format_tb(e.__traceback__))
        env.stderr.write(_("mybnpl: internal error — please report it with the lines below.") + "\n")
        env.stderr.write(f"{frames}{type(e).__name__}\n")
        return 3
