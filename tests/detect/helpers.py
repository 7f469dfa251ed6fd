"""Hand-built snapshots for the detector tests, with the catalog's real provider names."""

from __future__ import annotations

from typing import Any

from mybnpl.detect.model import ProviderInfo
from mybnpl.detect.snapshot import Snapshot
from mybnpl.services.catalog import load_catalog


def providers() -> dict[str, ProviderInfo]:
    return {p.id: ProviderInfo(p.id, p.names.zh, p.names.en, p.aliases) for p in load_catalog().all()}


def snapshot(**parts: Any) -> Snapshot:
    return Snapshot(providers=providers(), **parts)
