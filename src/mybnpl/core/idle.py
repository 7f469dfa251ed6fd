"""Idle auto-lock rule, with an injectable clock (the UI feeds it input events and polls it)."""

from __future__ import annotations

from collections.abc import Callable

DEFAULT_IDLE_SECONDS = 300


class IdleTimer:
    """Tracks the last user activity; ``expired()`` tells when the vault must lock.

    ``clock`` returns monotonic seconds. A timeout of 0 disables idle locking.
    """

    def __init__(self, timeout_s: float, clock: Callable[[], float]) -> None:
        if timeout_s < 0:
            raise ValueError("timeout must be >= 0")
        self._timeout = timeout_s
        self._clock = clock
        self._last = clock()

    @property
    def timeout_s(self) -> float:
        return self._timeout

    def set_timeout(self, timeout_s: float) -> None:
        if timeout_s < 0:
            raise ValueError("timeout must be >= 0")
        self._timeout = timeout_s

    def touch(self) -> None:
        self._last = self._clock()

    def remaining(self) -> float:
        if self._timeout == 0:
            return float("inf")
        return max(0.0, self._timeout - (self._clock() - self._last))

    def expired(self) -> bool:
        return self._timeout > 0 and self.remaining() <= 0
