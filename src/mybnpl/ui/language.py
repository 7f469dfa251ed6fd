"""Switching language: mybnpl's gettext catalog plus Qt's own strings (standard buttons, dialogs)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from mybnpl import i18n

# The installed Qt translator. Qt's translators are process-wide, like mybnpl.i18n's active catalog.
_qt_translator: QTranslator | None = None

# Each language is named in its own language, so a user can always find theirs.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh_CN": "中文（简体）"}


def apply_language(lang: str | None) -> str:
    """Activate ``lang`` ("en", "zh_CN", "auto"/None) for mybnpl and Qt. Returns the effective code."""
    global _qt_translator
    code = i18n.set_language(lang)
    app = QCoreApplication.instance()
    if app is None:
        return code
    if _qt_translator is not None:
        QCoreApplication.removeTranslator(_qt_translator)
        _qt_translator = None
    if code != "en":
        translator = QTranslator(app)
        directory = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{code}", directory):
            QCoreApplication.installTranslator(translator)
            _qt_translator = translator
    QLocale.setDefault(QLocale(code if code != "en" else "en_US"))
    return code
