"""Start in the tray at login: the platform's own autostart file, written atomically (the only file I/O here).

* Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/mybnpl.desktop`` (default ``~/.config``).
* macOS: a LaunchAgent, ``~/Library/LaunchAgents/org.mybnpl.tray.plist`` (RunAtLoad).
* Windows: a small ``mybnpl.cmd`` in the Startup folder
  (``%APPDATA%\\Microsoft\\Windows\\Start Menu\\Programs\\Startup``) that starts mybnpl and exits.

Every function takes the directories it touches, so tests point them at a temporary folder; the command is
``<the mybnpl executable> --tray`` unless one is given.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from mybnpl.atomic import write_atomic
from mybnpl.core.errors import InvalidInput
from mybnpl.i18n import N_, _

LABEL = "org.mybnpl.tray"
DESKTOP_NAME = "mybnpl.desktop"
PLIST_NAME = f"{LABEL}.plist"
CMD_NAME = "mybnpl.cmd"


def platform_key(name: str | None = None) -> str:
    """"linux" (any XDG desktop), "macos" or "windows"."""
    name = name or sys.platform
    return "windows" if name.startswith("win") else "macos" if name == "darwin" else "linux"


def default_command() -> list[str]:
    """How to start this mybnpl in the tray: the frozen executable, the installed script, or ``python -m``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--tray"]
    script = Path(sys.executable).with_name("mybnpl.exe" if os.name == "nt" else "mybnpl")
    if script.exists():
        return [str(script), "--tray"]
    found = shutil.which("mybnpl")
    return [found, "--tray"] if found else [sys.executable, "-m", "mybnpl", "--tray"]


def autostart_file(platform: str, *, home: Path, environ: Mapping[str, str]) -> Path:
    """Where the autostart file of ``platform`` goes for the user whose home is ``home``."""
    if platform == "windows":
        appdata = Path(environ["APPDATA"]) if environ.get("APPDATA") else home / "AppData" / "Roaming"
        return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / CMD_NAME
    if platform == "macos":
        return home / "Library" / "LaunchAgents" / PLIST_NAME
    config = environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and Path(config).is_absolute() else home / ".config"
    return base / "autostart" / DESKTOP_NAME


# -- file contents ---------------------------------------------------------------------------------------------
def _desktop_arg(arg: str) -> str:
    """One Exec argument, quoted by the Desktop Entry rules, then escaped as a string value."""
    if any(c in arg for c in "\n\r\t"):
        raise InvalidInput(N_("An autostart command cannot contain line breaks or tabs."))
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in " \"'\\><~|&;$*?#()`="):
        return arg
    quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return quoted.replace("\\", "\\\\")


def desktop_entry(command: Sequence[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=mybnpl",
        "Comment=" + _("Payment reminders from your BNPL case file").replace("\n", " "),
        "Exec=" + " ".join(_desktop_arg(a) for a in command),
        "Terminal=false",
        "NoDisplay=true",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])


def launch_agent(command: Sequence[str]) -> bytes:
    return plistlib.dumps({"Label": LABEL, "ProgramArguments": list(command), "RunAtLoad": True,
                           "ProcessType": "Interactive", "LimitLoadToSessionType": "Aqua"})


def _cmd_arg(arg: str) -> str:
    if '"' in arg or any(c in arg for c in "\r\n"):
        raise InvalidInput(N_("An autostart command cannot contain quotes or line breaks."))
    return '"' + arg.replace("%", "%%") + '"'


def startup_cmd(command: Sequence[str]) -> str:
    """``chcp 65001`` reads the (UTF-8) path right; ``start`` detaches mybnpl so the console closes at once."""
    return "\r\n".join(["@echo off", "chcp 65001 >nul", 'start "" ' + " ".join(_cmd_arg(a) for a in command),
                         ""])


# -- enable, disable ------------------------------------------------------------------------------------------
def enable(platform: str, *, home: Path, environ: Mapping[str, str], command: Sequence[str] | None = None
           ) -> Path:
    """Write the autostart file (replacing an older one). Returns its path."""
    command = list(command) if command is not None else default_command()
    if not command or not all(command):
        raise InvalidInput(N_("The autostart command is empty."))
    path = autostart_file(platform, home=home, environ=environ)
    if platform == "windows":
        data = startup_cmd(command).encode("utf-8")
    elif platform == "macos":
        data = launch_agent(command)
    else:
        data = desktop_entry(command).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, mode=0o600)
    return path


def disable(platform: str, *, home: Path, environ: Mapping[str, str]) -> bool:
    """Remove the autostart file. Returns whether there was one."""
    path = autostart_file(platform, home=home, environ=environ)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def is_enabled(platform: str, *, home: Path, environ: Mapping[str, str]) -> bool:
    return autostart_file(platform, home=home, environ=environ).is_file()
