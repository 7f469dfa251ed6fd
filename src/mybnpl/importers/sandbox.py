"""Parse untrusted files in a separate process with limits on memory, CPU, wall time and file writes.

The child gets the file's bytes on stdin and nothing else: no key, no vault path, an environment without
MYBNPL_* variables, ``python -I`` (ignores PYTHON* variables and the user's site directory).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypeVar, overload

from mybnpl.core.imports import TX_COLUMNS, ImportCode, ImportFailed, ParsedStatement, TxTable
from mybnpl.importers.base import MAX_FILE_BYTES, ParseOptions
from mybnpl.importers.errors import MESSAGES, fail

R = TypeVar("R")


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 768 * 1024 * 1024  # address space: ~512 MiB for parsing on top of the interpreter
    cpu_seconds: int = 120
    wall_seconds: float = 90.0
    max_file_bytes: int = MAX_FILE_BYTES


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the app binary runs the worker
        return [sys.executable, "--import-worker"]
    return [sys.executable, "-I", "-m", "mybnpl.importers.worker"]


# glibc's malloc in the worker: blocks below 32 MiB come from the heap, not one mmap each (and an munmap when
# freed), and freed heap memory is kept for reuse rather than handed back. A worker reading 10⁵ rows otherwise
# faults in ≈ 80,000 fresh pages instead of ≈ 48,000 (about 0.1 s of kernel time). It is a short-lived process;
# its address-space limit (RLIMIT_AS) still applies. Other C libraries ignore the variable.
MALLOC_TUNABLES = "glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=33554432"


def _clean_env() -> dict[str, str]:
    keep = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    if sys.platform.startswith("linux"):
        env["GLIBC_TUNABLES"] = MALLOC_TUNABLES
    return env


def _limit(limits: Limits) -> Any:
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


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """The worker runs in its own session (setsid), so its helpers (a forked page or table reader) die with it."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover
            proc.kill()
    except ProcessLookupError:
        pass


