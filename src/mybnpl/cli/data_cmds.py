"""Data commands: import, transactions, plan, plans, evidence."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mybnpl.cli.base import Cli, Sub, parse_date_arg
from mybnpl.core.errors import InvalidInput, UsageError
from mybnpl.core.imports import ColumnMapping, ImportCode, ImportFailed
from mybnpl.core.money import Money
from mybnpl.i18n import N_, _, tr
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.sandbox import parse_isolated
from mybnpl.services import evidence as evidence_svc
from mybnpl.services import findings as findings_svc
from mybnpl.services import imports as imports_svc
from mybnpl.services import plans as plans_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.names import format_name, provider_name
from mybnpl.services.transactions import TxFilter, count_transactions, page_transactions


def add_parsers(cmd: Sub) -> None:
    imp = cmd("import", _("import statements and exports (CSV, XLSX, XLS, OFX, PDF)"), True)
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help=_("parse and show what would be imported; store nothing"))
    imp.add_argument("--provider", metavar="ID", help=_("the provider these files belong to (overrides detection)"))
    imp.add_argument("--password-env", metavar="VAR", help=_("read a PDF password from this environment variable"))
    imp.add_argument("--map", metavar="FIELD=COLUMN,...",
                     help=_("column mapping for unknown layouts, e.g. date=Date,amount=Amount,merchant=Payee"))
    imp.add_argument("--currency", default="CNY", help=_("currency of amounts without one (default CNY)"))
    tx = cmd("transactions", _("list transactions"), True)
    tx.add_argument("--provider", metavar="ID", help=_("only this provider"))
    tx.add_argument("--bnpl-only", action="store_true", help=_("only rows paid with a BNPL product"))
    tx.add_argument("--limit", type=int, default=100_000, help=_("at most this many rows (newest first)"))
    plan = cmd("plan", _("add a BNPL plan by hand"), False)
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    add = plan_sub.add_parser("add", help=_("add a plan from an app screen or a receipt"))
    add.add_argument("--provider", required=True, metavar="ID")
    add.add_argument("--merchant", required=True)
    add.add_argument("--total", required=True, metavar="AMOUNT")
    add.add_argument("--installments", required=True, type=int, metavar="N")
    add.add_argument("--first-due", required=True, type=parse_date_arg, metavar="YYYY-MM-DD")
    add.add_argument("--every", required=True, metavar="2w|1m|30d")
    add.add_argument("--fee", default="0", metavar="AMOUNT")
    add.add_argument("--currency", default=None, help=_("default: the provider's currency"))
    add.add_argument("--attach", nargs="*", default=[], metavar="FILE", help=_("screenshots to keep as evidence"))
    add.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
    cmd("plans", _("list plans with their installments"), True)
    ev = cmd("evidence", _("add, list or export evidence files"), False)
    ev_sub = ev.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    e_add = ev_sub.add_parser("add", help=_("keep a file (screenshot, PDF, chat export, SMS) as evidence"))
    e_add.add_argument("file", metavar="FILE")
    e_add.add_argument("--note", default="")
    e_add.add_argument("--account", type=int, metavar="ID")
    e_add.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
    e_list = ev_sub.add_parser("list", help=_("list evidence"))
    e_list.add_argument("--json", action="store_true", help=_("print JSON on stdout"))
    e_exp = ev_sub.add_parser("export", help=_("write an evidence item back to a file, byte for byte"))
    e_exp.add_argument("id", type=int)
    e_exp.add_argument("out", metavar="OUT")
    e_exp.add_argument("--json", action="store_true", help=_("print JSON on stdout"))


def parse_mapping(text: str | None, currency: str) -> ColumnMapping | None:
    if not text:
        return None
    fields: dict[str, Any] = {"currency": currency}
    allowed = set(ColumnMapping.__dataclass_fields__) - {"extra"}
    for part in text.split(","):
        if "=" not in part:
            raise UsageError(N_("--map takes FIELD=COLUMN pairs separated by commas"))
        key, value = (x.strip() for x in part.split("=", 1))
        if key not in allowed:
            raise UsageError(N_("unknown mapping field {field}; use {fields}"), field=key,
                             fields=", ".join(sorted(allowed)))
        fields[key] = value.lower() in ("1", "true", "yes") if key == "negative_is_out" else value
    if "date" not in fields:
        raise UsageError(N_("--map needs at least date=COLUMN and amount=COLUMN (or debit= and credit=)"))
    return ColumnMapping(**fields)


class DataCommands(Cli):
    args: argparse.Namespace

    def _translate(self, message: str, params: dict[str, Any]) -> str:
        return tr(message, **params)

    def cmd_import(self) -> int:
        a = self.args
        password = None
        if a.password_env:
            password = self.env.environ.get(a.password_env)
            if password is None:
                raise InvalidInput(N_("The environment variable {name} is not set."), name=a.password_env)
        opts = ParseOptions(provider_hint=a.provider, password=password, mapping=parse_mapping(a.map, a.currency),
                            currency=a.currency)
        catalog = load_catalog()
        vault = self.open()
        results: list[dict[str, Any]] = []
        failed = False
        try:
            for f in a.files:
                path = Path(f)
                outcome = self._import_one(vault, catalog, path, opts)
                failed |= outcome.status == "error"
                d = outcome.to_json(self._translate)
                if a.dry_run:
                    d["dry_run"] = True
                    if outcome.preview is not None:
                        d["rows"] = [{**r.tx.to_json(), "duplicate": r.duplicate or None}
                                     for r in outcome.preview.rows[:200]]
                results.append(d)
            if not a.dry_run and any(d["status"] == "imported" for d in results):
                findings_svc.recompute(vault, catalog, self.today())
        finally:
            vault.close()
        lines = []
        for d in results:
            if d["status"] == "error":
                lines.append(f"{d['path']}: {d['error']['message']}")
                if d["error"]["code"] == ImportCode.NEEDS_MAPPING.value:
                    lines.append("  " + tr("Name the columns with --map, for example: --map "
                                           "date=COLUMN,amount=COLUMN,merchant=COLUMN"))
                elif d["error"]["code"] == ImportCode.PASSWORD_REQUIRED.value:
                    lines.append("  " + tr("Run it in a terminal to be asked, or pass --password-env VARIABLE."))
            else:
                params = {"path": d["path"], "fmt": format_name(d["format"] or ""), "n": d["transactions"],
                          "provider": provider_name(catalog, d["provider"]) or tr("no provider recognised"),
                          "dup": d["duplicates"], "bnpl": d["bnpl_transactions"]}
                if d["status"] == "duplicate":
                    lines.append(tr("{path}: already in the vault — nothing new ({dup} rows skipped as duplicates).",
                                    **params))
                else:
                    lines.append(tr("{path}: {fmt}, {provider} — {n} new rows, {dup} duplicates skipped, "
                                    "{bnpl} BNPL rows.", **params))
                lines.extend(f"  ! {w}" for w in d["warnings"])
        self.emit(results, *lines)
        return 1 if failed else 0

    def _import_one(self, vault: Any, catalog: Any, path: Path, opts: ParseOptions) -> imports_svc.ImportOutcome:
        try:
            data = imports_svc.read_file(path)
            prior = imports_svc.find_prior_import(vault, data)
            if prior is not None:  # this exact file was imported before: nothing to parse, nothing to add
                return imports_svc.prior_outcome(str(path), prior)
            try:
                parsed = parse_isolated(data, path.name, opts)
            except ImportFailed as e:
                if e.code != ImportCode.PASSWORD_REQUIRED.value or not self._can_ask():
                    raise
                pw = self._ask(tr("Password for {name}: ", name=path.name))
                parsed = parse_isolated(data, path.name, ParseOptions(opts.provider_hint, pw, opts.mapping,
                                                                      opts.currency))
            preview = imports_svc.build_preview(vault, catalog, path.name, data, parsed, opts.provider_hint)
        except ImportFailed as e:
            return imports_svc.ImportOutcome(str(path), "error", error=e)
        warnings = [tr(w, **(preview.parsed.warning_params[i] if i < len(preview.parsed.warning_params) else {}))
                    for i, w in enumerate(preview.parsed.warnings)]
        if self.args.dry_run:
            status = "duplicate" if preview.already_imported or not preview.new_rows else "imported"
            return imports_svc.ImportOutcome(str(path), status, preview.provider_id, parsed.format,
                                             transactions=len(preview.new_rows), duplicates=preview.duplicates,
                                             bnpl_transactions=preview.bnpl_new, warnings=warnings, preview=preview)
        outcome = imports_svc.commit(vault, catalog, preview)
        outcome.path = str(path)
        outcome.warnings = warnings
        return outcome

    def cmd_transactions(self) -> int:
        vault = self.open()
        try:
            flt = TxFilter(provider_id=self.args.provider, bnpl_only=self.args.bnpl_only)
            total = count_transactions(vault, flt)
            rows = page_transactions(vault, 0, max(0, self.args.limit), flt)
        finally:
            vault.close()
        self.emit([r.to_json() for r in rows],
                  *(f"{r.posted_on}  {r.amount.format():>14}  {r.bnpl_product or '-':16} {r.merchant}" for r in rows),
                  tr("{n} of {total} transactions", n=len(rows), total=total))
        return 0

    def cmd_plan(self) -> int:
        a = self.args
        catalog = load_catalog()
        currency = a.currency or catalog.get(a.provider).currency
        total, fee = Money.parse(a.total, currency), Money.parse(a.fee, currency)
        vault = self.open()
        try:
            plan = plans_svc.add_plan(vault, catalog, provider_id=a.provider, merchant=a.merchant, total=total,
                                      installments=a.installments, first_due=a.first_due, cadence=a.every, fee=fee)
            for f in a.attach:
                evidence_svc.add_evidence_file(vault, Path(f), note=tr("screenshot for plan {id}", id=plan.id),
                                               account_id=plan.account_id, link=("plan", plan.id))
            data = plans_svc.plan_json(vault, plan)
            findings_svc.recompute(vault, catalog, self.today())
        finally:
            vault.close()
        self.emit(data, tr("Plan {id} added: {n} installments.", id=plan.id, n=plan.n_installments),
                  *(f"  {i['seq']:3}  {i['due_date']}  {i['amount']} {data['currency']}" for i in data["installments"]))
        return 0

    def cmd_plans(self) -> int:
        vault = self.open()
        try:
            data = [plans_svc.plan_json(vault, p) for p in plans_svc.list_plans(vault)]
        finally:
            vault.close()
        self.emit(data, *(f"{p['id']:5} {p['provider'] or '-':16} {p['merchant']}  {p['total']} {p['currency']} / "
                          f"{len(p['installments'])}" for p in data))
        return 0

    def cmd_evidence(self) -> int:
        a = self.args
        vault = self.open()
        try:
            if a.evidence_command == "add":
                item = evidence_svc.add_evidence_file(vault, Path(a.file), note=a.note, account_id=a.account)
                self.emit(evidence_svc.evidence_json(item), tr("Evidence {id} added, SHA-256 {sha}", id=item.id,
                                                              sha=item.sha256))
            elif a.evidence_command == "list":
                items = evidence_svc.list_evidence(vault)
                self.emit([evidence_svc.evidence_json(e) for e in items],
                          *(f"{e.id:5} {e.sha256[:16]}…  {e.size:>9}  {e.media_type:24} {e.filename}  {e.note}"
                            for e in items))
            else:
                item = evidence_svc.export_evidence(vault, a.id, Path(a.out))
                self.emit({**evidence_svc.evidence_json(item), "out": a.out},
                          tr("Evidence {id} written to {out} (SHA-256 verified).", id=item.id, out=a.out))
        finally:
            vault.close()
        return 0
