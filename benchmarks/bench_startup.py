"""Start-up benchmark (issue 8): launch of the app until its window is shown and usable, against a bare Qt app.

  8. the window is usable within 1.5 s of launch, and within 3x a bare QApplication + empty QMainWindow started
     and measured the same way in the same run.

Every run is a new process ("cold" for the process: new interpreter, nothing cached in it; the OS file cache is
warm, as for any second launch, and a first untimed warm-up run of each variant makes it so for all of them).
The clock runs from just before the parent spawns the process to the moment the child reports that a top-level
window was exposed and the event loop then ran idle once (``time.time()`` in both: one machine, one clock). The
app reports it through its test-only hook ``MYBNPL_SMOKE_QUIT_AFTER_MS`` (src/mybnpl/ui/smoke.py), the
baseline through the same few lines inlined in a bare script.

Variants, round-robin in a freshly shuffled order each round:
  baseline   python -c: QApplication + empty QMainWindow, shown (the venv's Python and PySide6)
  unlock     the app on an existing vault: the unlock dialog, the first window a returning user sees
  main       the app with MYBNPL_PASSPHRASE: straight to the main window with the vault open. Includes the
             deliberate Argon2id key derivation (calibrated to about 0.5 s), so it is information, not the target.
Each of unlock/main runs for the PyInstaller bundle dist/mybnpl/mybnpl when it exists and for the venv's
installed ``mybnpl`` (``--app`` picks). Platforms: offscreen always; xcb too when Xvfb is installed.

usage: python benchmarks/bench_startup.py [--rounds N] [--app auto|bundle|venv|both] [--platforms offscreen,xcb]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import finish, med, rounds, table, verdict
from mybnpl.services.catalog import load_catalog
from mybnpl.services.demo import fill_demo
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "mybnpl" / "mybnpl"
VENV_APP = Path(sys.executable).with_name("mybnpl")
LIMIT_S = 1.5
LIMIT_RATIO = 3.0
MARKER = "mybnpl-smoke: shown "
TIMEOUT_S = 60.0

BASELINE_SRC = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QMainWindow

class Probe(QObject):
    done = False
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Expose and isinstance(obj, QWindow) and obj.isExposed() and not self.done:
            self.done = True
            QTimer.singleShot(0, self.report)
        return False
    def report(self):
        print(f"mybnpl-smoke: shown QMainWindow at={time.time():.6f}", flush=True)
        QTimer.singleShot(0, app.quit)

app = QApplication(sys.argv[:1])
probe = Probe()
app.installEventFilter(probe)
window = QMainWindow()
window.resize(1100, 720)
window.show()
sys.exit(app.exec())
"""


def make_vault(directory: Path, passphrase: str) -> Path:
    """A passphrase-mode vault with the default demo data, as ``mybnpl demo`` makes it (calibrated KDF)."""
    manager = VaultManager(directory / "bench.mybnpl", MemoryKeyStore())
    vault, _recovery = manager.create(KeyMode.PASSPHRASE, passphrase)
    try:
        fill_demo(vault, load_catalog())
    finally:
        vault.close()
    return manager.path


def launch(cmd: list[str], env: dict[str, str], expect: str) -> float:
    """Seconds from spawning ``cmd`` to its marker line naming the window class ``expect``."""
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(MARKER):
                shown = line[len(MARKER):].split()[0]
                at = float(line.rsplit("at=", 1)[1])
                if shown != expect:
                    raise RuntimeError(f"{cmd[0]}: showed {shown}, expected {expect}")
                proc.wait(timeout=TIMEOUT_S)
                if proc.returncode != 0:
                    raise RuntimeError(f"{cmd[0]}: exit status {proc.returncode}")
                return at - t0
        raise RuntimeError(f"{cmd[0]}: exited ({proc.wait()}) without showing a window")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@contextmanager
