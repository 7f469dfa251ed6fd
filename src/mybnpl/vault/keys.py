"""Key material: the raw database key, the recovery-key codec, Argon2id key wrapping.

* The database key is 32 random bytes, handed to SQLCipher as a raw key (no SQLCipher KDF).
* The recovery key is that key, Crockford-base32 encoded with a 2-byte SHA-256 check and grouped by 5.
* In passphrase mode the key is wrapped with AES-256-GCM under Argon2id(passphrase, salt).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mybnpl.vault.errors import MalformedRecoveryKey, WeakPassphrase, WrongPassphrase

KEY_BYTES = 32
MIN_PASSPHRASE = 8
_HEX_KEY = re.compile(r"[0-9a-f]{64}")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_CROCKFORD)}
_DECODE.update({"O": 0, "I": 1, "L": 1})


class DbKey:
    """The 32-byte database key. Kept in a bytearray that ``wipe()`` zeroes (best effort in Python)."""

    __slots__ = ("_b",)

    def __init__(self, raw: bytes | bytearray) -> None:
        if len(raw) != KEY_BYTES:
            raise ValueError("database key must be 32 bytes")
        self._b = bytearray(raw)

    @classmethod
    def generate(cls) -> DbKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_hex(cls, text: str) -> DbKey:
        if not _HEX_KEY.fullmatch(text):
            raise ValueError("database key must be 64 lowercase hex characters")
        return cls(bytes.fromhex(text))

    def raw(self) -> bytes:
        return bytes(self._b)

    def hex(self) -> str:
        return self._b.hex()

    def pragma(self) -> str:
        """The ``PRAGMA key``/``rekey`` argument. The hex is validated, so nothing can be injected."""
        h = self.hex()
        if not _HEX_KEY.fullmatch(h):  # pragma: no cover - invariant
            raise ValueError("invalid key")
        return f"\"x'{h}'\""

    def check_value(self) -> str:
        """A short tag that identifies the key without revealing it (tells wrong key from damage)."""
        return hmac.new(bytes(self._b), b"mybnpl key check v1", hashlib.sha256).hexdigest()[:16]

    def wipe(self) -> None:
        for i in range(len(self._b)):
            self._b[i] = 0

    def __repr__(self) -> str:  # never print key material
        return "DbKey(<redacted>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DbKey) and hmac.compare_digest(bytes(self._b), bytes(other._b))

    def __hash__(self) -> int:
        return hash(self.check_value())


# --- recovery key ---------------------------------------------------------------------------------


def _b32encode(data: bytes) -> str:
    bits = int.from_bytes(data, "big")
    nbits = len(data) * 8
    nchars = -(-nbits // 5)
    bits <<= nchars * 5 - nbits
    return "".join(_CROCKFORD[(bits >> (5 * (nchars - 1 - i))) & 31] for i in range(nchars))


def _b32decode(text: str, nbytes: int) -> bytes:
    nbits = nbytes * 8
    nchars = -(-nbits // 5)
    if len(text) != nchars:
        raise MalformedRecoveryKey()
    value = 0
    for ch in text:
        if ch not in _DECODE:
            raise MalformedRecoveryKey()
        value = (value << 5) | _DECODE[ch]
    pad = nchars * 5 - nbits
    if value & ((1 << pad) - 1):
        raise MalformedRecoveryKey()
    return (value >> pad).to_bytes(nbytes, "big")


def encode_recovery_key(key: DbKey) -> str:
    raw = key.raw()
    payload = raw + hashlib.sha256(b"mybnpl recovery" + raw).digest()[:2]
    text = _b32encode(payload)
    return "-".join(text[i : i + 5] for i in range(0, len(text), 5))


def decode_recovery_key(text: str) -> DbKey:
    """Accept any case, spaces or dashes, and the usual look-alikes (O→0, I/L→1)."""
    cleaned = re.sub(r"[\s\-]", "", text).upper()
    payload = _b32decode(cleaned, KEY_BYTES + 2)
    raw, check = payload[:KEY_BYTES], payload[KEY_BYTES:]
    if not hmac.compare_digest(hashlib.sha256(b"mybnpl recovery" + raw).digest()[:2], check):
        raise MalformedRecoveryKey()
    return DbKey(raw)


# --- passphrase wrapping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters. ``memory_kib`` 64 MiB and parallelism 2 as KeePassXC; time cost tuned."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2

    @classmethod
    def fast_for_tests(cls) -> KdfParams:
        return cls(time_cost=1, memory_kib=1024, parallelism=1)

    @classmethod
    def calibrate(cls, target_s: float = 0.5, memory_kib: int = 65536, parallelism: int = 2) -> KdfParams:
        """Pick the time cost that takes about ``target_s`` on this machine (at least 2 passes).

        Times 1 and 3 passes (best of two each) so the fixed cost — allocating the memory — is separated from
        the cost per pass."""

        def best(passes: int) -> float:
            params = cls(time_cost=passes, memory_kib=memory_kib, parallelism=parallelism)
            runs = []
            for _ in range(2):
                start = time.perf_counter()
                derive(b"calibration", secrets.token_bytes(16), params)
                runs.append(time.perf_counter() - start)
            return min(runs)

        one, three = best(1), best(3)
        per_pass = max((three - one) / 2, 1e-4)
        fixed = max(one - per_pass, 0.0)
        passes = round((target_s - fixed) / per_pass)
        return cls(time_cost=max(2, min(40, passes)), memory_kib=memory_kib, parallelism=parallelism)

    def to_json(self) -> dict[str, Any]:
        return {"kdf": "argon2id", **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        if data.get("kdf") != "argon2id":
            raise ValueError("unsupported kdf")
        return cls(int(data["time_cost"]), int(data["memory_kib"]), int(data["parallelism"]))


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise WeakPassphrase(minimum=MIN_PASSPHRASE)


def derive(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(secret, salt, time_cost=params.time_cost, memory_cost=params.memory_kib,
                           parallelism=params.parallelism, hash_len=32, type=Type.ID)


def wrap_key(key: DbKey, passphrase: str, params: KdfParams, aad: bytes) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = derive(passphrase.encode("utf-8"), salt, params)
    ct = AESGCM(kek).encrypt(nonce, key.raw(), aad)
    return {**params.to_json(), "salt": salt.hex(), "nonce": nonce.hex(), "wrapped": ct.hex()}


def unwrap_key(slot: dict[str, Any], passphrase: str, aad: bytes) -> DbKey:
    params = KdfParams.from_json(slot)
    kek = derive(passphrase.encode("utf-8"), bytes.fromhex(slot["salt"]), params)
    try:
        raw = AESGCM(kek).decrypt(bytes.fromhex(slot["nonce"]), bytes.fromhex(slot["wrapped"]), aad)
    except InvalidTag:
        raise WrongPassphrase() from None
    return DbKey(raw)
