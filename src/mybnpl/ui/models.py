"""Table models over the vault. The transactions model is lazy: it reads blocks of rows on demand and keeps
only a few of them (LRU), so a vault of 100,000 transactions costs a count and a couple of small queries."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from mybnpl.core.catalog import Catalog, Provider
from mybnpl.core.models import Account
from mybnpl.i18n import N_, _
from mybnpl.services.names import provider_name
from mybnpl.services.transactions import TxRow, count_transactions, page_transactions
from mybnpl.vault.db import Vault

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class TransactionsModel(QAbstractTableModel):
    BLOCK_SIZE = 256
    MAX_BLOCKS = 8
    COLUMNS: tuple[str, ...] = (N_("Date"), N_("Merchant"), N_("Amount"), N_("Payment method"),
                                N_("BNPL product"), N_("Statement"))

    def __init__(self, catalog: Catalog, parent: Any = None, *, block_size: int | None = None,
                 max_blocks: int | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self.block_size = block_size or self.BLOCK_SIZE
        self.max_blocks = max_blocks or self.MAX_BLOCKS
        self._vault: Vault | None = None
        self._count = 0
        self._blocks: OrderedDict[int, list[TxRow]] = OrderedDict()
        self.fetches = 0  # block reads so far (for tests and the curious)

    # -- vault --------------------------------------------------------------------------------------------
    def set_vault(self, vault: Vault | None) -> None:
        self.beginResetModel()
        self._vault = vault
        self._blocks.clear()
        self._count = count_transactions(vault) if vault is not None and not vault.closed else 0
        self.endResetModel()

    def clear(self) -> None:
        self.set_vault(None)

    def cached_blocks(self) -> list[int]:
        return list(self._blocks)

    def _block(self, index: int) -> list[TxRow]:
        block = self._blocks.get(index)
        if block is not None:
            self._blocks.move_to_end(index)
            return block
        if self._vault is None or self._vault.closed:
            return []
        block = page_transactions(self._vault, index * self.block_size, self.block_size)
        self.fetches += 1
        self._blocks[index] = block
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)
        return block

    def row_at(self, row: int) -> TxRow | None:
        if not 0 <= row < self._count:
            return None
        block = self._block(row // self.block_size)
        offset = row % self.block_size
        return block[offset] if offset < len(block) else None

    # -- Qt -----------------------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.COLUMNS[section]) if 0 <= section < len(self.COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        tx = self.row_at(index.row())
        if tx is None:
            return None
        col = index.column()
        if col == 0:
            return tx.posted_on.isoformat()
        if col == 1:
            return tx.merchant
        if col == 2:
            text = tx.amount.format()
            return f"+{text}" if tx.direction == "in" else text
        if col == 3:
            return tx.payment_method
        if col == 4:
            return provider_name(self._catalog, tx.bnpl_product)
        if col == 5:
            return "" if tx.statement_id is None else f"#{tx.statement_id}"
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self._count:
            self.dataChanged.emit(self.index(0, 4), self.index(self._count - 1, 4))


class AccountsModel(QAbstractTableModel):
    COLUMNS: tuple[str, ...] = (N_("Product"), N_("Label"), N_("Currency"), N_("Added"))

    def __init__(self, catalog: Catalog, parent: Any = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._rows: list[Account] = []

    def set_rows(self, rows: Sequence[Account]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def rows(self) -> list[Account]:
        return self._rows

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.COLUMNS[section]) if 0 <= section < len(self.COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        acc = self._rows[index.row()]
        return (provider_name(self._catalog, acc.provider_id), acc.label, acc.currency,
                acc.created_at.date().isoformat())[index.column()]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))


def provider_display(p: Provider, lang: str) -> str:
    """Both names, the active language first: "花呗（Huabei）" / "Huabei (花呗)"."""
    first, second = p.name(lang), p.name("en" if lang == "zh_CN" else "zh_CN")
    if first == second:
        return first
    return f"{first}（{second}）" if lang == "zh_CN" else f"{first} ({second})"
