"""Case commands: the consent ledger and findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mybnpl.cli.base import Cli, Sub, pad, parse_date_arg
from mybnpl.core.errors import UsageError
from mybnpl.core.models import ConsentKind
from mybnpl.i18n import N_, _, current_language, tr
from mybnpl.services import accounts as accounts_svc
from mybnpl.services import cases as cases_svc
from mybnpl.services import consents as consents_svc
from mybnpl.services import findings as findings_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.finding_text import kind_title
from mybnpl.services.names import provider_name
from mybnpl.vault.db import Vault


def add_parsers(cmd: Sub) -> None:
    c = cmd("consent", _("record what you agreed to: enabled, never enabled, closed"), False)
    c_sub = c.add_subparsers(dest="consent_command", metavar="ACTION", required=True)
    add = c_sub.add_parser("add", help=_("you knowingly enabled a product on a date"))
    deny = c_sub.add_parser("deny", help=_("you never enabled this product"))
    close = c_sub.add_parser("close", help=_("you closed the product on a date"))
    for p in (add, deny, close):
        p.add_argument("--provider", metavar="ID", help=_("the product (not needed with --account)"))
        p.add_argument("--note", default="")
        p.add_argument("--account", type=int, metavar="ID", help=_("one of your accounts at this provider"))
        p.add_argument("--evidence", metavar="FILE", help=_("a screenshot or document that shows it"))
        p.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
    add.add_argument("--date", required=True, type=parse_date_arg, metavar="YYYY-MM-DD")
    add.add_argument("--channel", default="", help=_("where you enabled it, e.g. the checkout page of an app"))
    close.add_argument("--date", required=True, type=parse_date_arg, metavar="YYYY-MM-DD")
    close.add_argument("--channel", default="")
    lst = c_sub.add_parser("list", help=_("list consent records"))
    lst.add_argument("--provider", metavar="ID")
    lst.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
    rm = c_sub.add_parser("remove", help=_("delete a record made in error"))
    rm.add_argument("id", type=int)
    rm.add_argument("--json", action="store_true", help=_("print JSON on stdout"))

    f = cmd("findings", _("what mybnpl found: unconsented enrollments, hidden costs, risks"), True)
    f.add_argument("action", nargs="?", choices=["list", "confirm", "dismiss", "reopen", "complain"], default="list")
    f.add_argument("id", nargs="?", type=int)
    f.add_argument("--all", action="store_true", help=_("include dismissed findings"))
    f.add_argument("--reason", default="", help=_("why you dismiss a finding"))


KIND_LABELS = {"enabled": N_("enabled"), "never_enabled": N_("never enabled"), "closed": N_("closed")}
SEVERITY_LABELS = {"info": N_("info"), "warning": N_("warning"), "serious": N_("serious")}
STATUS_LABELS = {"open": N_("open"), "confirmed": N_("confirmed"), "dismissed": N_("dismissed")}


def finding_json(f: findings_svc.FindingRow) -> dict[str, Any]:
    zh = current_language().startswith("zh")
    return {"id": f.id, "kind": f.kind, "severity": f.severity, "provider": f.provider_id,
            "account_id": f.account_id, "first_seen": f.first_seen.isoformat(),
            "explanation": f.explanation_zh if zh else f.explanation_en,
            "explanation_en": f.explanation_en, "explanation_zh": f.explanation_zh, "confidence": f.confidence,
            "transaction_ids": list(f.transaction_ids), "evidence_ids": list(f.evidence_ids), "status": f.status,
            "dismiss_reason": f.dismiss_reason}


class CaseCommands(Cli):
    def _recompute(self, vault: Vault) -> None:
        findings_svc.recompute(vault, load_catalog(), self.today())

    def cmd_consent(self) -> int:
        a = self.args
        catalog = load_catalog()
        vault = self.open()
        try:
            if a.consent_command == "list":
                items = consents_svc.list_consents(vault, a.provider)
                self.emit([consents_svc.consent_json(c) for c in items],
                          *(f"{c.id:5} {c.provider_id:18} {pad(_(KIND_LABELS[c.kind.value]), 14)} "
                            f"{c.on_date.isoformat() if c.on_date else '-':10}  {c.channel}  {c.note}"
                            for c in items))
                return 0
            if a.consent_command == "remove":
                old = consents_svc.remove_consent(vault, a.id)
                self._recompute(vault)
                self.emit(consents_svc.consent_json(old), tr("Consent record {id} removed.", id=old.id))
                return 0
            kind = {"add": ConsentKind.ENABLED, "deny": ConsentKind.NEVER_ENABLED,
                    "close": ConsentKind.CLOSED}[a.consent_command]
            provider = a.provider
            if provider is None:
                if a.account is None:
                    raise UsageError(N_("name the product with --provider ID or the account with --account ID"))
                provider = accounts_svc.get_account(vault, a.account).provider_id
            rec = consents_svc.add_consent(
                vault, catalog, provider_id=provider, kind=kind, on_date=getattr(a, "date", None),
                today=self.today(), channel=getattr(a, "channel", ""), note=a.note, account_id=a.account,
                evidence_file=Path(a.evidence) if a.evidence else None)
            self._recompute(vault)
            name = provider_name(catalog, rec.provider_id)
            self.emit(consents_svc.consent_json(rec),
                      tr("Consent record {id} saved: {provider} {kind} {date}.", id=rec.id, provider=name,
                         kind=_(KIND_LABELS[rec.kind.value]), date=rec.on_date.isoformat())
                      if rec.on_date else
                      tr("Consent record {id} saved: {provider} {kind}.", id=rec.id, provider=name,
                         kind=_(KIND_LABELS[rec.kind.value])))
        finally:
            vault.close()
        return 0

    def cmd_findings(self) -> int:
        a = self.args
        if a.action != "list" and a.id is None:
            raise UsageError(N_("findings {action} needs the id of a finding"), action=a.action)
        if a.action == "list" and a.id is not None:
            raise UsageError(N_("to change a finding, write: findings confirm ID or findings dismiss ID"))
        vault = self.open()
        try:
            if a.action == "list":
                self._recompute(vault)
                items = findings_svc.list_findings(vault, include_all=a.all)
                data = [finding_json(f) for f in items]
                catalog = load_catalog()
                lines = [f"{d['id']:5} [{_(SEVERITY_LABELS[d['severity']])}] {d['first_seen']} "
                         f"{provider_name(catalog, d['provider']) or '-'} · {kind_title(d['kind'])} "
                         f"({_(STATUS_LABELS[d['status']])})\n      {d['explanation']}"
                         for d in data]
                self.emit(data, *(lines or [_("No findings. Import statements or record consent to check.")]))
                return 0
            if a.action == "complain":
                row = findings_svc.get_finding(vault, a.id)
                case_id = cases_svc.open_case_from_finding(vault, a.id, kind_title(row.kind), self.today())
                self.emit({"case_id": case_id, "finding_id": a.id},
                          tr("Case {case} opened for finding {id}.", case=case_id, id=a.id))
                return 0
            status = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "open"}[a.action]
            row = findings_svc.set_status(vault, a.id, status, reason=a.reason)
        finally:
            vault.close()
        self.emit(finding_json(row), tr("Finding {id} is now {status}.", id=row.id,
                                        status=_(STATUS_LABELS[row.status])))
        return 0
