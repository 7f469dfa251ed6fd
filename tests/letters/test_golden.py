"""Golden letters: every kind × jurisdiction × language, drafted from the demo vault.

Regenerate after a deliberate template or data change with ``UPDATE_GOLDEN=1 pytest tests/letters`` and read
the diff: these files are the review copy of what users will send.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mybnpl.letters.legal import KINDS
from mybnpl.services import letters as letters_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.vault.db import Vault

from .conftest import ACCOUNT_FOR, TODAY, account_id

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = [(k, j, lang) for k in KINDS for j in ("CN", "UK", "EU", "US") for lang in ("zh", "en")]


def _golden_text(d: letters_svc.Draft) -> str:
    head = [f"# recipient: {d.recipient} ({d.channel_id})",
            f"# deadline: {d.deadline_days} {d.deadline_unit} [{d.deadline_basis}] {d.deadline_id}",
            f"# evidence: {', '.join(str(e.id) for e in d.evidence)}",
            f"# missing: {', '.join(d.missing_fields)}",
            f"# unverified: {', '.join(d.unverified)}", ""]
    return "\n".join(head) + "\n" + d.text


@pytest.mark.parametrize(("kind", "jurisdiction", "lang"), CASES, ids=["-".join(c) for c in CASES])
def test_letter_matches_golden(demo: Vault, kind: str, jurisdiction: str, lang: str) -> None:
    d = letters_svc.draft_letter(demo, load_catalog(), letters_svc.load_legal(), kind,
                                 account_id(demo, ACCOUNT_FOR[jurisdiction]), jurisdiction, lang, TODAY)
    got = _golden_text(d)
    path = GOLDEN / f"{kind}.{jurisdiction}.{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert got == path.read_text(encoding="utf-8")
    # never in the letter itself: the UI says it
    assert "legal advice" not in d.text.lower() and "法律意见" not in d.text and "法律建议" not in d.text
    # every placeholder in the text is listed, and nothing else is
    marker = "【请填写：" if lang == "zh" else "[FILL IN: "
    assert d.text.count(marker) >= len(d.missing_fields) > 0
    assert ("user_name" in d.missing_fields) and "DEMO-" in d.text
