"""A demo vault with a complaint case (confirmed finding, a letter sent and answered late, evidence of every
kind), exported once per module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from mybnpl.services import cases, evidence, letters
from mybnpl.services import dossier as dossier_svc
from mybnpl.services import findings as findings_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.vault.db import Vault
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

from .helpers import encrypted_pdf, photo_jpeg, screenshot_png, statement_pdf

TODAY = date(2026, 12, 1)


@dataclass
class Case:
    vault: Vault
    case_id: int
    account_id: int
    evidence: dict[str, int]  # file name → evidence id
    pdf: Path  # the exported zh dossier
    result: dossier_svc.ExportResult


def make_case(vault: Vault) -> tuple[int, int, dict[str, int]]:
    catalog = load_catalog()
    fill_demo(vault, catalog, today=TODAY)
    acc = int(vault.scalar("SELECT id FROM accounts WHERE provider_id = 'meituan_yuefu'"))
    finding = next(f for f in findings_svc.list_findings(vault) if f.provider_id == "meituan_yuefu")
    findings_svc.set_status(vault, finding.id, "confirmed")
    case_id = cases.open_case_from_finding(vault, finding.id, finding.explanation_en[:120], TODAY)
    draft = letters.draft_letter(vault, catalog, letters.load_legal(), "complaint", acc, "CN", "zh", TODAY,
                                 finding_id=finding.id, case_id=case_id)
    letters.mark_sent(vault, draft.id, date(2026, 11, 2), "EMS", "EA123456789CN", today=TODAY)
    files = {"screenshot.png": screenshot_png(), "alpha-screenshot.png": screenshot_png(540, 1170, 2, "RGBA"),
             "photo.jpg": photo_jpeg(), "statement.pdf": statement_pdf(3), "locked.pdf": encrypted_pdf(),
             "broken.pdf": b"%PDF-1.7\nthis is not really a PDF", "chat.txt": "客服：请耐心等待。\n".encode()}
    ids = {}
    for name, data in files.items():
        e = evidence.add_evidence_bytes(vault, data, name, note=f"证据 {name}", account_id=acc, link=("case", case_id))
        ids[name] = e.id
    return case_id, acc, ids


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    folder = tmp_path_factory.mktemp("dossier")
    vault, _ = VaultManager(folder / "case.mybnpl", MemoryKeyStore(), kdf=KdfParams.fast_for_tests()).create(
        KeyMode.PASSPHRASE, "dossier passphrase")
    case_id, acc, ids = make_case(vault)
    out = folder / "dossier.pdf"
    result = dossier_svc.export_dossier(vault, load_catalog(), out, case_id=case_id, lang="zh", today=TODAY)
    yield Case(vault, case_id, acc, ids, out, result)
    vault.close()
