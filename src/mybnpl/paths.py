"""Where things live: platform directories (platformdirs), overridable by flag or environment."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "mybnpl"
VAULT_FILENAME = "vault.mybnpl"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    return config_dir() / "settings.json"


def default_vault_path() -> Path:
    return data_dir() / VAULT_FILENAME


def resolve_vault_path(flag: str | None = None, env: dict[str, str] | None = None) -> Path:
    """``--vault`` wins, then ``MYBNPL_VAULT``, then the platform data directory."""
    env = dict(os.environ) if env is None else env
    if flag:
        return Path(flag).expanduser()
    if env.get("MYBNPL_VAULT"):
        return Path(env["MYBNPL_VAULT"]).expanduser()
    return default_vault_path()
