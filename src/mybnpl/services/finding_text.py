"""How findings are named and coloured (shared by the Dashboard, the Findings page, the CLI and dossiers)."""

from __future__ import annotations

from mybnpl.core.models import Severity
from mybnpl.i18n import N_, _, current_language, translate_to

SEVERITY_TEXT = {Severity.SERIOUS: N_("Serious"), Severity.WARNING: N_("Warning"), Severity.INFO: N_("Note")}
SEVERITY_COLOR = {Severity.SERIOUS: "#c62828", Severity.WARNING: "#b26a00", Severity.INFO: "#1565c0"}
KIND_TITLE = {
    "unconsented_enrollment": N_("Used without your recorded consent"),
    "reenabled_after_closure": N_("Used again after you closed it"),
    "default_switch": N_("Payment method switched to BNPL at checkout"),
    "bundled_fee": N_("Fee bundled into a plan"),
    "fee_charged": N_("Fee charged"),
    "cost_above_threshold": N_("Real cost above a legal line"),
    "stacked_dues": N_("Several providers due the same week"),
    "overdue_unpaid": N_("Due date passed, no repayment found"),
    "double_payment_risk": N_("Risk of paying twice"),
    "duplicate_charge": N_("Possible duplicate charge"),
    "unknown_provider_charge": N_("Charge from a product you have no account with"),
}
STATUS_TEXT = {"open": N_("Open"), "confirmed": N_("Confirmed"), "dismissed": N_("Dismissed")}
CONFIDENCE_TEXT = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}


def kind_title(kind: str, lang: str | None = None) -> str:
    """The finding kind's name in the active language, or in ``lang``."""
    if kind not in KIND_TITLE:
        return kind.replace("_", " ")
    return _(KIND_TITLE[kind]) if lang is None else translate_to(KIND_TITLE[kind], lang)


def pick_language(en: str, zh: str) -> str:
    return zh if current_language() == "zh_CN" and zh else en
