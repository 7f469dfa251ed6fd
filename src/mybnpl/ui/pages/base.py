"""What every page of the main window offers: vault in, retranslate, clear on lock."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from mybnpl.i18n import _
from mybnpl.ui.context import UiContext
from mybnpl.ui.widgets import EmptyState, heading, muted, set_text
from mybnpl.vault.db import Vault


class Page(QWidget):
    """A page has a key, a navigation title and icon, a header, and reacts to the vault coming and going."""

    key: str = ""
    icon_name: str = ""
    nav_title: str = ""  # msgid
    title: str = ""  # msgid of the page header
    subtitle: str = ""  # msgid

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vault: Vault | None = None
        self.setObjectName(f"page_{self.key}")
        self.title_label = heading(scale=1.6)
        self.title_label.setObjectName("pageTitle")
        self.subtitle_label = muted(QLabel())
        self.subtitle_label.setWordWrap(True)
        self.body = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addSpacing(6)
        layout.addLayout(self.body, 1)

    def set_vault(self, vault: Vault | None) -> None:
        self.vault = vault
        if vault is None or vault.closed:
            self.vault = None
            self.clear()
        else:
            self.reload()

    def reload(self) -> None:
        """Re-read everything shown from the vault."""

    def clear(self) -> None:
        """Forget everything shown (the vault was locked)."""

    def retranslate(self) -> None:
        set_text(self.title_label, _(self.title or self.nav_title))
        set_text(self.subtitle_label, _(self.subtitle) if self.subtitle else "")
        self.subtitle_label.setVisible(bool(self.subtitle))


class EmptyPage(Page):
    """A page of a later milestone: a friendly explanation of what will be there."""

    empty_title: str = ""
    empty_text: str = ""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.empty = EmptyState(self.icon_name, self.empty_title, self.empty_text)
        self.body.addWidget(self.empty)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.empty.retranslate()
