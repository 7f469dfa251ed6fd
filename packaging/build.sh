#!/usr/bin/env bash
# Build the Linux one-folder bundle, smoke-test it headless, and pack the tarball.
#
#   packaging/build.sh              # uses .venv (as `make test` creates it), or creates it
#   MYBNPL_BUILD_VENV=/tmp/v packaging/build.sh
#
# Steps: install `.[package]` (PyInstaller) into the venv; validate the desktop entry; run PyInstaller on
# packaging/mybnpl.spec (dist/mybnpl/); smoke-run the bundle offscreen (--version; `demo` into a new vault in a
# temp dir; `status --json`; a statement import through the frozen import worker; the GUI until the main window
# is shown with the vault open, via MYBNPL_SMOKE_QUIT_AFTER_MS; the same under xcb when xvfb-run exists); print
# the bundle size; pack dist/mybnpl-<version>-linux-x86_64.tar.gz with the desktop entry, icons and install.sh;
# test install.sh into a temp HOME. Any failure exits non-zero (CI fails).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV=${MYBNPL_BUILD_VENV:-$ROOT/.venv}
PY=$VENV/bin/python
DIST=$ROOT/dist
BUNDLE=$DIST/mybnpl
APP=$BUNDLE/mybnpl

CHECKS=0  # smoke checks passed; any failure exits at once
step() { printf '\n== %s\n' "$*"; }
ok() { CHECKS=$((CHECKS + 1)); }
fail() { printf 'build.sh: FAIL: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

step "venv $VENV: install .[package]"
test -x "$PY" || python3 -m venv "$VENV"
"$PY" -m pip install --quiet --disable-pip-version-check -e "$ROOT[package]"
VERSION=$("$PY" -c 'import mybnpl; print(mybnpl.__version__)')
ARCH=$(uname -m)
echo "mybnpl $VERSION, $("$VENV/bin/pyinstaller" --version | sed 's/^/PyInstaller /'), $ARCH"

step "desktop entry"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate packaging/mybnpl.desktop && echo "packaging/mybnpl.desktop: valid"
else
    echo "desktop-file-validate not installed (Debian: desktop-file-utils); not checked"
fi
test -f resources/icons/mybnpl-256.png && test -f resources/icons/mybnpl.svg || fail "icons missing in resources/icons/"

step "PyInstaller (one folder)"
t0=$(now)
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" \
    packaging/mybnpl.spec
BUILD_S=$(secs "$t0" "$(now)")
test -x "$APP" || fail "no executable at $APP"
echo "built $APP in ${BUILD_S} s"

step "smoke: --version"
out=$("$APP" --version)
echo "$out"
[ "$out" = "mybnpl $VERSION" ] || fail "--version printed '$out'"; ok

SMOKE=$(mktemp -d)
trap 'rm -rf "$SMOKE"' EXIT
# An isolated throwaway vault and settings; the passphrase is random and never printed, and so is the demo's
# recovery key (demo's stdout goes to /dev/null).
export QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME=$SMOKE/config XDG_DATA_HOME=$SMOKE/data
export MYBNPL_VAULT=$SMOKE/smoke.mybnpl MYBNPL_LANG=en
MYBNPL_PASSPHRASE=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')
export MYBNPL_PASSPHRASE

step "smoke: demo vault + status --json"
t0=$(now)
"$APP" demo >/dev/null 2>"$SMOKE/demo.err" || { cat "$SMOKE/demo.err" >&2; fail "demo exited non-zero"; }
"$APP" status --json >"$SMOKE/status.json" || fail "status exited non-zero"
"$PY" - "$SMOKE/status.json" <<'EOF' || fail "status --json does not show the demo data"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
c = s["counts"]
assert s["schema_version"] >= 1 and c["accounts"] > 0 and c["transactions"] > 0, s
print(f"vault open: schema {s['schema_version']}, {s['cipher_version']}, {c['accounts']} accounts, "
      f"{c['transactions']} transactions, {c['findings']} findings")
EOF
ok; echo "demo + status: $(secs "$t0" "$(now)") s"

step "smoke: import through the frozen import worker (PDF and XLSX, dry run)"
for f in tests/fixtures/pdf/huabei_3p.pdf tests/fixtures/cn/wechat.xlsx; do
    "$APP" import --dry-run --json "$f" >"$SMOKE/import.json" 2>"$SMOKE/import.err" \
        || { cat "$SMOKE/import.err" >&2; fail "import --dry-run $f exited non-zero"; }
    "$PY" - "$SMOKE/import.json" "$f" <<'EOF' || fail "import of $f parsed nothing"
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
text = json.dumps(data)
assert text.count('"date"') > 0 or text.count('"amount"') > 0, text[:300]
print(f"{sys.argv[2]}: parsed ({len(text)} bytes of JSON)")
EOF
    ok
done

gui_smoke() {  # $1: label; the rest: command prefix (e.g. xvfb-run -a)
    local label=$1; shift
    local t0 t1 line at
    t0=$(now)
    "$@" env MYBNPL_SMOKE_QUIT_AFTER_MS=300 timeout 120 "$APP" >"$SMOKE/gui.out" 2>"$SMOKE/gui.err" \
        || { tail -20 "$SMOKE/gui.err" >&2; fail "GUI ($label) exited non-zero"; }
    t1=$(now)
    line=$(grep -m1 '^mybnpl-smoke: shown MainWindow vault=open' "$SMOKE/gui.out") \
        || { cat "$SMOKE/gui.out"; tail -20 "$SMOKE/gui.err" >&2; fail "GUI ($label): main window not shown with the vault open"; }
    at=${line##*at=}
    ok
    echo "GUI ($label): main window shown, vault open, $(secs "$t0" "$at") s after launch (passphrase KDF included); exit 0 after $(secs "$t0" "$t1") s"
}

step "smoke: GUI offscreen (main window, vault open, then quit)"
gui_smoke offscreen
if command -v xvfb-run >/dev/null 2>&1; then
    step "smoke: GUI under xcb (Xvfb)"
    gui_smoke xcb xvfb-run -a env QT_QPA_PLATFORM=xcb
else
    echo "xvfb-run not installed: xcb smoke skipped (Debian: xvfb)"
fi

step "size"
du -sh "$BUNDLE"
SIZE_MB=$(du -sm "$BUNDLE" | cut -f1)

step "tarball"
NAME=mybnpl-$VERSION-linux-$ARCH
STAGE=$DIST/$NAME
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -a "$BUNDLE" "$STAGE/mybnpl"
cp packaging/mybnpl.desktop "$STAGE/mybnpl.desktop"
cp resources/icons/mybnpl-256.png "$STAGE/mybnpl.png"
cp resources/icons/mybnpl.svg "$STAGE/mybnpl.svg"
install -m 755 packaging/install.sh "$STAGE/install.sh"
tar -C "$DIST" -czf "$DIST/$NAME.tar.gz" "$NAME"
rm -rf "$STAGE"
ls -l "$DIST/$NAME.tar.gz" | awk '{printf "%s  %.1f MB\n", $NF, $5 / 1048576}'

step "install.sh into a temp HOME"
mkdir -p "$SMOKE/unpack" "$SMOKE/home"
tar -C "$SMOKE/unpack" -xzf "$DIST/$NAME.tar.gz"
HOME=$SMOKE/home "$SMOKE/unpack/$NAME/install.sh"
test -f "$SMOKE/home/.local/share/applications/mybnpl.desktop" || fail "install.sh: no desktop file"
test -f "$SMOKE/home/.local/share/icons/hicolor/256x256/apps/mybnpl.png" || fail "install.sh: no icon"
out=$("$SMOKE/home/.local/bin/mybnpl" --version) || fail "installed mybnpl does not start"
[ "$out" = "mybnpl $VERSION" ] || fail "installed mybnpl --version printed '$out'"
ok; echo "installed copy: $out"
HOME=$SMOKE/home "$SMOKE/unpack/$NAME/install.sh" --uninstall
test ! -e "$SMOKE/home/.local/bin/mybnpl" || fail "install.sh --uninstall left the symlink"; ok

printf '\nbundle smoke: %s passed, 0 failed\n' "$CHECKS"
printf 'build.sh: OK: bundle %s MB, built in %s s, smoke passed, %s\n' "$SIZE_MB" "$BUILD_S" "dist/$NAME.tar.gz"
