"""Letter commands: draft, show and send letters; the cases they belong to; the user's own details."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mybnpl.atomic import write_atomic
from mybnpl.cli.base import Cli, Sub, pad, parse_date_arg
from mybnpl.core.errors import InvalidInput, UsageError
from mybnpl.i18n import N_, _, current_language, os_reason, tr
from mybnpl.letters.compose import KIND_NAMES, kind_name
from mybnpl.letters.legal import KINDS, LETTER_JURISDICTIONS
from mybnpl.letters.render import LABELS
from mybnpl.services import cases as cases_svc
from mybnpl.services import letters as letters_svc
from mybnpl.services import profile as profile_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.names import list_text

STATUS_LABELS = {"draft": N_("draft"), "sent": N_("sent"), "answered": N_("answered"), "closed": N_("closed")}


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=_("print JSON on stdout"))


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip().isidentifier():
        raise argparse.ArgumentTypeError(_("write FIELD=VALUE, e.g. order_number=12345"))
    return key.strip(), value


def add_parsers(cmd: Sub) -> None:
    lt = cmd("letter", _("draft, show and send complaint, hardship and dispute letters"), False)
    sub = lt.add_subparsers(dest="letter_command", metavar="ACTION", required=True)
    _json_flag(sub.add_parser("kinds", help=_("the kinds of letter mybnpl drafts")))
    d = sub.add_parser("draft", help=_("draft a letter from what the vault knows"))
    d.add_argument("--kind", required=True, choices=KINDS)
    d.add_argument("--account", required=True, type=int, metavar="ID")
    d.add_argument("--jurisdiction", required=True, type=str.upper, choices=LETTER_JURISDICTIONS)
    d.add_argument("--lang", dest="letter_lang", choices=["zh", "en"], help=_("language of the letter"))
    d.add_argument("--finding", type=int, metavar="ID", help=_("the finding the letter is about"))
    d.add_argument("--case", type=int, metavar="ID", help=_("add the letter to this case"))
    d.add_argument("--to", metavar="CHANNEL", help=_("regulator letters: a channel id instead of the first one"))
    d.add_argument("--set", action="append", type=_pair, default=[], metavar="FIELD=VALUE",
                   help=_("fill a fact the vault does not have, e.g. order_number=12345"))
    d.add_argument("--out", metavar="FILE", help=_("also write the letter to a .txt, .pdf or .docx file"))
    _json_flag(d)
    s = sub.add_parser("sent", help=_("mark a letter sent: its response clock starts"))
    s.add_argument("id", type=int)
    s.add_argument("--date", required=True, type=parse_date_arg, metavar="YYYY-MM-DD")
    s.add_argument("--channel", default="", help=_("how you sent it: post, e-mail, the app, a hotline"))
    s.add_argument("--ref", default="", help=_("tracking or complaint reference number"))
    _json_flag(s)
    sh = sub.add_parser("show", help=_("one letter with its text, evidence and deadline"))
    sh.add_argument("id", type=int)
    sh.add_argument("--out", metavar="FILE", help=_("also write the letter, with its formatting, to a .txt, .pdf or "
                                                     ".docx file"))
    _json_flag(sh)
    r = sub.add_parser("reply", help=_("keep the answer you received as evidence of a letter"))
    r.add_argument("id", type=int)
    r.add_argument("file", metavar="FILE")
    r.add_argument("--note", default="")
    _json_flag(r)

    ls = cmd("letters", _("your letters; with --due, the answers you are waiting for"), True)
    ls.add_argument("--due", action="store_true", help=_("only sent letters with a response deadline"))
    cmd("cases", _("your complaint cases with their letters and deadlines"), True)

    p = cmd("profile", _("your name and contact details for letters (kept in the vault)"), False)
    p_sub = p.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    ps = p_sub.add_parser("set", help=_("set your details; an empty value clears one"))
    for f in ("name", "address", "phone", "email", "id-number"):
        ps.add_argument(f"--{f}", dest=f.replace("-", "_"))
    _json_flag(ps)
    _json_flag(p_sub.add_parser("show", help=_("show your details")))


def _draft_lines(d: letters_svc.Draft) -> list[str]:
    lines = [d.text, "—" * 20, tr("Letter {id} saved as a draft in case {case}.", id=d.id, case=d.case_id)]
    if d.missing_fields:
        lang = "zh" if current_language().startswith("zh") else "en"
        names = [LABELS[f].get(lang) if f in LABELS else f for f in d.missing_fields]
        lines.append(tr("To fill in before sending: {fields}", fields=list_text(names)))
    return lines


class LetterCommands(Cli):
    def cmd_letter(self) -> int:
        a = self.args
        if a.letter_command == "kinds":
            zh = current_language().startswith("zh")
            data = [{"kind": k, "name": KIND_NAMES[k].get("zh" if zh else "en"), "name_en": KIND_NAMES[k].en,
                     "name_zh": KIND_NAMES[k].zh} for k in KINDS]
            self.emit(data, *(f"{d['kind']:15} {d['name']}" for d in data))
            return 0
        vault = self.open()
        try:
            if a.letter_command == "draft":
                return self._draft(vault)
            if a.letter_command == "sent":
                rec = letters_svc.mark_sent(vault, a.id, a.date, a.channel, a.ref, today=self.today())
                self.emit(rec.to_json(with_text=False),
                          tr("Letter {id} marked sent on {date}.", id=rec.id, date=a.date.isoformat()) +
                          (" " + tr("An answer is due by {date}.", date=rec.deadline_on.isoformat())
                           if rec.deadline_on else ""))
                return 0
            if a.letter_command == "reply":
                ref = letters_svc.attach_reply(vault, a.id, Path(a.file), today=self.today(), note=a.note)
                self.emit(ref.to_json(), tr("Reply kept as evidence {eid} of letter {id}.", eid=ref.id, id=a.id))
                return 0
            rec = letters_svc.get_letter(vault, a.id)
            if a.out:
                from mybnpl.letters.export import export_letter  # reportlab / python-docx load only when needed

                export_letter(rec.text, rec.title, [(e.id, e.name, e.sha256) for e in rec.evidence],
                              _out_path(a.out), rec.lang, rich=rec.rich)
            self.emit(rec.to_json(), rec.text, *(f"#{e.id} {e.name} sha256:{e.sha256}" for e in rec.evidence))
            return 0
        finally:
            vault.close()

    def _draft(self, vault: Any) -> int:
        a = self.args
        lang = a.letter_lang or ("zh" if current_language().startswith("zh") else "en")
        out = _out_path(a.out) if a.out else None
        d = letters_svc.draft_letter(vault, load_catalog(), letters_svc.load_legal(), a.kind, a.account,
                                     a.jurisdiction, lang, self.today(), a.finding, a.case, channel=a.to,
                                     extra=dict(a.set))
        if out is not None:
            _write(out, d)
        self.emit(d.to_json(), *_draft_lines(d))
        return 0

    def cmd_letters(self) -> int:
        vault = self.open()
        try:
            if self.args.due:
                due = letters_svc.letters_due(vault, self.today())
                self.emit([x.to_json() for x in due], *([
                    f"{x.letter_id:5} {x.deadline_on.isoformat()} {pad(_(DEADLINE_STATES.get(x.state, x.state)), 9)} "
                    f"{x.recipient}" + (f"  → {kind_name(x.escalate_to, current_language())}" if x.escalate_to
                                        else "") for x in due]
                    or [_("No letter is waiting for an answer.")]))
                return 0
            items = letters_svc.list_letters(vault)
        finally:
            vault.close()
        self.emit([r.to_json(with_text=False) for r in items], *([
            f"{r.id:5} {pad(_(STATUS_LABELS[r.status]), 8)} {r.kind:15} {r.jurisdiction} {r.title}" for r in items]
            or [_("No letters yet.")]))
        return 0

    def cmd_cases(self) -> int:
        vault = self.open()
        try:
            items = cases_svc.list_cases(vault, self.today())
        finally:
            vault.close()
        lines = []
        for c in items:
            status = _(CASE_STATES.get(str(c["status"]), str(c["status"])))
            lines.append(f"{c['id']:5} {pad(status, 9)} {c['opened_on']} {c['title']}")
            lines.extend(f"        {lt['id']:5} {pad(kind_name(str(lt['kind']), current_language()), 15)} "
                         f"{pad(_(STATUS_LABELS.get(str(lt['status']), str(lt['status']))), 9)} "
                         f"{lt['deadline_on'] or ''}"
                         for lt in c["letters"])
        self.emit(items, *(lines or [_("No cases yet.")]))
        return 0

    def cmd_profile(self) -> int:
        a = self.args
        vault = self.open()
        try:
            if a.profile_command == "set":
                data = profile_svc.set_profile(vault, name=a.name, address=a.address, phone=a.phone, email=a.email,
                                               id_number=a.id_number)
            else:
                data = profile_svc.get_profile(vault)
        finally:
            vault.close()
        shown = {**data, "id_number": _mask(data["id_number"])}
        self.emit(shown, *(f"{k:10} {v}" for k, v in shown.items()))
        return 0


def _out_path(name: str) -> Path:
    out = Path(name)
    if out.suffix.lower() not in (".txt", ".pdf", ".docx"):
        raise UsageError(N_("--out must name a .txt, .pdf or .docx file"))
    return out


def _mask(id_number: str) -> str:
    return "" if not id_number else "*" * max(0, len(id_number) - 4) + id_number[-4:]


def _write(out: Path, d: letters_svc.Draft) -> None:
    if out.suffix.lower() == ".txt":
        try:
            write_atomic(out, d.text.encode("utf-8"), mode=0o600)
        except OSError as e:
            raise InvalidInput(N_("{name} could not be written: {reason}"), name=out.name,
                               reason=os_reason(e)) from None
        return
    from mybnpl.letters.export import export_letter  # reportlab / python-docx load only when needed

    export_letter(d.text, d.title, [(e.id, e.name, e.sha256) for e in d.evidence], out, d.lang)


CASE_STATES = {"open": N_("open"), "waiting": N_("waiting for an answer"), "escalated": N_("escalated"),
               "closed": N_("closed")}
DEADLINE_STATES = {"running": N_("running"), "due_today": N_("due today"), "overdue": N_("overdue"),
                   "expired": N_("expired")}
