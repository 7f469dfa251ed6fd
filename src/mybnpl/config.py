"""Application settings, each declared once: key, type, default and the label the Settings page shows.

They are not secret and are needed before the vault is unlocked (language, vault location, idle timeout), so
they live in a small JSON file in the platform config directory, written atomically. Anything personal (the
user's name and address for letters) belongs in the encrypted vault instead.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mybnpl.atomic import write_atomic
from mybnpl.core.errors import InvalidInput
from mybnpl.i18n import N_


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    label: str  # msgid, translated where shown
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("language", str, "auto", N_("Language"), choices=("auto", "en", "zh_CN")),
    Setting("idle_lock_minutes", int, 5, N_("Lock after minutes of inactivity (0 = never)"), minimum=0,
            maximum=240),
    Setting("lock_on_screen_lock", bool, True, N_("Lock when the screen locks or the system sleeps")),
    Setting("minimize_to_tray", bool, True, N_("Keep running in the tray when the window is closed")),
    Setting("reminders_enabled", bool, True, N_("Remind me of due dates (3 days before, 1 day before, on the day)")),
    Setting("reminder_privacy", bool, False, N_("Reminders without amounts or provider names (for lock screens)")),
    Setting("start_in_tray", bool, False, N_("Start in the tray at login, so reminders come without opening mybnpl")),
    Setting("vault_path", str, "", N_("Vault file (empty = default location)")),
)
_BY_KEY = {s.key: s for s in SETTINGS}


def setting(key: str) -> Setting:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise InvalidInput(N_("Unknown setting {key}."), key=key) from None


def _coerce(s: Setting, value: Any) -> Any:
    if s.type is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        raise InvalidInput(N_("{key} must be true or false."), key=s.key)
    if s.type is int:
        try:
            iv = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(N_("{key} must be a whole number."), key=s.key) from None
        if (s.minimum is not None and iv < s.minimum) or (s.maximum is not None and iv > s.maximum):
            raise InvalidInput(N_("{key} must be between {minimum} and {maximum}."), key=s.key, minimum=s.minimum,
                               maximum=s.maximum)
        return iv
    sv = str(value)
    if s.choices and sv not in s.choices:
        raise InvalidInput(N_("{key} must be one of {choices}."), key=s.key, choices=", ".join(map(str, s.choices)))
    return sv


class Config:
    """Settings backed by a JSON file. Unknown or invalid stored values fall back to defaults."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        if path is not None and path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = {}
            if isinstance(raw, dict):
                for k, v in raw.items():
                    if k in _BY_KEY:
                        with contextlib.suppress(InvalidInput):
                            self._values[k] = _coerce(_BY_KEY[k], v)

    def get(self, key: str) -> Any:
        s = setting(key)
        return self._values.get(key, s.default)

    def set(self, key: str, value: Any) -> None:
        s = setting(key)
        self._values[key] = _coerce(s, value)
        self.save()

    def as_dict(self) -> dict[str, Any]:
        return {s.key: self.get(s.key) for s in SETTINGS}

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self._values, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        write_atomic(self.path, data)
