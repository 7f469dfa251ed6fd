"""Letter rich text: lines of styled runs, the small format shared by the editor, the vault and the exports.

A letter is a sequence of :class:`Line` s, one per line as the user sees it in the editor (Enter starts a new
line, an empty line separates paragraphs, exactly like the plain-text letter the templates produce). A line is
plain text, a heading, a bullet item or a numbered item, and is made of :class:`Run` s that may be bold or
underlined. That is all a formal letter needs; italics are left out on purpose: the embedded Chinese font has
no italic face, and a slanted Latin next to upright Chinese looks like a mistake in a letter.

The format is stored as compact JSON (:func:`to_json` / :func:`from_json`): no markup parser, nothing a
pasted web page could smuggle in. :func:`to_text` gives the plain text (what the vault keeps beside it, what
``.txt`` exports and the CLI print); :func:`from_text` reads plain text back, so a letter without formatting
is the same letter in either form. :func:`groups` cuts a letter into paragraphs, headings and list items for
the PDF and Word writers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from mybnpl.core.errors import InvalidInput

LineKind = Literal["text", "heading", "bullet", "number"]
KINDS: tuple[LineKind, ...] = ("text", "heading", "bullet", "number")
MAX_JSON = 2_000_000  # bytes of stored JSON: far above any letter, far below trouble
_BOLD, _UNDERLINE = 1, 2


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    underline: bool = False


@dataclass(frozen=True)
class Line:
    runs: tuple[Run, ...] = ()
    kind: LineKind = "text"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def blank(self) -> bool:
        return self.kind == "text" and not self.text.strip()


@dataclass(frozen=True)
class Group:
    """A unit of layout: ``paragraph`` (consecutive text lines), ``heading`` (one line), ``item`` (one list
    line, with its ``marker``: "•" or "3.")."""

    kind: Literal["paragraph", "heading", "item"]
    lines: tuple[tuple[Run, ...], ...]
    marker: str = ""
    numbered: bool = field(default=False)


RichDoc = tuple[Line, ...]


def _merge(runs: list[Run]) -> tuple[Run, ...]:
    """Neighbouring runs with the same style joined, empty runs dropped."""
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and (out[-1].bold, out[-1].underline) == (r.bold, r.underline):
            out[-1] = Run(out[-1].text + r.text, r.bold, r.underline)
        else:
            out.append(r)
    return tuple(out)


def line(text: str, kind: LineKind = "text", *, bold: bool = False, underline: bool = False) -> Line:
    return Line(_merge([Run(text, bold, underline)]), kind)


def normalise(lines: list[Line] | tuple[Line, ...]) -> RichDoc:
    """Runs merged, line breaks inside runs split into lines, NUL characters and trailing blank lines dropped."""
    out: list[Line] = []
    for ln in lines:
        current: list[Run] = []
        for r in ln.runs:
            clean = r.text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
            parts = clean.replace("\u2028", "\n").replace("\u2029", "\n").split("\n")
            for i, part in enumerate(parts):
                if i:
                    out.append(Line(_merge(current), ln.kind))
                    current = []
                current.append(Run(part, r.bold, r.underline))
        out.append(Line(_merge(current), ln.kind))
    out = [Line(ln.runs, "text") if ln.kind != "text" and not ln.text.strip() else ln for ln in out]
    while out and out[-1].blank:
        out.pop()
    return tuple(out)


def from_text(text: str) -> RichDoc:
    """Plain text → lines without any style."""
    return normalise([line(t) for t in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")])


def _markers(doc: RichDoc) -> list[str]:
    """The list marker of each line ("•", "1.", ...; "" for other lines). Numbering restarts after any line
    that is not a numbered item."""
    out, n = [], 0
    for ln in doc:
        n = n + 1 if ln.kind == "number" else 0
        out.append("•" if ln.kind == "bullet" else f"{n}." if ln.kind == "number" else "")
    return out


def to_text(doc: RichDoc) -> str:
    """The plain text: one line per line, list markers written out, styles dropped."""
    return "\n".join(f"{m} {ln.text}" if m else ln.text for ln, m in zip(doc, _markers(doc), strict=True))


def is_plain(doc: RichDoc) -> bool:
    """True when the letter has no style at all (then the plain text says everything)."""
    return all(ln.kind == "text" and all(not (r.bold or r.underline) for r in ln.runs) for ln in doc)


def groups(doc: RichDoc) -> list[Group]:
    """Paragraphs (runs of text lines between blank lines), headings and list items, in order."""
    out: list[Group] = []
    para: list[tuple[Run, ...]] = []

    def flush() -> None:
        if para:
            out.append(Group("paragraph", tuple(para)))
            para.clear()

    for ln, marker in zip(doc, _markers(doc), strict=True):
        if ln.kind == "text":
            if ln.blank:
                flush()
            else:
                para.append(ln.runs)
            continue
        flush()
        if ln.kind == "heading":
            out.append(Group("heading", (ln.runs,)))
        else:
            out.append(Group("item", (ln.runs,), marker, numbered=ln.kind == "number"))
    flush()
    return out


def to_json(doc: RichDoc) -> str:
    """Compact JSON: ``[[kind, [[text, flags], ...]], ...]``, flags 1 = bold, 2 = underline."""
    data = [[ln.kind, [[r.text, (_BOLD if r.bold else 0) | (_UNDERLINE if r.underline else 0)] for r in ln.runs]]
            for ln in doc]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def from_json(raw: str) -> RichDoc:
    """Read :func:`to_json` 's output back; anything else raises :class:`InvalidInput`."""
    bad = InvalidInput("The letter's formatting is not in mybnpl's format.")
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_JSON:
        raise InvalidInput("The letter's formatting is too large.")
    try:
        data = json.loads(raw)
    except ValueError:
        raise bad from None
    if not isinstance(data, list):
        raise bad
    lines: list[Line] = []
    for item in data:
        if not (isinstance(item, list) and len(item) == 2 and item[0] in KINDS and isinstance(item[1], list)):
            raise bad
        runs: list[Run] = []
        for r in item[1]:
            if not (isinstance(r, list) and len(r) == 2 and isinstance(r[0], str) and isinstance(r[1], int)
                    and not isinstance(r[1], bool) and 0 <= r[1] <= 3) or "\x00" in r[0]:
                raise bad
            runs.append(Run(r[0], bool(r[1] & _BOLD), bool(r[1] & _UNDERLINE)))
        lines.append(Line(tuple(runs), item[0]))
    return normalise(lines)
