"""Re-extract user-facing strings and refresh the catalogs.

    python tools/i18n.py            # extract → update resources/translations/zh_CN/.../mybnpl.po → compile .mo
    python tools/i18n.py --check    # exit 1 if a string lacks a Chinese translation or the .mo is stale

English is the source language (msgids), so the en catalog is the identity and is not written.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mybnpl"
TRANSLATIONS = ROOT / "resources" / "translations"
KEYWORDS = {"_": None, "N_": None, "tr": None, "ngettext": (1, 2)}
LANGS = ("zh_CN",)


def extract() -> Catalog:
    cat = Catalog(project="mybnpl", msgid_bugs_address="", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        cat.add(message, None, [(f"src/mybnpl/{filename}", lineno)], auto_comments=comments, context=context)
    return cat


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "mybnpl.po"


def load_po(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="mybnpl", charset="utf-8")
    with open(path, "rb") as fh:
        return read_po(fh, locale=lang)


def missing(lang: str, template: Catalog | None = None) -> list[str]:
    template = template or extract()
    po = load_po(lang)
    out = []
    for msg in template:
        if not msg.id:
            continue
        have = po.get(msg.id)
        if have is None or not have.string or have.fuzzy or (isinstance(have.string, tuple) and not all(have.string)):
            out.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return out


def stale_mo(lang: str) -> bool:
    po = load_po(lang)
    mo_file = po_path(lang).with_suffix(".mo")
    if not mo_file.exists():
        return True
    with open(mo_file, "rb") as fh:
        mo = read_mo(fh)
    def key(x: object) -> object:
        return tuple(x) if isinstance(x, list | tuple) else x

    want = {key(m.id): key(m.string) for m in po if m.id and m.string and not m.fuzzy}
    got = {key(m.id): key(m.string) for m in mo if m.id}
    return want != got


def update() -> None:
    template = extract()
    for lang in LANGS:
        po = load_po(lang)
        po.update(template, no_fuzzy_matching=True)
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        write_po(buf, po, width=110, omit_header=False, ignore_obsolete=True, sort_output=True)
        path.write_bytes(buf.getvalue())
        with open(path, "rb") as fh:
            po = read_po(fh, locale=lang)
        out = io.BytesIO()
        write_mo(out, po, use_fuzzy=False)
        path.with_suffix(".mo").write_bytes(out.getvalue())
        gaps = missing(lang, template)
        print(f"{lang}: {len(template)} messages, {len(gaps)} untranslated")


def main(argv: list[str]) -> int:
    if "--check" in argv:
        bad = False
        for lang in LANGS:
            gaps = missing(lang)
            if gaps:
                bad = True
                print(f"{lang}: {len(gaps)} untranslated:", *gaps[:20], sep="\n  ")
            if stale_mo(lang):
                bad = True
                print(f"{lang}: compiled .mo is out of date; run python tools/i18n.py")
        return 1 if bad else 0
    update()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
