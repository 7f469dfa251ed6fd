"""Process hardening at start-up (KeePassXC's Bootstrap): no core dumps that could hold the key in memory,
and on Linux no ptrace attach or /proc/<pid>/mem reads by other processes of the same user."""

from __future__ import annotations

import contextlib
import sys

PR_SET_DUMPABLE = 4


def harden_process() -> None:
    with contextlib.suppress(Exception):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
