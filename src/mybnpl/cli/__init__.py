"""The `mybnpl` command. No command launches the desktop app.

Conventions: ``--vault`` / ``MYBNPL_VAULT``, ``--lang``, ``--today`` / ``MYBNPL_TODAY``; read commands take
``--json``; exit 0 on success, 1 on a user or input error (one translated line on stderr), 2 on usage errors.
Secrets come from ``MYBNPL_PASSPHRASE`` (passphrase mode), the OS keyring, ``MYBNPL_RECOVERY_KEY``, or a
terminal prompt — never from the command line, where other users could read them.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from functools import cache
from typing import Any, NoReturn

from mybnpl import __version__, i18n
from mybnpl.cli.base import Env, _date, _Parser
from mybnpl.core.errors import UsageError, UserError
from mybnpl.hardening import harden_process
from mybnpl.i18n import _

__all__ = ["Env", "build_parser", "main"]


# The command modules import most of mybnpl (letters, dossiers, reportlab, pdfium, jinja…): loaded only when a
# command runs, so that launching the desktop app (no command) does not pay for them (start-up, issue 8).
@cache
def _commands_class() -> type[Any]:
    from mybnpl.cli import case_cmds, data_cmds, dossier_cmds, due_cmds, letter_cmds, vault_cmds

    class Commands(case_cmds.CaseCommands, data_cmds.DataCommands, dossier_cmds.DossierCommands,
                   due_cmds.DueCommands, letter_cmds.LetterCommands, vault_cmds.VaultCommands):
        """Every subcommand, as ``cmd_<name>`` methods."""

    return Commands


def _add_global_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", action="version", version=f"mybnpl {__version__}")
    p.add_argument("--vault", metavar="PATH", help=_("vault file (default: MYBNPL_VAULT or the data directory)"))
    p.add_argument("--lang", choices=["zh", "zh_CN", "en"], help=_("language of messages"))
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help=_("evaluate dates as of this day"))
    p.add_argument("--tray", action="store_true", help=_("start the desktop app in the system tray (at login)"))


class _NotGlobalOnly(Exception):
    """The arguments are more than global options (a command, -h, an error): the full parser takes over."""


class _GlobalOnlyParser(_Parser):
    def error(self, message: str) -> NoReturn:
        raise _NotGlobalOnly(message)


def _parse_global_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """The parsed options when ``argv`` holds global options only (the desktop app, or --version), without
    importing the command modules; None otherwise, and the full parser then parses (and reports) as always."""
    p = _GlobalOnlyParser(prog="mybnpl", add_help=False)
    _add_global_options(p)
    try:
        args = p.parse_args(argv)
    except _NotGlobalOnly:
        return None
    args.command = None
    return args


def build_parser() -> argparse.ArgumentParser:
    from mybnpl.cli import case_cmds, data_cmds, dossier_cmds, due_cmds, letter_cmds, vault_cmds

    p = _Parser(prog="mybnpl", description=_("Your private, encrypted case file for Buy-Now-Pay-Later accounts."))
    _add_global_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def cmd(name: str, help_text: str, json_flag: bool = False) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if json_flag:
            sp.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
        return sp

    vault_cmds.add_parsers(cmd)
    data_cmds.add_parsers(cmd)
    case_cmds.add_parsers(cmd)
    due_cmds.add_parsers(cmd)
    letter_cmds.add_parsers(cmd)
    dossier_cmds.add_parsers(cmd)
    return p


_VALUED = ("--vault", "--lang", "--today")  # global options followed by a value


def _prescan_lang(argv: Sequence[str], environ: dict[str, str]) -> None:
    """The message language, known before argparse prints anything. Only the global ``--lang`` (before the
    command) counts: ``letter draft --lang zh`` is the letter's language, not the messages'."""
    lang, i = None, 0
    while i < len(argv):
        a = argv[i]
        if a == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif a.startswith("--lang="):
            lang = a.split("=", 1)[1]
        elif not a.startswith("-"):
            break  # the command: what follows are its own options
        i += 2 if a in _VALUED else 1
    i18n.set_language(lang or environ.get("MYBNPL_LANG") or None)


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    if env is None:  # a real process (tests pass their own Env and keep their process as it is)
        harden_process()
        if sys.argv[1:] == ["--import-worker"]:  # the isolated parser of a frozen (PyInstaller) build
            from mybnpl.importers.worker import main as worker_main

            return worker_main()
        if sys.argv[1:] == ["--pdf-worker"]:  # the isolated PDF worker of dossiers, in a frozen build
            from mybnpl.dossier.worker import main as pdf_worker_main

            return pdf_worker_main()
    env = env or Env()
    argv = list(sys.argv[1:] if argv is None else argv)
    _prescan_lang(argv, env.environ)
    try:
        args = _parse_global_only(argv) or build_parser().parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    if args.today is None and env.environ.get("MYBNPL_TODAY"):
        try:
            args.today = _date(env.environ["MYBNPL_TODAY"])
        except argparse.ArgumentTypeError:
            env.stderr.write("mybnpl: " + _("MYBNPL_TODAY must be a date written YYYY-MM-DD") + "\n")
            return 2
    if args.command is None:
        from mybnpl.ui.app import run  # the only place the CLI touches the UI, and only lazily

        explicit = args.vault or env.environ.get("MYBNPL_VAULT") or None  # else the app's own setting decides
        return run(explicit, language=args.lang, today=args.today, tray=args.tray)
    cli = _commands_class()(args, env)
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
