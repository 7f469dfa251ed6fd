"""The exported dossier checked with the real tools a recipient would use: poppler-utils and OpenSSL 3.
Each test skips where its tool is missing; test_dossier.py makes the same checks in Python."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mybnpl.dossier.manifest import attachment_name
from mybnpl.services import evidence as evidence_svc

from .conftest import Case


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def _run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=120, check=False)


def test_pdffonts_every_font_embedded(case: Case) -> None:
    out = _run(_tool("pdffonts"), str(case.pdf))
    assert out.returncode == 0, out.stderr
    rows = out.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        emb = row.split()[-5]  # name, type, encoding, emb, sub, uni, object, ID
        assert emb == "yes", row


def test_pdftotext_finds_the_provider_and_every_hash(case: Case) -> None:
    out = _run(_tool("pdftotext"), "-enc", "UTF-8", str(case.pdf), "-")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "美团月付" in text and "重庆美团三快小额贷款有限公司" in text
    for eid in case.evidence.values():
        assert evidence_svc.get_evidence(case.vault, eid).sha256 in text


def test_pdfdetach_lists_the_originals_and_the_manifest(case: Case) -> None:
    out = _run(_tool("pdfdetach"), "-list", str(case.pdf))
    assert out.returncode == 0, out.stderr
    names = {line.split(": ", 1)[1] for line in out.stdout.splitlines()[1:]}
    assert {"manifest.json", "manifest.json.sig", "signing-key.pem", "dossier-content.json"} <= names
    assert {attachment_name(eid, name) for name, eid in case.evidence.items()} <= names


def test_the_printed_instructions_work_with_standard_tools(case: Case, tmp_path: Path) -> None:
    """pdfdetach -saveall, sha256sum and openssl pkeyutl/pkey, exactly as the verification page prints them."""
    pdfdetach, openssl, sha256sum = _tool("pdfdetach"), _tool("openssl"), _tool("sha256sum")
    assert _run(pdfdetach, "-saveall", str(case.pdf), cwd=tmp_path).returncode == 0
    sums = _run(sha256sum, *sorted(p.name for p in tmp_path.glob("evidence-*")), cwd=tmp_path).stdout
    for eid in case.evidence.values():
        assert evidence_svc.get_evidence(case.vault, eid).sha256 in sums
    ok = _run(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pem", "-rawin", "-in",
              "manifest.json", "-sigfile", "manifest.json.sig", cwd=tmp_path)
    if "rawin" in ok.stderr and ok.returncode != 0:
        pytest.skip("this openssl predates -rawin (OpenSSL 3)")
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout
    der = subprocess.run([openssl, "pkey", "-pubin", "-in", "signing-key.pem", "-outform", "DER"],
                         capture_output=True, cwd=tmp_path, check=True).stdout
    import hashlib

    assert hashlib.sha256(der[-32:]).hexdigest() == case.result.fingerprint.replace(" ", "")
    (tmp_path / "manifest.json").write_bytes((tmp_path / "manifest.json").read_bytes() + b" ")
    bad = _run(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pem", "-rawin", "-in",
               "manifest.json", "-sigfile", "manifest.json.sig", cwd=tmp_path)
    assert bad.returncode != 0


def test_pages_render(case: Case, tmp_path: Path) -> None:
    out = _run(_tool("pdftoppm"), "-r", "30", "-png", "-f", "1", "-l", "2", str(case.pdf), str(tmp_path / "p"))
    assert out.returncode == 0, out.stderr
    assert len(list(tmp_path.glob("p-*.png"))) == 2
