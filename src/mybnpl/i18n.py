"""Translations for every user-facing string (CLI and UI): GNU gettext catalogs.

Sources are English msgids in the code, wrapped in ``_()`` (translate now) or ``N_()`` (mark only, translate
later). Catalogs live in ``resources/translations/<lang>/LC_MESSAGES/mybnpl.po`` and their compiled ``.mo``;
``python tools/i18n.py`` re-extracts and recompiles them, and a test keeps them complete and in sync.

The active language is process-wide state, like an installed QTranslator: set it once at start-up and when
the user switches language.
"""

from __future__ import annotations

import errno
import gettext as _gettext
import locale
import os
from typing import Any

from mybnpl.core.errors import UserError
from mybnpl.resources import resource_path

DOMAIN = "mybnpl"
LANGUAGES = ("en", "zh_CN")

_current_lang = "en"
_translation: _gettext.NullTranslations = _gettext.NullTranslations()


def normalize(lang: str | None) -> str:
    """Map "zh", "zh-CN", "zh_CN.UTF-8", "zh_Hans" → "zh_CN"; anything else → "en"."""
    if not lang:
        return "en"
    low = lang.lower().replace("-", "_")
    return "zh_CN" if low.startswith("zh") else "en"


def system_language(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ) if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        if env.get(var):
            return normalize(env[var].split(":")[0])
    loc = locale.getlocale()[0]
    return normalize(loc)


def set_language(lang: str | None) -> str:
    """Activate ``lang`` ("en", "zh", "zh_CN", or None/"auto" for the system language). Returns the code."""
    global _current_lang, _translation
    code = system_language() if lang in (None, "", "auto") else normalize(lang)
    if code == "en":
        _translation = _gettext.NullTranslations()
    else:
        _translation = _gettext.translation(
            DOMAIN, localedir=str(resource_path("translations")), languages=[code], fallback=True
        )
    _current_lang = code
    return code


def current_language() -> str:
    return _current_lang


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def translate_to(message: str, lang: str) -> str:
    """``message`` in ``lang`` whatever the active language (a document in its own language: dossiers)."""
    code = normalize(lang)
    if code == "en":
        return message
    return _gettext.translation(DOMAIN, localedir=str(resource_path("translations")), languages=[code],
                                fallback=True).gettext(message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


def tr(message: str, **params: Any) -> str:
    """Translate then format with named parameters."""
    text = _(message)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return message.format(**params)


# Messages of mybnpl.core.errors (core imports nothing of ours, so they are marked for translation here).
CORE_MESSAGES = (
    N_("Something went wrong."), N_("Not found: {what}."), N_("Invalid input: {detail}"),
    # core/schedule.py
    N_("The cadence {text} must look like 2w, 1m or 30d."), N_("A plan needs at least one installment."),
    # core/money.py
    N_("The currency code {code} is not a 3-letter ISO code."), N_("The amount is not a finite number."),
    N_("{text} is not an amount."), N_("Amounts in {a} and {b} cannot be combined."),
    N_("The number of parts must be at least 1."),
    # core/richtext.py
    N_("The letter's formatting is not in mybnpl's format."), N_("The letter's formatting is too large."),
    # core/catalog.py
    N_("No provider with the id {id} is known."), N_("No channel with the id {id} is known."),
)


class Translatable(str):
    """A parameter value that is itself a msgid: translated when the message is shown (see ``os_reason``)."""


# What the operating system says about a file, in words a translation can carry (errno → msgid). Anything else is
# passed on as the system wrote it.
_OS_REASONS = {
    errno.ENOENT: N_("the file or folder does not exist"), errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"), errno.EISDIR: N_("it is a folder, not a file"),
    errno.ENOTDIR: N_("a part of the path is not a folder"), errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("the disk is read-only"), errno.EEXIST: N_("the file already exists"),
    errno.ENAMETOOLONG: N_("the name is too long"), errno.EIO: N_("the disk could not be read or written"),
}


def os_reason(e: OSError) -> str:
    """Why a file operation failed, for a message parameter (translated when shown)."""
    msgid = _OS_REASONS.get(e.errno or -1)
    return Translatable(msgid) if msgid else (e.strerror or type(e).__name__)


def error_text(err: UserError) -> str:
    """A UserError's message in the active language (a Translatable parameter is translated too)."""
    return tr(err.message, **{k: _(v) if isinstance(v, Translatable) else v for k, v in err.params.items()})
