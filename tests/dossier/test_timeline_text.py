"""The dossier's timeline speaks the reader's language: ids from the event log become names."""

from __future__ import annotations

from mybnpl.services.catalog import load_catalog
from mybnpl.services.dossier import _humanize, _names


def test_event_log_ids_become_names_in_the_dossiers_language() -> None:
    zh, en = _names(load_catalog(), "zh"), _names(load_catalog(), "en")
    line = "unconsented_enrollment: open -> confirmed"
    assert _humanize(line, zh) == "在没有同意记录的情况下被使用: 待确认 → 已确认"
    assert _humanize(line, en) == "Used without your recorded consent: open → confirmed"
    assert _humanize("complaint CN/zh -> provider", zh) == "投诉信（致机构） CN/zh → 服务提供方"
    assert _humanize("meituan_yuefu (import)", en).startswith("Meituan Yuefu")
    assert _humanize("d.pdf sha256 cf3db2", en) == "d.pdf sha256 cf3db2"  # anything else stays as written
