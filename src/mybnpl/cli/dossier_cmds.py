"""Dossier commands: export a case or an account as one signed PDF, verify a dossier PDF."""

from __future__ import annotations

from pathlib import Path

from mybnpl.cli.base import Cli, Sub
from mybnpl.core.errors import UsageError
from mybnpl.i18n import N_, _, ngettext, tr
from mybnpl.letters.legal import LETTER_JURISDICTIONS
from mybnpl.services import dossier as dossier_svc
from mybnpl.services.catalog import load_catalog

PROBLEM_LABELS = {"encrypted": N_("encrypted (password protected)"), "damaged": N_("damaged or not a valid PDF"),
                  "empty": N_("no pages"), "image": N_("not an image that can be shown"),
                  "too_large": N_("image too large to show"), "page": N_("some pages could not be merged")}


def add_parsers(cmd: Sub) -> None:
    d = cmd("dossier", _("one signed PDF with the whole case, for a regulator, an ombudsman or a lawyer"), False)
    sub = d.add_subparsers(dest="dossier_command", metavar="ACTION", required=True)
    ex = sub.add_parser("export", help=_("export a case or an account as a dossier PDF"))
    which = ex.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", type=int, metavar="ID", help=_("the case to export"))
    which.add_argument("--account", type=int, metavar="ID", help=_("export everything about this account"))
    ex.add_argument("--lang", dest="dossier_lang", choices=["zh", "en"], help=_("language of the dossier"))
    ex.add_argument("--jurisdiction", type=str.upper, choices=LETTER_JURISDICTIONS,
                    help=_("where you complain (default: from the case's letters or the provider)"))
    ex.add_argument("--request", default="", help=_("what you ask for, printed under Requests"))
    ex.add_argument("--out", required=True, metavar="FILE.pdf", help=_("the PDF file to write"))
    ex.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
    ve = sub.add_parser("verify", help=_("check a dossier PDF: every attached original and the signature"))
    ve.add_argument("file", metavar="FILE.pdf")
    ve.add_argument("--key", metavar="FINGERPRINT", help=_("also require this signing-key fingerprint"))
    ve.add_argument("--json", action="store_true", help=_("print JSON on stdout"))


class DossierCommands(Cli):
    def cmd_dossier(self) -> int:
        a = self.args
        if a.dossier_command == "verify":
            return self._verify(Path(a.file), a.key)
        out = Path(a.out)
        if out.suffix.lower() != ".pdf":
            raise UsageError(N_("the dossier is a PDF: --out must end in .pdf"))
        lang = a.dossier_lang or ("zh" if self.args.lang and self.args.lang.startswith("zh") else "en")
        vault = self.open()
        try:
            res = dossier_svc.export_dossier(vault, load_catalog(), out, case_id=a.case, account_id=a.account,
                                             lang=lang, jurisdiction=a.jurisdiction, today=self.today(),
                                             requests=a.request)
        finally:
            vault.close()
        lines = [tr("Dossier written to {path}: {pages}, {items}.", path=str(res.path),
                    pages=ngettext("{n} page", "{n} pages", res.pages).format(n=res.pages),
                    items=ngettext("{n} evidence item", "{n} evidence items", res.evidence_count).format(
                        n=res.evidence_count)),
                 "SHA-256: " + res.sha256, tr("Signing key fingerprint: {fpr}", fpr=res.fingerprint)]
        lines += [tr("Evidence #{id}: {problem}; the original is attached.", id=i, problem=_(PROBLEM_LABELS.get(p, p)))
                  for i, p in res.problems]
        self.emit(res.to_json(), *lines)
        return 0

    def _verify(self, path: Path, key: str | None) -> int:
        report = dossier_svc.verify_file(path, key)
        if getattr(self.args, "json", False):
            self.emit(report.to_json() | {"file": str(path)})
        elif report.ok:
            self.out(tr("verified: {name} — {count} originals intact, manifest signature valid.", name=path.name,
                        count=report.checked))
            self.out(tr("Signing key fingerprint: {fpr}", fpr=report.fingerprint))
            self.out(tr("File SHA-256: {sha}", sha=report.file_sha256))
            self.out(_(dossier_svc.SIGNED_SCOPE))
        else:
            for p in report.problems:
                self.env.stderr.write(f"mybnpl: {tr(p.message, **p.params)}\n")
            self.env.stderr.write("mybnpl: " + tr("NOT verified: {count} problem(s) in {name}.",
                                                  count=len(report.problems), name=path.name) + "\n")
        return 0 if report.ok else 1
