"""Run every detector over one snapshot."""

from __future__ import annotations

from datetime import date

from mybnpl.detect.charges import detect_duplicates, detect_unknown_providers
from mybnpl.detect.costs import detect_costs, detect_fee_rows
from mybnpl.detect.enrollment import Ledger, detect_enrollment
from mybnpl.detect.model import Finding
from mybnpl.detect.repayments import Repayments
from mybnpl.detect.risk import detect_double_payment, detect_overdue, detect_stacked_dues
from mybnpl.detect.rules import Rules
from mybnpl.detect.snapshot import Snapshot
from mybnpl.detect.switch import detect_default_switch


def run_all(snapshot: Snapshot, rules: Rules, today: date) -> list[Finding]:
    """All findings, in date order, one per fingerprint (the first detector to claim one keeps it)."""
    ledger = Ledger(snapshot.consents)
    repayments = Repayments(snapshot, rules)
    found = [
        *detect_enrollment(snapshot, ledger),
        *detect_default_switch(snapshot, rules, ledger),
        *detect_costs(snapshot, rules),
        *detect_fee_rows(snapshot, rules),
        *detect_stacked_dues(snapshot, rules, today),
        *detect_overdue(snapshot, rules, today, repayments),
        *detect_double_payment(snapshot, rules, today, repayments),
        *detect_duplicates(snapshot, rules),
        *detect_unknown_providers(snapshot),
    ]
    unique: dict[str, Finding] = {}
    for f in found:
        unique.setdefault(f.fingerprint, f)
    return sorted(unique.values(), key=lambda f: (f.first_seen, f.fingerprint))
