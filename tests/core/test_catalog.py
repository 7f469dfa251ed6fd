"""The provider catalog: the real resources/providers.json, and each validation rule of parse_catalog."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mybnpl.core.catalog import PROVIDER_STEP, Catalog, Channel, ProductKind, Provider, parse_catalog
from mybnpl.core.errors import InvalidInput, NotFound

CATALOG_FILE = Path(__file__).parents[2] / "resources" / "providers.json"

REQUIRED_PROVIDERS = (
    *("huabei", "jd_baitiao", "meituan_yuefu", "douyin_yuefu", "wechat_fenfu", "vip_weipinhua"),
    *("pdd_xianyong", "taobao_xianyong", "douyin_xianyong", "juduoduo", "niwodai"),
    *("klarna", "afterpay", "affirm", "paypal_paylater", "zip"),
)
REQUIRED_CHANNELS = (
    *("nfra_12378", "local_fin_regulator", "samr_12315", "pboc", "heimao"),
    *("fos", "cfpb", "national_adr", "afca"),
)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def catalog(raw: dict[str, Any]) -> Catalog:
    return parse_catalog(copy.deepcopy(raw))


# ---- the real catalog ------------------------------------------------------------------------------------


def test_every_required_provider_is_present_with_chinese_and_english_names(catalog: Catalog) -> None:
    assert sorted(catalog.ids()) == sorted(REQUIRED_PROVIDERS)
    assert [p.id for p in catalog.all()] == list(catalog.ids())
    for provider in catalog.all():
        assert provider.names.zh.strip() and provider.names.en.strip()
        assert provider.aliases, provider.id


def test_name_picks_the_language(catalog: Catalog) -> None:
    huabei = catalog.get("huabei")
    assert huabei.name("zh") == "花呗"
    assert huabei.name("zh_CN") == "花呗"
    assert huabei.name("zh-CN") == "花呗"
    assert huabei.name("en") == "Huabei (Alipay)"
    assert huabei.name("fr") == "Huabei (Alipay)"
    assert "Clearpay" in catalog.get("afterpay").name("en")


def test_every_route_channel_is_defined_and_in_the_providers_jurisdictions(catalog: Catalog) -> None:
    assert set(REQUIRED_CHANNELS) <= set(catalog.channels)
    for provider in catalog.all():
        assert provider.regulator_route[0] == PROVIDER_STEP
        for step in provider.regulator_route[1:]:
            assert step in catalog.channels, (provider.id, step)
            assert catalog.channels[step].jurisdiction in provider.jurisdictions, (provider.id, step)
    for channel_id in REQUIRED_CHANNELS:
        channel = catalog.channel(channel_id)
        assert channel.names.zh and channel.names.en and channel.contact and channel.handles is not None


def test_chinese_regulators_give_their_contact_in_english_too(catalog: Catalog, raw: dict[str, Any]) -> None:
    for cid in ("nfra_12378", "local_fin_regulator", "samr_12315", "pboc"):
        channel = catalog.channel(cid)
        assert channel.contact_for("zh") == channel.contact
        assert "电话" in channel.contact or "管理局" in channel.contact
        assert not any("\u4e00" <= c <= "\u9fff" for c in channel.contact_for("en").replace("地方金融管理局", ""))
    assert catalog.channel("fos").contact_for("zh") == catalog.channel("fos").contact  # one language: as written
    bad = copy.deepcopy(raw)
    bad["channels"]["pboc"]["contact"] = {"zh": "电话 12363"}
    with pytest.raises(InvalidInput, match="contact"):
        parse_catalog(bad)


def test_every_provider_and_channel_has_a_dated_source(catalog: Catalog) -> None:
    things: list[Provider | Channel] = [*catalog.all(), *catalog.channels.values()]
    things += [c for p in catalog.all() for c in p.complaint_channels]
    for thing in things:
        assert thing.sources, thing.id
        for source in thing.sources:
            assert isinstance(source.checked, date)
            assert source.checked <= catalog.checked
            assert source.url.startswith(("https://", "http://")) and source.title


def test_every_provider_has_its_own_complaint_channel_and_closing_steps(catalog: Catalog) -> None:
    for provider in catalog.all():
        assert provider.complaint_channels, provider.id
        assert provider.how_to_close.zh and provider.how_to_close.en


def test_routes_follow_who_lends(catalog: Catalog) -> None:
    assert catalog.route("meituan_yuefu")[:2] == ("provider", "local_fin_regulator")  # small-loan company
    assert catalog.route("huabei")[:2] == ("provider", "nfra_12378")  # consumer-finance company
    for pid in ("pdd_xianyong", "taobao_xianyong", "douyin_xianyong"):  # 先用后付: platform + payments
        assert catalog.route(pid)[:4] == ("provider", "samr_12315", "pboc", "heimao")
        assert catalog.get(pid).product_kind is ProductKind.PAY_LATER
    assert catalog.route("affirm") == ("provider", "cfpb")
    assert catalog.route("klarna", "UK") == ("provider", "fos")
    assert catalog.route("klarna", "EU") == ("provider", "national_adr")
    assert catalog.route("afterpay", "AU") == ("provider", "afca")
    assert catalog.route("zip", "US") == ("provider", "cfpb")


def test_product_kinds_and_currencies(catalog: Catalog) -> None:
    assert catalog.get("huabei").product_kind is ProductKind.CREDIT_LINE
    assert catalog.get("juduoduo").product_kind is ProductKind.LOAN_PLATFORM
    assert catalog.get("niwodai").product_kind is ProductKind.LOAN_PLATFORM
    assert catalog.get("affirm").product_kind is ProductKind.INSTALLMENT_LOAN
    assert catalog.get("paypal_paylater").product_kind is ProductKind.PAY_IN_N
    for provider in catalog.all():
        if provider.jurisdictions == ("CN",):
            assert provider.currency == "CNY", provider.id
    assert catalog.get("klarna").jurisdictions == ("EU", "UK", "US", "AU")


def test_lending_entities_are_sourced_and_unconfirmed_ones_flagged(catalog: Catalog) -> None:
    meituan = catalog.get("meituan_yuefu")
    assert meituan.lending_entity == "重庆美团三快小额贷款有限公司"
    assert meituan.lending_entity_source is not None and not meituan.lending_entity_verify
    assert catalog.get("klarna").lending_entity == "Klarna Bank AB (publ)"
    huabei = catalog.get("huabei")  # domain-facts flags the post-restructuring lender [verify]
    assert huabei.lending_entity == "重庆蚂蚁消费金融有限公司" and huabei.lending_entity_verify
    for provider in catalog.all():
        if provider.lending_entity is not None:
            assert provider.lending_entity_source is not None, provider.id
        else:  # unknown lenders are never guessed
            assert provider.lending_entity_verify, provider.id
    assert catalog.get("jd_baitiao").lending_entity is None
    assert "verify" in catalog.note.en


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("花呗", "huabei"),
        ("花呗分期", "huabei"),
        ("花呗&红包", "huabei"),
        ("花呗分期(3期)", "huabei"),
        ("京东白条", "jd_baitiao"),
        ("白条", "jd_baitiao"),
        ("美团月付", "meituan_yuefu"),
        ("抖音月付", "douyin_yuefu"),
        ("月付", "meituan_yuefu"),  # generic: listed by meituan_yuefu and douyin_yuefu, first listed wins
        ("分付", "wechat_fenfu"),
        ("微信支付-分付", "wechat_fenfu"),
        ("先用后付", "pdd_xianyong"),  # generic: listed by all three 先用后付 providers, first listed wins
        ("淘宝先用后付", "taobao_xianyong"),
        ("抖音先用后付", "douyin_xianyong"),
        ("Pay in 4", "paypal_paylater"),
        ("pay in 3", "paypal_paylater"),
        ("ＰａｙＰａｌ　Ｐａｙ ｉｎ ４", "paypal_paylater"),  # full-width text is NFKC-normalised
        ("Klarna Pay in 3", "klarna"),  # the longer alias beats the generic "Pay in 3"
        ("Clearpay", "afterpay"),
        ("ZIP", "zip"),
        ("Zipcar rental", None),  # ASCII aliases match whole words only
        ("余额宝", None),
        ("", None),
    ],
)
def test_match_payment_method(catalog: Catalog, text: str, expected: str | None) -> None:
    found = catalog.match_payment_method(text)
    assert (found.id if found else None) == expected


def test_unknown_ids_raise_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as err:
        catalog.get("no_such_provider")
    assert "no_such_provider" in str(err.value)
    with pytest.raises(NotFound):
        catalog.channel("no_such_channel")


def test_catalog_is_read_only(catalog: Catalog) -> None:
    with pytest.raises(TypeError):
        catalog.channels["fos"] = catalog.channels["cfpb"]  # type: ignore[index]


# ---- validation ------------------------------------------------------------------------------------------


def _provider(data: dict[str, Any], pid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in data["providers"] if p["id"] == pid)
    return found


def _set(pid: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: _provider(d, pid).__setitem__(key, value)


INVALID: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown product kind", _set("huabei", "product_kind", "payday_loan"), "product_kind"),
    ("missing field", lambda d: _provider(d, "klarna").pop("operator"), "missing operator"),
    ("unknown field", _set("klarna", "operater", "Klarna"), "unknown field(s) operater"),
    ("duplicate provider id", _set("zip", "id", "affirm"), "duplicate(s) affirm"),
    ("duplicate alias", _set("huabei", "aliases", ["花呗", "花呗"]), "duplicate(s) 花呗"),
    ("alias equal after normalising", _set("affirm", "aliases", ["Affirm", "AFFIRM"]), "normalised"),
    ("channel without source", lambda d: d["channels"]["fos"].__setitem__("sources", []), "needs a source"),
    ("channel missing sources", lambda d: d["channels"]["cfpb"].pop("sources"), "missing sources"),
    ("own channel without source",
     lambda d: _provider(d, "zip")["complaint_channels"][0].__setitem__("source", None), "needs a source"),
    ("provider without source", _set("affirm", "sources", []), "needs a source"),
    ("route through undefined channel", _set("affirm", "regulator_route", ["provider", "sec"]), "'sec'"),
    ("route not starting with the provider", _set("affirm", "regulator_route", ["cfpb"]), "must start with"),
    ("route outside jurisdictions", _set("affirm", "regulator_route", ["provider", "fos"]), "outside"),
    ("unknown jurisdiction", _set("zip", "jurisdiction", ["AU", "NZ"]), "'NZ'"),
    ("lender without source", _set("meituan_yuefu", "lending_entity_source", None), "lending_entity_source"),
    ("bad checked date",
     lambda d: _provider(d, "affirm")["sources"][0].__setitem__("checked", "2026-02-30"), "not a real date"),
    ("date in another format", lambda d: d.__setitem__("checked", "23.11.2026"), "catalog.checked"),
    ("source without url scheme",
     lambda d: _provider(d, "affirm")["sources"][0].__setitem__("url", "www.affirm.com"), "url"),
    ("lower-case currency", _set("zip", "currency", "aud"), "currency"),
    ("negative grace days", _set("zip", "grace_days", -1), "grace_days"),
    ("boolean grace days", _set("zip", "grace_days", True), "grace_days"),
    ("grace days without a source", _set("huabei", "grace_days", 3), "grace_source"),
    ("grace rule for a jurisdiction the provider is not in", _set("zip", "grace_jurisdiction", "UK"),
     "grace_jurisdiction"),
    ("late fee without a source", lambda d: _provider(d, "afterpay")["late_fee"].pop("source"), "missing source"),
    ("late fee with an unknown field", lambda d: _provider(d, "afterpay")["late_fee"].__setitem__("amount", 10),
     "unknown field(s) amount"),
    ("non-snake id", _set("zip", "id", "Zip Co"), "snake"),
    ("verify not a boolean", _set("huabei", "lending_entity_verify", "yes"), "lending_entity_verify"),
    ("missing English name", lambda d: _provider(d, "affirm")["names"].pop("en"), "missing en"),
    ("reserved channel id", lambda d: d["channels"].__setitem__("provider", d["channels"]["fos"]),
     "reserved"),
    ("no providers", lambda d: d.__setitem__("providers", []), "non-empty list"),
    ("version zero", lambda d: d.__setitem__("version", 0), "version"),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in INVALID], ids=[name for name, _, _ in INVALID]
)
def test_invalid_catalogs_raise_invalid_input(
    raw: dict[str, Any], mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(InvalidInput) as err:
        parse_catalog(data)
    assert err.value.code == "invalid_input"
    assert expected in err.value.params["detail"]


def test_a_catalog_that_is_not_an_object_is_invalid() -> None:
    with pytest.raises(InvalidInput, match="must be an object"):
        parse_catalog([])  # type: ignore[arg-type]


def test_parsing_leaves_the_input_unchanged(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    parse_catalog(data)
    assert data == raw


def test_grace_periods_and_late_fees_name_their_sources(catalog: Catalog) -> None:
    """Every grace period and late-fee rule in the catalog comes with a source; the rest stay unknown (None)."""
    graced = {p.id: (p.grace_days, p.grace_jurisdiction) for p in catalog.all() if p.grace_days is not None}
    assert graced == {"klarna": (7, "UK"), "afterpay": (0, "AU"), "zip": (21, "AU")}
    for p in catalog.all():
        assert (p.grace_days is None) == (p.grace_source is None), p.id
        if p.late_fee is not None:
            assert p.late_fee.source.url.startswith("https://") and p.late_fee.text.zh and p.late_fee.text.en
    assert catalog.get("huabei").grace_days is None and catalog.get("huabei").late_fee is None


def test_default_account_label_names_the_product_in_both_languages(catalog: Catalog) -> None:
    meituan, klarna = catalog.get("meituan_yuefu"), catalog.get("klarna")
    assert meituan.default_label() == "美团月付 / Meituan Yuefu (monthly pay)"
    assert klarna.default_label() == "Klarna"  # one name in both languages: said once
    for label in (meituan.default_label(), "美团月付", "Meituan Yuefu (monthly pay)", "美团月付 (Meituan)"):
        assert meituan.names_only(label), label
    assert not meituan.names_only("美团月付 — 我的主账户") and not klarna.names_only("Klarna DE")
