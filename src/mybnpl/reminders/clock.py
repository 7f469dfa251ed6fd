"""The local time zone as a real zone (with its DST rules), for "now" in the tray and the CLI.

``datetime.now().astimezone()`` carries only today's UTC offset, which is wrong for a reminder on the other
side of a DST change; this looks up the IANA zone instead (``TZ``, then ``/etc/localtime``), falling back to
that fixed offset where no zone can be found (Windows without the ``tzdata`` package). Reads the environment
and one symlink; everything else in this package takes the clock as an argument.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mybnpl.reminders.plan import DEFAULT_TIME


def _zone(key: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def local_zone(environ: Mapping[str, str] | None = None, localtime: Path = Path("/etc/localtime")) -> tzinfo:
    env = os.environ if environ is None else environ
    key = env.get("TZ", "").lstrip(":")
    if key and (zone := _zone(key)) is not None:
        return zone
    try:
        target = str(localtime.resolve()) if localtime.is_symlink() else ""
    except OSError:
        target = ""
    if "zoneinfo/" in target and (zone := _zone(target.split("zoneinfo/", 1)[1])) is not None:
        return zone
    fallback = datetime.now().astimezone().tzinfo
    assert fallback is not None
    return fallback


def local_now(zone: tzinfo | None = None) -> datetime:
    """Now, aware, in the local zone."""
    return datetime.now(zone or local_zone())


def at_day(day: date, zone: tzinfo | None = None, at: time = DEFAULT_TIME) -> datetime:
    """``at`` o'clock on ``day`` in the local zone: "now" for a fixed ``--today``."""
    return datetime.combine(day, at).replace(tzinfo=zone or local_zone())
