"""The consent ledger on a real vault: add, correct, remove; evidence kept and linked; every change logged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mybnpl.core.errors import InvalidInput, NotFound
from mybnpl.core.models import ConsentKind
from mybnpl.services import consents as svc
from mybnpl.services.catalog import load_catalog
from mybnpl.services.evidence import evidence_bytes
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

TODAY = date(2026, 11, 30)


def _events(vault: Vault) -> list[str]:
    return [e.kind for e in reversed(repos.list_events(vault))]


def test_add_correct_remove_with_evidence(vault: Vault, tmp_path: Path) -> None:
    shot = tmp_path / "开通记录.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"screenshot bytes" * 10)
    cat = load_catalog()
    rec = svc.add_consent(vault, cat, provider_id="meituan_yuefu", kind="enabled", on_date=date(2025, 3, 1),
                          today=TODAY, channel=" 美团 App 收银台 ", note="弹窗里点了同意", evidence_file=shot)
    assert (rec.kind, rec.on_date, rec.channel) == (ConsentKind.ENABLED, date(2025, 3, 1), "美团 App 收银台")
    assert rec.evidence_id is not None
    assert evidence_bytes(vault, rec.evidence_id) == shot.read_bytes()
    links = vault.query("SELECT entity, entity_id FROM evidence_links WHERE evidence_id = ?", (rec.evidence_id,))
    assert ("consent", rec.id) in [tuple(r) for r in links]

    never = svc.add_consent(vault, cat, provider_id="jd_baitiao", kind=ConsentKind.NEVER_ENABLED,
                            on_date=date(2025, 1, 1), today=TODAY)
    assert never.on_date is None  # "never enabled" has no date, whatever was passed

    fixed = svc.update_consent(vault, rec.id, today=TODAY, on_date=date(2025, 2, 27), channel="美团外卖", note="")
    assert (fixed.on_date, fixed.channel, fixed.note) == (date(2025, 2, 27), "美团外卖", "")
    assert [c.id for c in svc.list_consents(vault)] == [never.id, rec.id]  # by provider id
    assert [c.id for c in svc.list_consents(vault, "meituan_yuefu")] == [rec.id]

    svc.remove_consent(vault, rec.id)
    with pytest.raises(NotFound):
        svc.get_consent(vault, rec.id)
    assert evidence_bytes(vault, rec.evidence_id) == shot.read_bytes()  # the evidence stays
    assert _events(vault)[-5:] == ["evidence_added", "consent_enabled", "consent_never_enabled", "consent_changed",
                                   "consent_removed"]
    assert svc.consent_json(never)["kind"] == "never_enabled"


@pytest.mark.parametrize(("kwargs", "detail"), [
    ({"kind": "enabled", "on_date": None}, "needs a date"),
    ({"kind": "closed", "on_date": date(2026, 12, 1)}, "in the future"),
    ({"kind": "enabled", "on_date": date(2025, 1, 1), "note": "x" * 2001}, "limited to"),
])
def test_bad_records_are_refused_and_nothing_is_stored(vault: Vault, kwargs: dict[str, object], detail: str) -> None:
    before = repos.entity_counts(vault)
    with pytest.raises(InvalidInput) as e:
        svc.add_consent(vault, load_catalog(), provider_id="huabei", today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert detail in str(e.value)
    assert repos.entity_counts(vault) == before


def test_unknown_provider_and_missing_evidence_file(vault: Vault, tmp_path: Path) -> None:
    before = repos.entity_counts(vault)
    with pytest.raises(NotFound):
        svc.add_consent(vault, load_catalog(), provider_id="nope", kind="closed", on_date=TODAY, today=TODAY)
    with pytest.raises(InvalidInput):
        svc.add_consent(vault, load_catalog(), provider_id="huabei", kind="closed", on_date=TODAY, today=TODAY,
                        evidence_file=tmp_path / "missing.png")
    assert repos.entity_counts(vault) == before


def test_contradicting_records_are_refused(vault: Vault) -> None:
    cat = load_catalog()
    first = svc.add_consent(vault, cat, provider_id="huabei", kind="enabled", on_date=date(2025, 3, 1), today=TODAY)
    svc.add_consent(vault, cat, provider_id="huabei", kind="closed", on_date=date(2025, 4, 1), today=TODAY)
    with pytest.raises(InvalidInput) as e:
        svc.add_consent(vault, cat, provider_id="huabei", kind="never_enabled", on_date=None, today=TODAY)
    assert f"Record {first.id} says you enabled it" in str(e.value)
    svc.add_consent(vault, cat, provider_id="jd_baitiao", kind="never_enabled", on_date=None, today=TODAY)
    with pytest.raises(InvalidInput):
        svc.add_consent(vault, cat, provider_id="jd_baitiao", kind="enabled", on_date=date(2025, 1, 1), today=TODAY)
    assert len(svc.list_consents(vault)) == 3
