"""Parse untrusted files in a separate process with limits on memory, CPU, wall time and file writes.

The child gets the file's bytes on stdin and nothing else: no key, no vault path, an environment without
MYBNPL_* variables, ``python -I`` (ignores PYTHON* variables and the user's site directory). The process
machinery (limits, scrubbed environment, time-out, kill on cancel) is :mod:`mybnpl.isolation`, shared with the
dossier's PDF worker.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypeVar, overload

from mybnpl import isolation
from mybnpl.core.imports import TX_COLUMNS, ImportCode, ImportFailed, ParsedStatement, TxTable
from mybnpl.importers.base import MAX_FILE_BYTES, ParseOptions
from mybnpl.importers.errors import MESSAGES, fail
from mybnpl.isolation import MALLOC_TUNABLES, read_exactly

__all__ = ["MALLOC_TUNABLES", "Limits", "parse_isolated", "table_isolated", "worker_command"]

R = TypeVar("R")


@dataclass(frozen=True)
class Limits(isolation.ProcessLimits):
    max_file_bytes: int = MAX_FILE_BYTES


def worker_command() -> list[str]:
    return isolation.python_command("mybnpl.importers.worker", "--import-worker")


_clean_env = isolation.clean_env


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

    def answer(stream: IO[bytes]) -> R:
        line = stream.readline()
        if not line:
            raise fail(ImportCode.CORRUPT, name, detail="reader stopped (0)")
        return _answer(line, stream, name, read)

    try:
        return isolation.run(worker_command(), (header, data), limits, answer)
    except isolation.ChildFailed as e:
        if e.expired:
            raise fail(ImportCode.TIMEOUT, name, seconds=int(limits.wall_seconds)) from None
        if e.killed:
            raise fail(ImportCode.TIMEOUT, name, seconds=limits.cpu_seconds) from None
        raise fail(ImportCode.TOO_MUCH_MEMORY if e.out_of_memory else ImportCode.CORRUPT, name,
                   detail=f"reader stopped ({e.returncode})") from None


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
        return read_exactly(self.stream, int.from_bytes(read_exactly(self.stream, 8), "little"))


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