def xvfb() -> Iterator[str | None]:
    """A private Xvfb display (``:N``) for the xcb runs, or None when Xvfb is not installed."""
    exe = shutil.which("Xvfb")
    if exe is None:
        yield None
        return
    n = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    server = subprocess.Popen([exe, f":{n}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{n}").exists():
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        yield f":{n}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--app", choices=["auto", "bundle", "venv", "both"], default="auto",
                    help="auto: both when the bundle exists, else the venv's mybnpl")
    ap.add_argument("--platforms", default="offscreen,xcb", help="comma-separated; xcb is skipped without Xvfb")
    args = ap.parse_args()

    choice = args.app if args.app != "auto" else ("both" if BUNDLE.exists() else "venv")
    apps: dict[str, Path] = {}
    if choice in ("bundle", "both"):
        if not BUNDLE.exists():
            print(f"no bundle at {BUNDLE}: run packaging/build.sh first", file=sys.stderr)
            return 2
        apps["bundle"] = BUNDLE
    if choice in ("venv", "both"):
        apps["venv"] = VENV_APP
    for label, path in apps.items():
        print(f"app ({label}): {path}")
    if "bundle" not in apps:
        print("no PyInstaller bundle measured (dist/mybnpl/mybnpl absent): the venv's installed mybnpl only")

    status = 0
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        tmp_path = Path(tmp)
        passphrase = secrets.token_urlsafe(18)  # never printed
        t0 = time.perf_counter()
        vault = make_vault(tmp_path, passphrase)
        print(f"demo vault (passphrase mode, calibrated KDF) built in {time.perf_counter() - t0:.1f} s")
        opens = []
        for _ in range(3):  # what "main" spends opening the vault with the passphrase, the KDF above all
            t1 = time.perf_counter()
            VaultManager(vault, MemoryKeyStore()).open_with_passphrase(passphrase).close()
            opens.append(time.perf_counter() - t1)
        unlock_s = statistics.median(opens)
        print(f"opening it with the passphrase (Argon2id + SQLCipher), in this process: {unlock_s:.2f} s\n")
        # PYTHONDONTWRITEBYTECODE would make the venv's app compile every module at every launch; an installed
        # app has its bytecode cached (pip compiles at install, the bundle ships it), so the warm-up writes it.
        base_env = {k: v for k, v in os.environ.items()
                    if not k.startswith("MYBNPL_") and k != "PYTHONDONTWRITEBYTECODE"}
        base_env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
                        MYBNPL_VAULT=str(vault), MYBNPL_SMOKE_QUIT_AFTER_MS="0")

        variants: dict[str, tuple[list[str], dict[str, str], str]] = {
            "baseline": ([sys.executable, "-c", BASELINE_SRC], {}, "QMainWindow"),
        }
        for label, path in apps.items():
            variants[f"{label} unlock"] = ([str(path)], {}, "UnlockDialog")
            variants[f"{label} main"] = ([str(path)], {"MYBNPL_PASSPHRASE": passphrase}, "MainWindow")

        with xvfb() as display:
            for platform in [p.strip() for p in args.platforms.split(",") if p.strip()]:
                env = dict(base_env, QT_QPA_PLATFORM=platform)
                if platform == "xcb":
                    if display is None:
                        print("xcb: skipped (Xvfb not installed; Debian: xvfb)\n")
                        continue
                    env["DISPLAY"] = display
                for cmd, extra, expect in variants.values():  # untimed warm-up: OS file cache, fontconfig cache
                    launch(cmd, dict(env, **extra), expect)
                times: dict[str, list[float]] = {name: [] for name in variants}
                per_round: dict[int, dict[str, float]] = {}
                for r, name in rounds(list(variants), args.rounds, seed=8):
                    cmd, extra, expect = variants[name]
                    seconds = launch(cmd, dict(env, **extra), expect)
                    times[name].append(seconds)
                    per_round.setdefault(r, {})[name] = seconds
                print(f"### {platform} ({args.rounds} rounds)\n")
                rows = []
                for name, xs in times.items():
                    ratio = med([per_round[r][name] / per_round[r]["baseline"] for r in per_round])
                    rows.append([name, f"{med(xs) * 1e3:.0f}", f"{min(xs) * 1e3:.0f}", f"{max(xs) * 1e3:.0f}",
                                 "1.00" if name == "baseline" else f"{ratio:.2f}"])
                table(["variant", "median ms", "min ms", "max ms", "× baseline (median of paired ratios)"], rows)
                for label in apps:
                    name = f"{label} unlock"
                    ratio = med([per_round[r][name] / per_round[r]["baseline"] for r in per_round])
                    verdict(f"{platform}: {name}, launch to window usable", med(times[name]), LIMIT_S, "s")
                    verdict(f"{platform}: {name}, vs bare QApplication", ratio, LIMIT_RATIO, "×")
                    main_name = f"{label} main"
                    print(f"info  {platform}: {main_name} (incl. the Argon2id KDF): {med(times[main_name]):.2f} s, "
                          f"{med([per_round[r][main_name] / per_round[r]['baseline'] for r in per_round]):.2f}×; "
                          f"without the passphrase open ({unlock_s:.2f} s), as a keyring-mode start would be "
                          f"(estimate): {med(times[main_name]) - unlock_s:.2f} s")
                print()
        status = finish()
    return status


if __name__ == "__main__":
    sys.exit(main())
