"""Shared machinery of the `mybnpl` command: environment, argument parser class, secrets, output."""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO

from mybnpl import i18n
from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, tr
from mybnpl.paths import resolve_vault_path
from mybnpl.vault.db import Vault
from mybnpl.vault.errors import VaultExists, VaultNotFound
from mybnpl.vault.keys import KdfParams
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


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns: a Chinese character takes two, so columns line up."""
    cols = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
    return text + " " * max(0, width - cols)


def _date(text: str) -> date:
    """A date the app can reason about: YYYY-MM-DD, a real calendar day, between 1990 and 2199."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise argparse.ArgumentTypeError(_("dates are written YYYY-MM-DD"))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr(N_("{date} is not a day of the calendar"), date=text)) from None
    if not date(1990, 1, 1) <= day <= date(2199, 12, 31):
        raise argparse.ArgumentTypeError(_("dates must lie between 1990 and 2199"))
    return day



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
    def today(self) -> date:
        return self.args.today or date.today()

    def _can_ask(self) -> bool:
        return self.env.prompt is not None or bool(sys.stdin and sys.stdin.isatty())

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

Sub = Callable[[str, str, bool], argparse.ArgumentParser]


def parse_date_arg(text: str) -> date:
    return _date(text)
