"""The `mybnpl` command: conventions (exit codes, --json, languages, env) on real vaults."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mybnpl.cli import Env, main
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.migrate import latest_version


class Run:
    def __init__(self, tmp_path: Path, keystore: MemoryKeyStore | None = None, **environ: str) -> None:
        self.environ = {"MYBNPL_VAULT": str(tmp_path / "v.mybnpl"), **environ}
        self.keystore = keystore or MemoryKeyStore(usable=False)

    def __call__(self, *argv: str, prompt_answers: list[str] | None = None) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        answers = list(prompt_answers or [])
        env = Env(environ=dict(self.environ), stdout=out, stderr=err, keystore=self.keystore,
                  kdf=KdfParams.fast_for_tests(), prompt=(lambda _p: answers.pop(0)) if prompt_answers else None)
        code = main(list(argv), env)
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase")


def test_init_status_and_counts(run: Run) -> None:
    code, out, err = run("init", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["key_mode"] == "passphrase" and len(data["recovery_key"].split("-")) == 11
    code, out, _ = run("status", "--json")
    status = json.loads(out)
    assert code == 0
    assert status["schema_version"] == latest_version() and status["cipher_version"].startswith("4.")
    assert status["counts"]["accounts"] == 0 and status["counts"]["events"] == 1
    assert status["key_mode"] == "passphrase" and status["keyring_backend"] is None


def test_keyring_mode_when_a_secure_keyring_exists(tmp_path: Path) -> None:
    ks = MemoryKeyStore()
    run = Run(tmp_path, ks)
    code, out, _ = run("init", "--json")
    assert code == 0 and json.loads(out)["key_mode"] == "keyring"
    code, out, _ = run("status", "--json")
    assert json.loads(out)["keyring_backend"] == "tests.MemoryKeyring"


def test_no_keyring_and_no_tty_names_both_ways_out(tmp_path: Path) -> None:
    code, out, err = Run(tmp_path)("init")
    assert code == 1 and out == ""
    assert "MYBNPL_PASSPHRASE" in err and "Traceback" not in err
    assert not (tmp_path / "v.mybnpl").exists()


def test_interactive_passphrase_prompt(tmp_path: Path) -> None:
    run = Run(tmp_path)
    assert run("init", prompt_answers=["typed passphrase", "typed passphrase"])[0] == 0
    code, _, err = run("status", prompt_answers=["typed passphrase"])
    assert code == 0, err
    code, _, err = run("init", prompt_answers=["a", "b"])
    assert code == 1


def test_accounts_and_providers(run: Run) -> None:
    run("init")
    code, out, _ = run("providers", "--json")
    providers = {p["id"]: p for p in json.loads(out)}
    assert code == 0 and "huabei" in providers and providers["huabei"]["names"]["zh"]
    code, out, _ = run("account", "add", "--provider", "huabei", "--label", "我的花呗", "--json")
    assert code == 0 and json.loads(out)["provider"] == "huabei"
    code, out, _ = run("account", "list", "--json")
    assert [a["label"] for a in json.loads(out)] == ["我的花呗"]
    code, _, err = run("account", "add", "--provider", "no_such_provider")
    assert code == 1 and "no_such_provider" in err


def test_wrong_passphrase_exit_1_one_line_translated(run: Run, tmp_path: Path) -> None:
    run("init")
    bad = Run(tmp_path, MYBNPL_PASSPHRASE="not the right one")
    code, out, err = bad("status")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    code, _, err_zh = bad("--lang", "zh", "status")
    assert (code == 1 and "口令" in err_zh) or "密码" in err_zh


def test_usage_errors_exit_2(run: Run) -> None:
    assert run("no-such-command")[0] == 2
    assert run("--today", "2026-13-40", "status")[0] == 2
    assert run("account")[0] == 2


def test_demo_backup_restore_round_trip(run: Run, tmp_path: Path) -> None:
    code, out, err = run("--today", "2026-11-23", "demo", "--json")
    assert code == 0, err
    demo = json.loads(out)
    assert demo["transactions"] == 400 and demo["accounts"] == 5
    code, _, err = run("demo")
    assert code == 1 and "new vault" in err
    backup = tmp_path / "b.mybnpl"
    code, out, err = run("backup", str(backup), "--json")
    assert code == 0, err and json.loads(out)["verified"] is True
    run("account", "add", "--provider", "klarna")
    code, out, err = run("restore", str(backup), "--json")
    assert code == 0, err
    assert json.loads(out)["counts"]["accounts"] == 5
    assert json.loads(run("status", "--json")[1])["counts"]["accounts"] == 5
    assert list(tmp_path.glob("v.mybnpl.before-restore-*"))


def test_passwd_rotates_key(run: Run, tmp_path: Path) -> None:
    run("init")
    changer = Run(tmp_path, MYBNPL_PASSPHRASE="long enough passphrase", MYBNPL_NEW_PASSPHRASE="the next passphrase")
    code, out, err = changer("passwd", "--json")
    assert code == 0, err
    assert Run(tmp_path, MYBNPL_PASSPHRASE="the next passphrase")("status")[0] == 0
    assert run("status")[0] == 1
    recovery = json.loads(out)["recovery_key"]
    assert Run(tmp_path, MYBNPL_RECOVERY_KEY=recovery)("status")[0] == 0


def test_today_from_env_and_flag(run: Run, tmp_path: Path) -> None:
    from mybnpl.vault.manager import VaultManager

    run.environ["MYBNPL_TODAY"] = "2025-02-28"
    code, _out, _ = run("demo", "--json")
    assert code == 0
    vault = VaultManager(tmp_path / "v.mybnpl", MemoryKeyStore()).open_with_passphrase("long enough passphrase")
    try:
        assert vault.scalar("SELECT max(posted_on) FROM transactions") <= "2025-02-28"
    finally:
        vault.close()
    run.environ["MYBNPL_TODAY"] = "not-a-date"
    assert run("status")[0] == 2


def test_real_process_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("mybnpl")
    env = {**os.environ, "MYBNPL_VAULT": str(tmp_path / "p.mybnpl"), "MYBNPL_PASSPHRASE": "process passphrase"}
    env.pop("DISPLAY", None)
    r = subprocess.run([str(exe), "status"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "mybnpl init" in r.stderr
    r = subprocess.run([str(exe), "init", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe), "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("mybnpl ")


def test_process_hardening_disables_core_dumps() -> None:
    code = ("from mybnpl.hardening import harden_process; harden_process(); import resource; "
            "print(resource.getrlimit(resource.RLIMIT_CORE)); import ctypes; print(ctypes.CDLL(None).prctl(3,0,0,0,0))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["(0,", "0)", "0"]


def test_pad_counts_chinese_characters_as_two_columns() -> None:
    from mybnpl.cli.base import pad

    assert pad("已逾期", 9) == "已逾期   " and pad("overdue", 9) == "overdue  "
    assert pad("很长的状态文字", 4) == "很长的状态文字"  # never cut
