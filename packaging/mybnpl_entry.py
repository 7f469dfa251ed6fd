"""Entry script of the PyInstaller bundle: the same ``mybnpl.cli:main`` as the installed ``mybnpl`` command
(no subcommand starts the desktop app; ``--import-worker`` runs the isolated statement parser,
``--pdf-worker`` the isolated PDF worker of dossiers)."""

from __future__ import annotations

import sys

from mybnpl.cli import main

if __name__ == "__main__":
    sys.exit(main())
