"""A table model over a Python list with translated column titles — the base of the Evidence, Findings, consent
and Letters tables (each defines COLUMNS and data())."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from mybnpl.i18n import _

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


class ListModel(QAbstractTableModel, Generic[T]):
    COLUMNS: tuple[str, ...] = ()  # msgids

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[T] = []

    def set_items(self, items: Sequence[T]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.COLUMNS[section]) if 0 <= section < len(self.COLUMNS) else None
        return None

    def retranslate(self) -> None:
        """Headers and every cell again, in the new language."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self.items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, len(self.COLUMNS) - 1))
