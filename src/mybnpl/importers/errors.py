"""The documented import errors: each code with its English msgid (translated by mybnpl.i18n)."""

from __future__ import annotations

from typing import Any

from mybnpl.core.imports import ImportCode, ImportFailed
from mybnpl.i18n import N_

MESSAGES: dict[ImportCode, str] = {
    ImportCode.PASSWORD_REQUIRED: N_("{name} is protected by a password. Enter the password to import it."),
    ImportCode.WRONG_PASSWORD: N_("The password for {name} is wrong."),
    ImportCode.UNSUPPORTED_FORMAT: N_(
        "{name} is not a statement mybnpl can read ({detail}). Supported: Alipay, WeChat Pay, Meituan, JD, PayPal "
        "exports (CSV/XLSX), OFX/QFX, PDF statements, and any CSV/XLSX/XLS table through column mapping."
    ),
    ImportCode.NO_TEXT_LAYER: N_(
        "{name} has no text layer: it is a scanned image. mybnpl cannot read numbers from images; add it as "
        "evidence instead, or enter the plan by hand."
    ),
    ImportCode.CORRUPT: N_("{name} is damaged and cannot be read ({detail})."),
    ImportCode.EMPTY: N_("{name} is empty."),
    ImportCode.TOO_LARGE: N_("{name} is too large to import ({detail}; the limit is {limit})."),
    ImportCode.TIMEOUT: N_("Reading {name} took too long and was stopped after {seconds} seconds."),
    ImportCode.TOO_MUCH_MEMORY: N_(
        "Reading {name} needed more memory than allowed and was stopped (a possible decompression bomb)."
    ),
    ImportCode.TOTALS_MISMATCH: N_(
        "The rows in {name} add up to {parsed}, but the document prints {printed}. Nothing was imported."
    ),
    ImportCode.ENCODING: N_("{name} is not in a text encoding mybnpl recognises (tried UTF-8 and GB18030)."),
    ImportCode.NEEDS_MAPPING: N_(
        "mybnpl does not know the layout of {name}. Tell it which columns hold the date and the amount "
        "(columns: {columns})."
    ),
    ImportCode.BAD_MAPPING: N_("The column mapping does not fit {name}: {detail}"),
}


def fail(code: ImportCode, name: str, **params: Any) -> ImportFailed:
    return ImportFailed(code, MESSAGES[code], name=name, **params)
