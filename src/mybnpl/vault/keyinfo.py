"""The key-information sidecar ``<vault>.keyinfo``: how the database key is protected. Holds no secret in
clear: in passphrase mode only the Argon2id-wrapped key; in keyring mode only the backend's name."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mybnpl.atomic import write_atomic
from mybnpl.vault.errors import KeyInfoMissing

FORMAT = "mybnpl-keyinfo/1"


def keyinfo_path(vault_path: Path) -> Path:
    return vault_path.with_name(vault_path.name + ".keyinfo")


@dataclass(frozen=True)
class Protection:
    key_mode: str  # "keyring" | "passphrase"
    key_check: str
    keyring_backend: str | None = None
    keyring_account: str | None = None
    passphrase_slot: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key_mode": self.key_mode,
            "key_check": self.key_check,
            "keyring_backend": self.keyring_backend,
            "keyring_account": self.keyring_account,
            "passphrase_slot": self.passphrase_slot,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Protection:
        mode = d["key_mode"]
        if mode not in ("keyring", "passphrase"):
            raise ValueError("bad key mode")
        return cls(mode, str(d["key_check"]), d.get("keyring_backend"), d.get("keyring_account"),
                   d.get("passphrase_slot"))


@dataclass(frozen=True)
class KeyInfo:
    vault_id: str
    created_at: str
    current: Protection
    pending: Protection | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "current": self.current.to_json(),
            "pending": self.pending.to_json() if self.pending else None,
        }
        return json.dumps(data, indent=2, sort_keys=True).encode("utf-8")

    def with_pending(self, pending: Protection | None) -> KeyInfo:
        return replace(self, pending=pending)

    def promoted(self) -> KeyInfo:
        assert self.pending is not None
        return replace(self, current=self.pending, pending=None)


def read_keyinfo(vault_path: Path) -> KeyInfo:
    path = keyinfo_path(vault_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("unknown format")
        pending = data.get("pending")
        return KeyInfo(str(data["vault_id"]), str(data["created_at"]), Protection.from_json(data["current"]),
                       Protection.from_json(pending) if pending else None)
    except (OSError, ValueError, KeyError, TypeError):
        raise KeyInfoMissing(name=path.name) from None


def write_keyinfo(vault_path: Path, info: KeyInfo) -> None:
    write_atomic(keyinfo_path(vault_path), info.to_bytes())
