"""First run: create the vault (or a demo vault), choose how its key is protected, keep the recovery key."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QLabel,
    QMessageBox,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from mybnpl.core.errors import UserError
from mybnpl.i18n import N_, _, error_text, tr
from mybnpl.ui.context import UiContext
from mybnpl.ui.icons import app_icon
from mybnpl.ui.recovery import RecoveryKeyPanel
from mybnpl.ui.widgets import PassphraseFields, muted, set_text
from mybnpl.ui.worker import Op
from mybnpl.vault.db import Vault
from mybnpl.vault.manager import KeyMode

PAGE_WELCOME, PAGE_PROTECTION, PAGE_RECOVERY = range(3)


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.create_radio = QRadioButton()
        self.create_radio.setObjectName("createVault")
        self.demo_radio = QRadioButton()
        self.demo_radio.setObjectName("tryDemo")
        self.create_radio.setChecked(True)
        self.demo_hint = muted(QLabel())
        self.demo_hint.setWordWrap(True)
        group = QButtonGroup(self)
        group.addButton(self.create_radio)
        group.addButton(self.demo_radio)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(12)
        layout.addWidget(self.create_radio)
        layout.addWidget(self.demo_radio)
        layout.addWidget(self.demo_hint)
        layout.addStretch(1)

    def demo(self) -> bool:
        return self.demo_radio.isChecked()

    def retranslate(self) -> None:
        self.setTitle(_("Welcome to mybnpl"))
        self.setSubTitle(_("Your Buy-Now-Pay-Later accounts, in one private case file."))
        set_text(self.intro, _(
            "mybnpl keeps your BNPL statements, payments, findings and evidence in one encrypted file on this "
            "computer. Nothing is sent anywhere."))
        self.create_radio.setText(_("&Create my vault"))
        self.demo_radio.setText(_("&Try the demo (a vault with made-up sample data)"))
        set_text(self.demo_hint, _("You can delete the demo vault later and create your real one."))
        for r in (self.create_radio, self.demo_radio):
            r.setAccessibleName(r.text().replace("&", ""))


class ProtectionPage(QWizardPage):
    """Choose keyring or passphrase; pressing Create makes the vault in the background (commit page)."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.created: tuple[Vault, str] | None = None
        self._running = False
        self.setCommitPage(True)
        self.status = ctx.manager.keyring_status()
        self.keyring_radio = QRadioButton()
        self.keyring_radio.setObjectName("keyringMode")
        self.keyring_hint = muted(QLabel())
        self.keyring_hint.setWordWrap(True)
        self.keyring_hint.setObjectName("keyringHint")
        self.passphrase_radio = QRadioButton()
        self.passphrase_radio.setObjectName("passphraseMode")
        group = QButtonGroup(self)
        group.addButton(self.keyring_radio)
        group.addButton(self.passphrase_radio)
        self.fields = PassphraseFields()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.busy_label = muted(QLabel())
        self.busy_label.hide()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_radio)
        layout.addWidget(self.keyring_hint)
        layout.addSpacing(8)
        layout.addWidget(self.passphrase_radio)
        indent = QWidget()
        indent_layout = QVBoxLayout(indent)
        indent_layout.setContentsMargins(24, 0, 0, 0)
        indent_layout.addWidget(self.fields)
        layout.addWidget(indent)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy)
        if self.status.usable:
            self.keyring_radio.setChecked(True)
        else:
            self.keyring_radio.setEnabled(False)
            self.passphrase_radio.setChecked(True)
        self.keyring_radio.toggled.connect(self._mode_changed)
        self.fields.changed.connect(self.completeChanged)
        self._mode_changed()

    def mode(self) -> KeyMode:
        return KeyMode.KEYRING if self.keyring_radio.isChecked() else KeyMode.PASSPHRASE

    def _mode_changed(self) -> None:
        self.fields.setEnabled(self.mode() is KeyMode.PASSPHRASE)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self._running:
            return False
        return self.mode() is KeyMode.KEYRING or self.fields.acceptable()

    def validatePage(self) -> bool:
        if self.created is not None:
            return True
        if not self._running:
            self._start()
        return False

    def _start(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        demo = wizard.welcome.demo()
        mode = self.mode()
        passphrase = self.fields.passphrase() if mode is KeyMode.PASSPHRASE else None
        ctx = self._ctx

        def work() -> tuple[Vault, str]:
            vault, recovery = ctx.manager.create(mode, passphrase)
            if demo:
                try:
                    from mybnpl.services.demo import fill_demo

                    fill_demo(vault, ctx.catalog, size="small", today=ctx.today())
                except BaseException:
                    vault.close()
                    raise
            return vault, recovery

        self._running = True
        set_text(self.error, "")
        self.busy.show()
        self.busy_label.show()
        set_text(self.busy_label, _("Creating your vault…"))
        self.setEnabled(False)
        self.completeChanged.emit()
        Op(self, work).success(self._created).failure(self._failed).finally_(self._done).run()

    def _created(self, result: tuple[Vault, str]) -> None:
        self.created = result
        wizard = self.wizard()
        wizard.next()

    def _failed(self, err: UserError) -> None:
        set_text(self.error, error_text(err))

    def _done(self) -> None:
        self._running = False
        self.busy.hide()
        self.busy_label.hide()
        self.setEnabled(True)
        self.completeChanged.emit()

    def retranslate(self) -> None:
        self.setTitle(_("How should the vault key be protected?"))
        self.setSubTitle(_("The vault is encrypted. Choose where its key is kept."))
        self.keyring_radio.setText(_("In the system &keyring (opens without typing anything)"))
        self.passphrase_radio.setText(_("With a &passphrase I type each time"))
        for r in (self.keyring_radio, self.passphrase_radio):
            r.setAccessibleName(r.text().replace("&", ""))
        if self.status.usable:
            hint = _("Anyone who can log in to this computer as you can open the vault.")
        else:
            hint = tr(N_("The system keyring cannot be used: {reason}. mybnpl uses a passphrase instead, so "
                         "the key is never stored unprotected."), reason=_(self.status.reason))
        set_text(self.keyring_hint, hint)
        self.fields.retranslate()
        self.setButtonText(QWizard.WizardButton.CommitButton, _("C&reate vault"))


class RecoveryPage(QWizardPage):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.panel: RecoveryKeyPanel | None = None
        self._layout = QVBoxLayout(self)

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        created = wizard.protection.created
        assert created is not None
        vault, key = created
        if self.panel is None:
            self.panel = RecoveryKeyPanel(key, vault.path.name, self._ctx.today(), self)
            self.panel.confirmed_changed.connect(self.completeChanged)
            self._layout.addWidget(self.panel)

    def isComplete(self) -> bool:
        return self.panel is not None and self.panel.confirmed

    def retranslate(self) -> None:
        self.setTitle(_("Your recovery key"))
        self.setSubTitle(_("Keep it safe. mybnpl cannot show it again."))
        if self.panel is not None:
            self.panel.retranslate()


class FirstRunWizard(QWizard):
    """After ``exec()``/``accepted``, :attr:`vault` holds the new, open vault."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("firstRunWizard")
        self.setWindowIcon(app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.welcome = WelcomePage()
        self.protection = ProtectionPage(ctx)
        self.recovery = RecoveryPage(ctx)
        self.setPage(PAGE_WELCOME, self.welcome)
        self.setPage(PAGE_PROTECTION, self.protection)
        self.setPage(PAGE_RECOVERY, self.recovery)
        self.resize(700, 560)
        self.retranslate()

    @property
    def vault(self) -> Vault | None:
        created = self.protection.created
        return created[0] if created else None

    def retranslate(self) -> None:
        self.setWindowTitle(_("Set up mybnpl"))
        self.welcome.retranslate()
        self.protection.retranslate()
        self.recovery.retranslate()
        self.setButtonText(QWizard.WizardButton.FinishButton, _("&Open my vault"))

    def reject(self) -> None:
        if self.protection._running:  # the vault is being created: let it finish first
            return
        vault = self.vault
        if vault is not None:
            # The vault exists but the recovery key was not confirmed: it will never be shown again.
            answer = QMessageBox.question(
                self, _("Leave without the recovery key?"),
                _("Your vault was created, but you have not confirmed the recovery key. Without it, a forgotten "
                  "passphrase or a lost keyring means the vault cannot be opened. Leave anyway?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
            vault.close()
        super().reject()
