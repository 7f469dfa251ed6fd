#!/bin/sh
# Install mybnpl from this unpacked tarball for the current user (no root):
#   ~/.local/lib/mybnpl/                                  the app (one folder)
#   ~/.local/bin/mybnpl                                   a symlink to it (the command line, and the app)
#   ~/.local/share/applications/mybnpl.desktop            the menu entry
#   ~/.local/share/icons/hicolor/{256x256,scalable}/apps/ the icon
# ./install.sh --uninstall removes those again (never the vault: it lives in ~/.local/share/mybnpl/).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
APPDIR=$PREFIX/lib/mybnpl
BIN=$PREFIX/bin/mybnpl
DESKTOP=$PREFIX/share/applications/mybnpl.desktop
ICONS=$PREFIX/share/icons/hicolor

refresh() {  # menus and icon caches pick the change up; optional tools, failures do not matter
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$PREFIX/share/applications" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$ICONS" || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$APPDIR"
    rm -f "$BIN" "$DESKTOP" "$ICONS/256x256/apps/mybnpl.png" "$ICONS/scalable/apps/mybnpl.svg"
    refresh
    echo "mybnpl removed from $PREFIX (your vault and settings are kept)."
    exit 0
fi

mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$PREFIX/share/applications" "$ICONS/256x256/apps" "$ICONS/scalable/apps"
rm -rf "$APPDIR.new"
cp -a "$HERE/mybnpl" "$APPDIR.new"
rm -rf "$APPDIR"
mv "$APPDIR.new" "$APPDIR"
ln -sfn "$APPDIR/mybnpl" "$BIN"
# Exec with the full path: ~/.local/bin is not on every desktop session's PATH.
sed "s|^Exec=mybnpl|Exec=$BIN|" "$HERE/mybnpl.desktop" > "$DESKTOP"
cp "$HERE/mybnpl.png" "$ICONS/256x256/apps/mybnpl.png"
cp "$HERE/mybnpl.svg" "$ICONS/scalable/apps/mybnpl.svg"
refresh
echo "mybnpl installed: $BIN (menu entry: $DESKTOP)"
