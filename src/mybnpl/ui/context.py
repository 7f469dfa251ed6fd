"""Everything the windows need, passed explicitly (no global application object)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from mybnpl.config import Config
from mybnpl.core.catalog import Catalog
from mybnpl.reminders.clock import local_now
from mybnpl.vault.manager import VaultManager


@dataclass
class UiContext:
    config: Config
    manager: VaultManager
    catalog: Catalog
    clock: Callable[[], float] = time.monotonic  # monotonic seconds, for the idle timer
    today: Callable[[], date] = date.today
    now: Callable[[], datetime] = local_now  # wall clock with the local zone's DST rules (reminders)
    home: Path = field(default_factory=Path.home)  # where "start at login" files go (tests: tmp_path)
    # Connect to the desktop (D-Bus screen-lock/sleep signals, system tray). Tests switch this off.
    platform_hooks: bool = True
