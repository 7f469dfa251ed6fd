"""Run a helper on untrusted bytes in a separate, locked-down child process (statement parsing, PDF evidence).

The child gets its request on stdin and nothing else: no key, no vault path, an environment without MYBNPL_* or
PYTHON* variables (``python -I`` also ignores the user's site directory), limits on address space, CPU time and
file writes (it may write none), no core dumps, its own session (so its helpers die with it), and a wall-clock
time-out. Whatever it answers is untrusted too: the caller's ``read`` validates it while it is read.

Used by :mod:`mybnpl.importers.sandbox` and :mod:`mybnpl.dossier.isolated`; imports nothing else of ours.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any, TypeVar

R = TypeVar("R")


@dataclass(frozen=True)
class ProcessLimits:
    memory_bytes: int = 768 * 1024 * 1024  # address space: ~512 MiB for the work on top of the interpreter
    cpu_seconds: int = 120
    wall_seconds: float = 90.0


class ChildFailed(Exception):
    """The child did not end with status 0: ``expired`` when the wall clock ran out (it was killed)."""

    def __init__(self, returncode: int, expired: bool) -> None:
        super().__init__(f"child stopped ({returncode})")
        self.returncode, self.expired = returncode, expired

    @property
    def killed(self) -> bool:
        """Killed by RLIMIT_CPU (SIGXCPU, then SIGKILL) or by the OS (e.g. the OOM killer)."""
        return self.returncode in (-9, -24, 137)

    @property
    def out_of_memory(self) -> bool:
        """Aborted (a failed allocation in C code) or status 1 (a Python worker's MemoryError)."""
        return self.returncode in (-6, 1, 134)


class Stop(BaseException):
    """Raised by a ``read`` callback (or the chunks fed to the child) to kill the child at once, e.g. for a
    cancel: :func:`run` kills the process group and raises ``error``."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(repr(error))
        self.error = error


def python_command(module: str, frozen_flag: str) -> list[str]:
    """``python -I -m module``; in a PyInstaller bundle the app binary itself, with ``frozen_flag``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, frozen_flag]
    return [sys.executable, "-I", "-m", module]


# glibc's malloc in the worker: blocks below 32 MiB come from the heap, not one mmap each (and an munmap when
# freed), and freed heap memory is kept for reuse rather than handed back. A worker reading 10⁵ rows otherwise
# faults in ≈ 80,000 fresh pages instead of ≈ 48,000 (about 0.1 s of kernel time). It is a short-lived process;
# its address-space limit (RLIMIT_AS) still applies. Other C libraries ignore the variable.
MALLOC_TUNABLES = "glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=33554432"


def clean_env() -> dict[str, str]:
    keep = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    if sys.platform.startswith("linux"):
        env["GLIBC_TUNABLES"] = MALLOC_TUNABLES
    return env


def preexec(limits: ProcessLimits) -> Any:
    if os.name != "posix":
        return None

    def apply() -> None:  # runs in the child between fork and exec
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # may not write any file
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()

    return apply


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """The worker runs in its own session (setsid), so its helpers (a forked page or table reader) die with it."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover
            proc.kill()
    except OSError:  # gone already (ESRCH), or not ours any more
        pass


class _Feeder(threading.Thread):
    """Writes the request to the child's stdin and closes it (in a thread: one large write per chunk, where
    ``communicate`` would write it in 4 KiB steps). A child that stops reading (it failed or was killed) ends
    this with EPIPE; its exit status tells the caller why. An error raised by the chunks themselves (the caller's
    generator: a cancel, a file that changed) kills the child and is kept for the caller to raise."""

    def __init__(self, proc: subprocess.Popen[bytes], chunks: Iterable[bytes]) -> None:
        super().__init__(daemon=True)
        self.proc, self.chunks = proc, chunks
        self.error: BaseException | None = None

    def run(self) -> None:
        pipe = self.proc.stdin
        if pipe is None:  # pragma: no cover - stdin is always a pipe here
            return
        try:
            for chunk in self.chunks:
                try:
                    pipe.write(chunk)
                except OSError:
                    return
        except BaseException as e:  # handed to the caller's thread
            self.error = e
            kill_group(self.proc)
        finally:
            with contextlib.suppress(OSError):
                pipe.close()


def run(command: list[str], chunks: Iterable[bytes], limits: ProcessLimits,
        read: Callable[[IO[bytes]], R], cancelled: Callable[[], bool] | None = None) -> R:
    """Start ``command`` limited, feed it ``chunks`` and return ``read(stdout)``. The answer is read while the
    child still writes it and then exits; its exit status is checked first all the same: a non-zero status raises
    :class:`ChildFailed` whatever ``read`` returned or raised. Anything ``read`` leaves unread is drained (the
    child must not block). A BaseException in the caller (a cancel) kills the child's process group, and so does
    ``cancelled()`` turning true (polled every 50 ms; for a caller on another thread, whose child then fails)."""
    deadline = time.monotonic() + limits.wall_seconds
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=clean_env(), preexec_fn=preexec(limits), close_fds=True)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        kill_group(proc)  # its stdout closes: the read below ends

    timer = threading.Timer(limits.wall_seconds, expire)
    timer.daemon = True
    feeder = _Feeder(proc, chunks)
    finished = threading.Event()
    watcher: threading.Thread | None = None
    if cancelled is not None:
        def watch() -> None:
            while not finished.wait(0.05):
                if cancelled():
                    if proc.returncode is None:  # not reaped yet: its process group is still this child's
                        kill_group(proc)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    try:
        timer.start()
        feeder.start()
        assert proc.stdout is not None
        result: R | Exception
        with proc.stdout:
            try:
                result = read(proc.stdout)
            except Exception as e:  # raised below, once the exit status has had its say
                result = e
            while proc.stdout.read(1 << 20):  # whatever the answer left unread: the child must not block
                pass
        timer.cancel()
        proc.wait(timeout=max(deadline - time.monotonic(), 0.001))
    except subprocess.TimeoutExpired:  # the child closed its stdout but did not end
        expired.set()
        kill_group(proc)
        proc.wait()
    except BaseException as e:
        kill_group(proc)
        proc.wait()
        if isinstance(e, Stop):
            raise e.error from None
        raise
    finally:
        finished.set()
        if watcher is not None:
            watcher.join()
        timer.cancel()
        feeder.join()
    if feeder.error is not None:
        raise feeder.error.error if isinstance(feeder.error, Stop) else feeder.error
    if proc.returncode != 0:
        raise ChildFailed(proc.returncode, expired.is_set())
    if isinstance(result, Exception):
        raise result
    return result


def read_exactly(stream: IO[bytes], size: int) -> bytes:
    """``size`` bytes, read in steps of at most 8 MiB (a hostile length allocates nothing it is not sent).
    Raises ValueError for a cut-off answer."""
    parts = []
    while size > 0:
        part = stream.read(min(size, 8 << 20))
        if not part:
            raise ValueError("answer cut off")
        parts.append(part)
        size -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)
