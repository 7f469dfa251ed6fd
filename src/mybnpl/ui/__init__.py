"""The desktop shell (PySide6). The only package that imports Qt; nothing outside imports it, the CLI
launches it lazily with :func:`mybnpl.ui.app.run`."""
