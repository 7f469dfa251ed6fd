"""OFX bank and credit-card statements: OFX 1.x SGML (QFX included) and OFX 2.x XML.

Why a hand parser and not ofxtools: ofxtools validates every element against the spec and rejects real
files over details that do not matter here. It refuses the real ``checking.ofx`` sample (OFX 1.02, CHARSET
1252) because its BANKID has 10 digits (the spec says at most 9); it warns (PrivateTagWarning) on Quicken's
INTU.* tags; it is not a declared dependency; and its errors are arbitrary exceptions. The statement part
of OFX that matters here is small, so this module reads it with a strict little tokenizer instead:

- the header (``OFXHEADER:100`` ... ``CHARSET:1252`` or ``<?xml encoding?>``) picks the text encoding;
- from ``<OFX>`` on, the text must consist of tags and element values only (no stray text);
- SGML elements may omit their end tags; aggregates must be closed, and a file that ends with an open
  aggregate (truncated) is CORRUPT, as is an end tag that closes nothing;
- every STMTTRN of every bank (STMTRS) and credit-card (CCSTMTRS) statement becomes a transaction:
  TRNAMT is signed (negative = money out), DTPOSTED (else DTUSER) the date, FITID the external_id,
  NAME (or PAYEE/NAME, else MEMO) the merchant, MEMO the description, TRNTYPE the category;
- the currency is the transaction's CURRENCY/CURSYM, else the statement's CURDEF.

A TRNAMT that is not a plain number (``$120`` in ofxparse's ``decimal_error.ofx``) or a DTPOSTED that is not an
OFX date makes the whole file CORRUPT, naming the transaction: skipping the row would silently change the
statement's totals, and a bank file with one malformed amount is not trustworthy. provider_id is the catalog
provider the FI's ORG names (else the caller's provider_hint, else None).
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mybnpl.core.imports import ImportCode, ParsedStatement, ParsedTx
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.importers.base import ParseOptions
from mybnpl.importers.errors import fail
from mybnpl.importers.generic import bnpl_product, catalog, currency_code

FORMAT = "ofx"
MAX_DEPTH = 64

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9._-]*)\s*>([^<]*)")
_CHARSET = re.compile(r"^\s*(CHARSET|ENCODING):\s*([A-Za-z0-9_-]+)\s*$", re.M)
_XML_ENCODING = re.compile(r"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_-]+)", re.I)
_DATETIME = re.compile(r"(\d{4})(\d\d)(\d\d)(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?\s*(\[[^\]]{0,40}\])?")
_AMOUNT = re.compile(r"[+-]?(\d{1,15}([.,]\d{0,8})?|[.,]\d{1,8})")


@dataclass
class _Node:
    name: str
    value: str | None = None  # None for an aggregate
    children: list[_Node] = field(default_factory=list)

    def child(self, name: str) -> _Node | None:
        return next((c for c in self.children if c.name == name), None)

    def text(self, *path: str) -> str:
        node: _Node | None = self
        for part in path:
            node = node.child(part) if node else None
        return node.value or "" if node else ""

    def walk(self) -> Iterator[_Node]:
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def sniff(head: str, data: bytes, name: str) -> int:
    start = head.lstrip("\ufeff \t\r\n")[:2048]
    if start.startswith("OFXHEADER:") or re.search(r"<\?OFX\s", start, re.I):
        return 100
    return 95 if re.search(r"<OFX>", head[:16384], re.I) else 0


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:4096].decode("latin-1")
    declared = [m.group(1) for m in [_XML_ENCODING.search(head)] if m]
    for key, value in _CHARSET.findall(head.split("<", 1)[0]):
        v = value.upper()
        if key == "ENCODING" and v in ("UTF-8", "UNICODE"):
            declared.append("utf-8")
        elif key == "CHARSET" and v not in ("NONE", ""):
            declared.append("cp1252" if v == "1252" else "latin-1" if v in ("8859-1", "ISO-8859-1") else v)
    for enc in [*declared, "utf-8", "cp1252"]:
        try:
            codecs.lookup(enc)
            return data.decode(enc)
        except (LookupError, ValueError):  # unknown, not a text encoding, or the bytes do not fit it
            continue
    return data.decode("latin-1")


def _strip(text: str, opening: str, closing: str) -> str:
    """Remove comments or processing instructions in one linear pass (an unclosed one runs to the end)."""
    parts, pos = [], 0
    while (i := text.find(opening, pos)) >= 0:
        parts.append(text[pos:i])
        j = text.find(closing, i + len(opening))
        pos = len(text) if j < 0 else j + len(closing)
    return "".join([*parts, text[pos:]])


def _tree(text: str, name: str) -> _Node:
    start = re.search(r"<OFX>", text, re.I)
    if start is None:
        raise fail(ImportCode.CORRUPT, name, detail="no <OFX> element")
    body = _strip(_strip(text[start.start():], "<!--", "-->"), "<?", "?>")
    tokens = list(_TAG.finditer(body))
    root = _Node("")
    stack = [root]
    last_element: str | None = None
    pos = 0
    for i, tok in enumerate(tokens):
        if body[pos:tok.start()].strip():
            raise fail(ImportCode.CORRUPT, name, detail=f"unexpected text “{body[pos:tok.start()].strip()[:40]}”")
        pos = tok.end()
        closing, tag, value = tok.group(1), tok.group(2).upper(), tok.group(3).strip()
        if closing and value:
            raise fail(ImportCode.CORRUPT, name, detail=f"unexpected text “{value[:40]}” after </{tag}>")
        if closing:
            if any(n.name == tag for n in stack[1:]):
                while stack.pop().name != tag:
                    pass
            elif tag != last_element:
                raise fail(ImportCode.CORRUPT, name, detail=f"</{tag}> closes nothing")
            last_element = None
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if value or (nxt is not None and nxt.group(1) and nxt.group(2).upper() == tag):
            stack[-1].children.append(_Node(tag, html.unescape(value)))
            last_element = tag
        else:
            node = _Node(tag)
            stack[-1].children.append(node)
            stack.append(node)
            last_element = None
            if len(stack) > MAX_DEPTH:
                raise fail(ImportCode.CORRUPT, name, detail="elements nested too deeply")
    if body[pos:].strip():
        raise fail(ImportCode.CORRUPT, name, detail=f"unexpected text “{body[pos:].strip()[:40]}”")
    if len(stack) > 1:
        raise fail(ImportCode.CORRUPT, name, detail=f"<{stack[1].name}> is never closed (truncated file?)")
    return root


def _date(text: str) -> tuple[date, str] | None:
    m = _DATETIME.fullmatch(text.strip())
    if not m:
        return None
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return (d, text.strip()) if 1900 <= d.year <= 2100 else None


def _amount(text: str) -> Decimal | None:
    t = text.strip()
    return Decimal(t.replace(",", ".")) if _AMOUNT.fullmatch(t) else None


def parse(data: bytes, name: str, opts: ParseOptions) -> ParsedStatement:
    if not data.strip():
        raise fail(ImportCode.EMPTY, name)
    root = _tree(_decode(data, name), name)
    statements = [n for n in root.walk() if n.name in ("STMTRS", "CCSTMTRS")]
    if not statements:
        if any(n.name == "INVSTMTRS" for n in root.walk()):
            raise fail(ImportCode.UNSUPPORTED_FORMAT, name, detail="an OFX investment statement")
        raise fail(ImportCode.EMPTY, name)
    default_cur = currency_code(opts.currency) or "USD"
    txs: list[ParsedTx] = []
    starts: list[date] = []
    ends: list[date] = []
    for st in statements:
        curdef = currency_code(st.text("CURDEF")) or default_cur
        tranlist = st.child("BANKTRANLIST")
        if tranlist is None:
            continue
        for key, out in (("DTSTART", starts), ("DTEND", ends)):
            parsed = _date(tranlist.text(key))
            if parsed:
                out.append(parsed[0])
        for n, trn in enumerate(c for c in tranlist.children if c.name == "STMTTRN"):
            txs.append(_transaction(trn, len(txs) + 1, n + 1, curdef, name))
    first = statements[0]
    account = first.text("BANKACCTFROM", "ACCTID") or first.text("CCACCTFROM", "ACCTID")
    fi = " ".join(root.text("OFX", "SIGNONMSGSRSV1", "SONRS", "FI", key) for key in ("ORG", "FID")).strip()
    by_org = catalog().match_payment_method(fi) if fi else None
    hint = opts.provider_hint if opts.provider_hint in catalog().ids() else None
    return ParsedStatement(
        format=FORMAT, provider_id=by_org.id if by_org else hint,
        transactions=tuple(txs), currency=currency_code(first.text("CURDEF")) or default_cur,
        period_start=min(starts, default=None), period_end=max(ends, default=None),
        account_hint=("****" + account[-4:]) if len(account) > 4 else account)


def _transaction(trn: _Node, row: int, n: int, curdef: str, name: str) -> ParsedTx:
    fitid = trn.text("FITID")
    which = f"transaction {fitid}" if fitid else f"transaction #{n}"
    raw_amount = trn.text("TRNAMT")
    amount = _amount(raw_amount)
    if amount is None:
        raise fail(ImportCode.CORRUPT, name, detail=f"{which}: TRNAMT “{raw_amount[:40]}” is not a number")
    raw_date = trn.text("DTPOSTED") or trn.text("DTUSER")
    posted = _date(raw_date)
    if posted is None:
        raise fail(ImportCode.CORRUPT, name, detail=f"{which}: DTPOSTED “{raw_date[:40]}” is not an OFX date")
    currency = currency_code(trn.text("CURRENCY", "CURSYM")) or curdef
    payee = trn.text("NAME") or trn.text("PAYEE", "NAME")
    memo = trn.text("MEMO")
    direction = Direction.NEUTRAL if amount == 0 else Direction.OUT if amount < 0 else Direction.IN
    return ParsedTx(posted_on=posted[0], amount=Money(abs(amount), currency), direction=direction,
                    merchant=payee or memo or trn.text("TRNTYPE"), description=memo if payee else "",
                    bnpl_product=bnpl_product(payee, memo), external_id=fitid or None, status="",
                    category=trn.text("TRNTYPE").lower(), posted_at=posted[1], row=row)
