"""Parse untrusted files in a separate process with limits on memory, CPU, wall time and file writes.

The child gets the file's bytes on stdin and nothing else: no key, no vault path, an environment without
MYBNPL_* variables, ``python -I`` (ignores PYTHON* variables and the user's site directory).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from mybnpl.core.imports import ImportCode, ImportFailed, ParsedStatement, TxTable
from mybnpl.importers.base import MAX_FILE_BYTES, ParseOptions
from mybnpl.importers.errors import MESSAGES, fail


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


def _clean_env() -> dict[str, str]:
    keep = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
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


def _run(data: bytes, name: str, opts: ParseOptions, limits: Limits, op: str) -> tuple[dict[str, Any], bytes]:
    """The child's JSON answer line and the bytes after it."""
    if not data:
        raise fail(ImportCode.EMPTY, name)
    if len(data) > limits.max_file_bytes:
        raise fail(ImportCode.TOO_LARGE, name, detail=f"{len(data) // (1024 * 1024)} MiB",
                   limit=f"{limits.max_file_bytes // (1024 * 1024)} MiB")
    request = {"name": name, "size": len(data), "options": opts.to_json(), "op": op}
    header = json.dumps(request).encode("utf-8") + b"\n"
    proc = subprocess.Popen(worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=_clean_env(), preexec_fn=_limit(limits),
                            close_fds=True)
    try:
        out, _ = proc.communicate(header + data, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise fail(ImportCode.TIMEOUT, name, seconds=int(limits.wall_seconds)) from None
    if proc.returncode != 0 or not out:
        if proc.returncode in (-9, -24, 137):  # killed by RLIMIT_CPU or the OS
            raise fail(ImportCode.TIMEOUT, name, seconds=limits.cpu_seconds)
        raise fail(ImportCode.TOO_MUCH_MEMORY if proc.returncode in (-6, 1, 134) else ImportCode.CORRUPT, name,
                   detail=f"reader stopped ({proc.returncode})")
    nl = out.find(b"\n")
    try:
        answer: dict[str, Any] = json.loads(out[: nl if nl >= 0 else len(out)].decode("utf-8"))
        if not isinstance(answer, dict):
            raise ValueError("not an object")
    except ValueError:
        raise fail(ImportCode.CORRUPT, name, detail="unreadable answer") from None
    if "error" in answer:
        err = answer["error"]
        code = ImportCode(err["code"])
        raise ImportFailed(code, MESSAGES[code], **err.get("params", {}))
    return answer, out[nl + 1:] if nl >= 0 else b""


def _blocks(sizes: Any, body: bytes) -> list[bytes]:
    if not isinstance(sizes, list) or any(type(n) is not int or n < 0 for n in sizes) or sum(sizes) != len(body):
        raise ValueError("bad column sizes")
    out, at = [], 0
    for n in sizes:
        out.append(body[at : at + n])
        at += n
    return out


def parse_isolated(data: bytes, name: str, opts: ParseOptions | None = None,
                   limits: Limits | None = None) -> ParsedStatement:
    """Parse ``data`` in a limited child process. Raises ImportFailed with a documented code.

    The child's answer is untrusted (a hostile file may have taken the child over): the transactions are
    validated for type and range while they are rebuilt (``TxTable.from_wire``)."""
    answer, body = _run(data, name, opts or ParseOptions(), limits or Limits(), "parse")
    was_enabled = gc.isenabled()
    gc.disable()  # 10⁵ rows of new objects that are all kept: collection only costs time
    try:
        table = TxTable.from_wire(answer["n"], _blocks(answer["sizes"], body))
        return ParsedStatement.from_json(answer["ok"], transactions=table)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise fail(ImportCode.CORRUPT, name, detail="unreadable answer") from None
    finally:
        if was_enabled:
            gc.enable()


def table_isolated(data: bytes, name: str, password: str | None = None,
                   limits: Limits | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and first rows of the file's table (for the mapping step), read in the same limited child."""
    answer, _ = _run(data, name, ParseOptions(password=password), limits or Limits(), "table")
    table = answer["table"]
    return [str(h) for h in table["header"]], [[str(c) for c in row] for row in table["rows"]]
