"""`mybnpl dossier export` and `mybnpl dossier verify`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from tests.dossier.helpers import screenshot_png

from .test_cli import Run


def _json(run: Run, *argv: str) -> Any:
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _setup(tmp_path: Path) -> tuple[Run, str, str]:
    run = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase", MYBNPL_TODAY="2026-12-01")
    assert run("demo")[0] == 0
    acc = str(next(a["id"] for a in _json(run, "account", "list") if a["provider"] == "meituan_yuefu"))
    shot = tmp_path / "screenshot.png"
    shot.write_bytes(screenshot_png(540, 1170))
    assert run("evidence", "add", str(shot), "--account", acc, "--note", "开通截图")[0] == 0
    draft = _json(run, "letter", "draft", "--kind", "complaint", "--account", acc, "--jurisdiction", "CN",
                  "--lang", "zh")
    assert run("letter", "sent", str(draft["id"]), "--date", "2026-11-20", "--ref", "EA1")[0] == 0
    return run, acc, str(draft["case_id"])


def test_export_and_verify(tmp_path: Path) -> None:
    run, acc, case = _setup(tmp_path)
    out = tmp_path / "dossier.pdf"
    res = _json(run, "dossier", "export", "--case", case, "--lang", "zh", "--out", str(out))
    assert set(res) >= {"path", "pages", "evidence_count", "sha256"}
    assert res["path"] == str(out) and res["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert res["pages"] == len(pdfium.PdfDocument(out)) and res["evidence_count"] >= 2

    code, text, err = run("dossier", "verify", str(out))
    assert code == 0, err
    assert "verified" in text and res["fingerprint"] in text
    report = _json(run, "dossier", "verify", str(out))
    assert report["verified"] is True and report["intact"] == res["evidence_count"]

    code, text, _ = run("dossier", "export", "--account", acc, "--out", str(tmp_path / "en.pdf"))
    assert code == 0 and "en.pdf" in text and "SHA-256" in text

    # one changed byte in one attachment: exit 1, the item named
    doc = pdfium.PdfDocument(out)
    names = [doc.get_attachment(i).get_name() for i in range(doc.count_attachments())]
    name = next(n for n in names if n.endswith("screenshot.png"))
    att = doc.get_attachment(names.index(name))
    data = bytearray(att.get_data())
    data[100] ^= 1
    att.set_data(bytes(data))
    altered = tmp_path / "altered.pdf"
    doc.save(altered)
    doc.close()
    code, text, err = run("dossier", "verify", str(altered))
    assert code == 1 and name in err and "Altered" in err and "verified" not in text
    report = json.loads(run("dossier", "verify", str(altered), "--json")[1])
    assert report["verified"] is False and report["problems"][0]["name"] == name


def test_errors(tmp_path: Path) -> None:
    run, acc, case = _setup(tmp_path)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"hello")
    code, _, err = run("dossier", "verify", str(junk))
    assert code == 1 and "junk.pdf" in err and "Traceback" not in err
    code, _, err = run("dossier", "verify", str(tmp_path / "missing.pdf"))
    assert code == 1 and "missing.pdf" in err
    code, _, err = run("dossier", "export", "--case", case, "--out", str(tmp_path / "x.docx"))
    assert code == 2 and ".pdf" in err
    assert run("dossier", "export", "--case", case, "--account", acc, "--out", str(tmp_path / "x.pdf"))[0] == 2
    code, _, err = run("dossier", "export", "--case", "999", "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and "999" in err and not (tmp_path / "x.pdf").exists()
    code, _, err = run("dossier", "export", "--case", case, "--out", str(tmp_path / "no" / "dir" / "x.pdf"))
    assert code == 1 and "x.pdf" in err