def _feed(pipe: IO[bytes] | None, *chunks: bytes) -> None:
    """Write the request to the child's stdin and close it (in a thread: one large write, where ``communicate``
    would write it in 4 KiB steps). A child that stops reading (it failed or was killed) ends this with EPIPE;
    its exit status tells the caller why."""
    if pipe is None:  # pragma: no cover - stdin is always a pipe here
        return
    try:
        for chunk in chunks:
            pipe.write(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


def _run(data: bytes, name: str, opts: ParseOptions, limits: Limits, op: str,
         read: Callable[[dict[str, Any], IO[bytes]], R]) -> R:
    """``read(answer, stream)`` of the child's JSON answer line and its stdout after that line. The answer is read
    while the child still writes it and then exits (a child that built 10⁵ rows takes a while to free them); its
    exit status and any error it reported are checked first all the same."""
    if not data:
        raise fail(ImportCode.EMPTY, name)
    if len(data) > limits.max_file_bytes:
        raise fail(ImportCode.TOO_LARGE, name, detail=f"{len(data) // (1024 * 1024)} MiB",
                   limit=f"{limits.max_file_bytes // (1024 * 1024)} MiB")
    request = {"name": name, "size": len(data), "options": opts.to_json(), "op": op}
    header = json.dumps(request).encode("utf-8") + b"\n"
    deadline = time.monotonic() + limits.wall_seconds
    proc = subprocess.Popen(worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=_clean_env(), preexec_fn=_limit(limits),
                            close_fds=True)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _kill_group(proc)  # its stdout closes: the read below ends

    timer = threading.Timer(limits.wall_seconds, expire)
    timer.daemon = True
    feeder = threading.Thread(target=_feed, args=(proc.stdin, header, data), daemon=True)
    try:
        timer.start()
        feeder.start()
        assert proc.stdout is not None
        result: R | Exception
        with proc.stdout:
            line = proc.stdout.readline()
            try:
                result = _answer(line, proc.stdout, name, read)
            except Exception as e:  # raised below, once the exit status has had its say
                result = e
            while proc.stdout.read(1 << 20):  # whatever the answer left unread: the child must not block
                pass
        timer.cancel()
        proc.wait(timeout=max(deadline - time.monotonic(), 0.001))
    except subprocess.TimeoutExpired:  # the child closed its stdout but did not end
        expired.set()
        _kill_group(proc)
        proc.wait()
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        timer.cancel()
        feeder.join()
    if proc.returncode != 0 and expired.is_set():
        raise fail(ImportCode.TIMEOUT, name, seconds=int(limits.wall_seconds))
    if proc.returncode != 0 or not line:
        if proc.returncode in (-9, -24, 137):  # killed by RLIMIT_CPU or the OS
            raise fail(ImportCode.TIMEOUT, name, seconds=limits.cpu_seconds)
        raise fail(ImportCode.TOO_MUCH_MEMORY if proc.returncode in (-6, 1, 134) else ImportCode.CORRUPT, name,
                   detail=f"reader stopped ({proc.returncode})")
    if isinstance(result, Exception):
        raise result
    return result


def _answer(line: bytes, stream: IO[bytes], name: str, read: Callable[[dict[str, Any], IO[bytes]], R]) -> R:
    try:
        answer: dict[str, Any] = json.loads(line.decode("utf-8"))
        if not isinstance(answer, dict):
            raise ValueError("not an object")
    except ValueError:
        raise fail(ImportCode.CORRUPT, name, detail="unreadable answer") from None
    if "error" in answer:
        err = answer["error"]
        code = ImportCode(err["code"])
        raise ImportFailed(code, MESSAGES[code], **err.get("params", {}))
    return read(answer, stream)


class _Blocks(Sequence[bytes]):
    """The answer's column blocks, each read from the worker's stdout (an 8-byte little-endian length, then that
    many bytes) when ``TxTable.from_wire`` comes to it, in order: the parent rebuilds one column while the worker
    encodes the next. Raises ValueError for a cut-off answer."""

    def __init__(self, stream: IO[bytes], count: int) -> None:
        self.stream, self.size, self.next = stream, count, 0

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[bytes]: ...

    def __getitem__(self, i: int | slice) -> bytes | Sequence[bytes]:
        if not isinstance(i, int) or i != self.next:
            raise ValueError("column blocks are read once, in order")
        if i >= self.size:
            raise IndexError(i)
        self.next += 1
        return _read_exactly(self.stream, int.from_bytes(_read_exactly(self.stream, 8), "little"))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    """``size`` bytes, read in steps of at most 8 MiB (a hostile length allocates nothing it is not sent)."""
    parts = []
    while size > 0:
        part = stream.read(min(size, 8 << 20))
        if not part:
            raise ValueError("answer cut off")
        parts.append(part)
        size -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def parse_isolated(data: bytes, name: str, opts: ParseOptions | None = None,
                   limits: Limits | None = None) -> ParsedStatement:
    """Parse ``data`` in a limited child process. Raises ImportFailed with a documented code.

    The child's answer is untrusted (a hostile file may have taken the child over): the transactions are
    validated for type and range while they are rebuilt (``TxTable.from_wire``)."""
    def read(answer: dict[str, Any], stream: IO[bytes]) -> ParsedStatement:
        was_enabled = gc.isenabled()
        gc.disable()  # 10⁵ rows of new objects that are all kept: collection only costs time
        try:
            table = TxTable.from_wire(answer["n"], _Blocks(stream, len(TX_COLUMNS)))
            if stream.read(1):
                raise ValueError("bytes after the last column")
            return ParsedStatement.from_json(answer["ok"], transactions=table)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise fail(ImportCode.CORRUPT, name, detail="unreadable answer") from None
        finally:
            if was_enabled:
                gc.enable()

    return _run(data, name, opts or ParseOptions(), limits or Limits(), "parse", read)


def table_isolated(data: bytes, name: str, password: str | None = None,
                   limits: Limits | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and first rows of the file's table (for the mapping step), read in the same limited child."""
    def read(answer: dict[str, Any], _stream: IO[bytes]) -> tuple[list[str], list[list[str]]]:
        table = answer["table"]
        return [str(h) for h in table["header"]], [[str(c) for c in row] for row in table["rows"]]

    return _run(data, name, ParseOptions(password=password), limits or Limits(), "table", read)
