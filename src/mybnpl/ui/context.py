"""Everything the windows need, passed explicitly (no global application object)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from mybnpl.config import Config
from mybnpl.core.catalog import Catalog
from mybnpl.vault.manager import VaultManager


@dataclass
class UiContext:
    config: Config
    manager: VaultManager
    catalog: Catalog
    clock: Callable[[], float] = time.monotonic  # monotonic seconds, for the idle timer
    today: Callable[[], date] = date.today
    # Connect to the desktop (D-Bus screen-lock/sleep signals, system tray). Tests switch this off.
    platform_hooks: bool = True
