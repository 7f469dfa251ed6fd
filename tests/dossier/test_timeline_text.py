"""The dossier's timeline speaks the reader's language: ids from the event log become names."""

from __future__ import annotations

from pathlib import Path

from mybnpl.core.models import ConsentKind
from mybnpl.importers.base import ParseOptions
from mybnpl.services import consents as consents_svc
from mybnpl.services import dossier as dossier_svc
from mybnpl.services import findings as findings_svc
from mybnpl.services import imports as imports_svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.dossier import _humanize, _names, gather
from mybnpl.vault.keys import KdfParams
from mybnpl.vault.keystore import MemoryKeyStore
from mybnpl.vault.manager import KeyMode, VaultManager

from .conftest import TODAY

MEITUAN = Path(__file__).resolve().parents[1] / "fixtures" / "cn" / "meituan.csv"


def test_event_log_ids_become_names_in_the_dossiers_language() -> None:
    zh, en = _names(load_catalog(), "zh"), _names(load_catalog(), "en")
    line = "unconsented_enrollment: open -> confirmed"
    assert _humanize(line, zh) == "在没有同意记录的情况下被使用: 待确认 → 已确认"
    assert _humanize(line, en) == "Used without your recorded consent: open → confirmed"
    assert _humanize("complaint CN/zh -> provider", zh) == "投诉信（致机构） CN/zh → 服务提供方"
    assert _humanize("meituan_yuefu (import)", en).startswith("Meituan Yuefu")
    assert _humanize("d.pdf sha256 cf3db2", en) == "d.pdf sha256 cf3db2"  # anything else stays as written


def test_the_timeline_starts_with_what_the_finding_rests_on(tmp_path: Path) -> None:
    catalog = load_catalog()
    vault, _ = VaultManager(tmp_path / "v.mybnpl", MemoryKeyStore(), kdf=KdfParams.fast_for_tests()).create(
        KeyMode.PASSPHRASE, "dossier passphrase")
    try:
        data, parsed = imports_svc.parse_file(MEITUAN, ParseOptions())
        imports_svc.commit(vault, catalog, imports_svc.build_preview(vault, catalog, MEITUAN.name, data, parsed))
        account = int(vault.scalar("SELECT id FROM accounts"))
        consents_svc.add_consent(vault, catalog, provider_id="meituan_yuefu", kind=ConsentKind.NEVER_ENABLED,
                                 on_date=None, today=TODAY, account_id=account)
        findings_svc.recompute(vault, catalog, TODAY)
        [finding] = [f for f in findings_svc.list_findings(vault) if f.kind == "unconsented_enrollment"]
        dossier_svc.export_dossier(vault, catalog, tmp_path / "first.pdf", account_id=account, lang="zh", today=TODAY)
        zh = gather(vault, catalog, account_id=account, lang="zh", today=TODAY)
        en = gather(vault, catalog, account_id=account, lang="en", today=TODAY)
    finally:
        vault.close()
    # the earlier export, the imported original and its source in the reader's words
    assert any(e.what.startswith("导出案卷：first.pdf（SHA-256 ") and e.what.endswith("项证据）") for e in zh.timeline)
    assert [e.description for e in zh.evidence] == ["meituan.csv"] and zh.evidence[0].source == "import"
    first = [e for e in zh.timeline if e.what.startswith("在没有同意记录的情况下被使用（最早一次：2025-02-12 19:08")]
    assert len(first) == 1 and first[0].on == finding.first_seen
    dated = [e.on for e in zh.timeline if e.on is not None]
    assert dated == sorted(dated) and dated[0] == finding.first_seen  # the first thing that happened comes first
    assert any(e.what.startswith("Used without your recorded consent (the first time: ") for e in en.timeline)
    # full-width colons in Chinese; the "(import)" the event log writes becomes words
    events = [e.what for e in zh.timeline if e.source == "事件日志"]
    assert events and all("：" in t and ": " not in t for t in events), events
    assert any("导入时自动添加" in t for t in events)
    assert not any("(import)" in e.what for e in zh.timeline + en.timeline)
