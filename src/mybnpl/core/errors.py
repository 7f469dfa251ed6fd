"""Error types shared by every layer.

Two families, after qutebrowser's KnownError/BugError split:

* :class:`UserError` — the environment or the user's input is at fault (wrong passphrase, damaged file,
  missing keyring). It carries a stable ``code`` for ``--json`` output and an English message id that the
  CLI and the UI translate. It never carries a key, a passphrase or personal data.
* Anything else is a bug and is reported as such.
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """An error the user can act on. ``message`` is an English msgid with ``{name}`` placeholders."""

    code: str = "error"
    message: str = "Something went wrong."

    def __init__(self, message: str | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params: dict[str, Any] = params
        super().__init__(self.code)

    def __str__(self) -> str:  # English rendering, for logs and tests; UIs translate via i18n
        try:
            return self.message.format(**self.params)
        except (KeyError, IndexError):
            return self.message


class UsageError(UserError):
    code = "usage"


class NotFound(UserError):
    code = "not_found"
    message = "Not found: {what}."


class InvalidInput(UserError):
    code = "invalid_input"
    message = "Invalid input: {detail}"
