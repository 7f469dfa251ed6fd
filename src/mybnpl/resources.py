"""Locate files under ``resources/`` both in a source checkout and in an installed wheel or bundle."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_root() -> Path:
    here = Path(__file__).resolve().parent
    candidates = [
        here / "resources",  # wheel: force-included as mybnpl/resources
        here.parents[1] / "resources",  # source checkout / editable install: <repo>/resources
    ]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.insert(0, Path(frozen) / "resources")
    for c in candidates:
        if (c / "providers.json").is_file() or (c / "translations").is_dir():
            return c
    raise FileNotFoundError("mybnpl resources directory not found")


def resource_path(*parts: str) -> Path:
    return resources_root().joinpath(*parts)
