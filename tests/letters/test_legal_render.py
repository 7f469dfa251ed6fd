"""The legal data file validates like the catalog, and placeholders are listed, never invented."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mybnpl.core.errors import InvalidInput
from mybnpl.letters.legal import KINDS, parse_legal
from mybnpl.letters.render import Renderer
from mybnpl.resources import resource_path
from mybnpl.services.catalog import load_catalog
from mybnpl.services.letters import load_legal, load_renderer


def _data() -> dict[str, Any]:
    return dict(json.loads(resource_path("legal", "legal.json").read_text(encoding="utf-8")))


def test_shipped_legal_data_is_valid_and_complete() -> None:
    legal = load_legal()
    assert set(legal.jurisdictions) == {"CN", "UK", "EU", "US"}
    for j in legal.jurisdictions.values():
        assert set(j.kinds) == set(KINDS)
    assert legal.deadline("cn_firm_15d").period.amount == 15
    assert [p.amount for p in legal.deadline("cn_firm_15d").extensions] == [30, 60]
    assert legal.deadline("cn_12315_accept").period.unit == "working_days"
    assert legal.deadline("cn_credit_dispute_20d").period.amount == 20
    assert legal.deadline("uk_final_response_8w").then is not None
    assert legal.deadline("us_cfpb_15d").extensions[-1].amount == 60
    assert str(legal.statutes["eu_ccd2_15"].applies_from) == "2026-11-20"
    assert all(s.source and s.checked for s in legal.statutes.values())
    # every channel of the legal data is a channel of the provider catalog, in the same jurisdiction
    catalog = load_catalog()
    for code, j in legal.jurisdictions.items():
        for cid in j.channels:
            assert catalog.channel(cid).jurisdiction == code


@pytest.mark.parametrize(("path", "value", "message"), [
    (("statutes", "uk_disp_1_6", "source"), "", "source"),
    (("deadlines", "cn_firm_15d", "period", "unit"), "fortnights", "unit"),
    (("jurisdictions", "CN", "kinds", "complaint", "deadline"), "nope", "undefined deadline"),
    (("jurisdictions", "CN", "kinds", "complaint", "statutes"), ["uk_disp_1_6"], "not a CN statute"),
    (("jurisdictions", "UK", "channels", "made_up"), {"statutes": []}, "not a channel"),
    (("statutes", "uk_disp_1_6", "surprise"), 1, "unknown field"),
])
def test_bad_legal_data_is_refused(path: tuple[str, ...], value: object, message: str) -> None:
    data = copy.deepcopy(_data())
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InvalidInput, match=message):
        parse_legal(data, frozenset(load_catalog().channels))


def test_missing_facts_become_listed_placeholders() -> None:
    r = Renderer({"t.zh.j2": "致{{ lender }}：{{ user_name }}{% if user_email %}({{ user_email }}){% endif %}"
                             "{{ user_name }} {{ custom_thing }}",
                  "bad.j2": "{% for x in timelime %}{{ x }}{% endfor %}"})
    out = r.render("t.zh.j2", {"lender": "某某消费金融有限公司", "user_email": None}, "zh")
    assert out.text == "致某某消费金融有限公司：【请填写：您的姓名】【请填写：您的姓名】 【请填写：custom_thing】\n"
    assert out.missing_fields == ("user_name", "custom_thing")
    en = r.render("t.zh.j2", {}, "en")
    assert "[FILL IN: the lender's legal name (see the credit agreement)]" in en.text
    with pytest.raises(Exception, match="timelime"):
        r.render("bad.j2", {}, "en")  # a typo in a list name is a bug, not a placeholder


def test_templates_are_sandboxed() -> None:
    r = Renderer({"evil.j2": "{{ lender.__class__.__mro__ }}"})
    with pytest.raises(Exception, match=r"unsafe|not safely"):
        r.render("evil.j2", {"lender": "x"}, "en")
    assert {f"{k}.{lang}.j2" for k in KINDS for lang in ("zh", "en")} <= set(load_renderer().names())
