"""How import formats and providers are named to the user (shared by the pages and the CLI)."""

from __future__ import annotations

from mybnpl.core.catalog import Catalog
from mybnpl.core.errors import NotFound
from mybnpl.i18n import N_, _, current_language

FORMAT_NAMES: dict[str, str] = {
    "alipay_csv": N_("Alipay export (CSV)"),
    "wechat_csv": N_("WeChat Pay export (CSV)"),
    "wechat_xlsx": N_("WeChat Pay export (XLSX)"),
    "meituan_csv": N_("Meituan export (CSV)"),
    "jd_csv": N_("JD export (CSV)"),
    "paypal_csv": N_("PayPal activity export (CSV)"),
    "ofx": N_("OFX/QFX bank file"),
    "pdf_statement": N_("PDF statement"),
    "generic_csv": N_("Table (CSV) read with a column mapping"),
    "generic_xlsx": N_("Spreadsheet (XLSX) read with a column mapping"),
    "generic_xls": N_("Spreadsheet (XLS) read with a column mapping"),
    "generic_ods": N_("Spreadsheet (ODS) read with a column mapping"),
}


def format_name(fmt: str) -> str:
    """The file format's name in the active language (the id itself for a format without one)."""
    return _(FORMAT_NAMES[fmt]) if fmt in FORMAT_NAMES else fmt


def provider_name(catalog: Catalog, provider_id: str | None) -> str:
    """The provider's name in the active language; "" when the file names none, the id when the catalog lacks it."""
    if not provider_id:
        return ""
    try:
        provider = catalog.get(provider_id)
    except NotFound:
        return provider_id
    return provider.name(current_language())


def list_text(items: list[str]) -> str:
    """Items as one list in the active language: "a、b、c" in Chinese, "a; b; c" in English."""
    return ("、" if current_language() == "zh_CN" else "; ").join(items)


def own_label(catalog: Catalog, provider_id: str, label: str) -> str:
    """An account's label, or "" when it only repeats the product's name (Provider.names_only)."""
    try:
        return "" if catalog.get(provider_id).names_only(label) else label
    except NotFound:  # an id the catalog no longer knows: its label is all there is
        return label


def account_name(catalog: Catalog, provider_id: str, label: str) -> str:
    """An account as a choice in a list: "美团月付", or "Klarna – Klarna DE" when its label says more than the
    product's name."""
    name, own = provider_name(catalog, provider_id), own_label(catalog, provider_id, label)
    return f"{name} – {own}" if own else name
