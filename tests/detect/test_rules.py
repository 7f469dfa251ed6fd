"""The shipped rules file: every rule sourced, rate lines consistent; strict parsing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mybnpl.core.errors import InvalidInput
from mybnpl.core.models import Severity
from mybnpl.detect.rules import Rules, parse_rules
from mybnpl.resources import resource_path


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource_path("findings_rules.json").read_text(encoding="utf-8"))
    return data


def test_rate_lines_are_the_documented_thresholds(rules: Rules) -> None:
    lines = {line.id: line for line in rules.rate_lines}
    raw = {line["id"]: line for line in shipped()["rate_lines"]}
    basis = raw["private_lending_4x_lpr"]["basis"]
    assert lines["private_lending_4x_lpr"].rate == pytest.approx(basis["lpr_1y"] * basis["multiple"])
    assert (lines["licensed_lender_24"].rate, lines["press_red_line_36"].rate) == (0.24, 0.36)
    assert [line.rate for line in rules.rate_lines] == sorted(line.rate for line in rules.rate_lines)
    assert [line.severity for line in rules.rate_lines] == [Severity.INFO, Severity.WARNING, Severity.SERIOUS]


def test_every_rule_has_a_source_and_heuristics_say_so(rules: Rules) -> None:
    raw = shipped()
    assert set(rules.sources) == set(raw["rules"])
    for name, sources in rules.sources.items():
        assert sources, name
        for s in sources:
            assert s.url or s.citation or s.name.startswith("heuristic, chosen by mybnpl"), (name, s)
    for name in ("default_switch", "stacked_dues", "duplicate_charge", "double_payment_risk", "repayment"):
        assert any(s.name.startswith("heuristic, chosen by mybnpl") for s in rules.sources[name]), name
    for line in rules.rate_lines:
        assert line.sources and line.label_zh and line.label_en and line.applies_en


def test_thresholds_come_from_the_file(rules: Rules) -> None:
    raw = shipped()["rules"]
    assert rules.default_switch.min_prior_payments == raw["default_switch"]["min_prior_payments"]
    assert rules.stacked_dues.window_days == raw["stacked_dues"]["window_days"] == 7
    assert rules.duplicate_charge.ignore_status == tuple(raw["duplicate_charge"]["ignore_status"])


@pytest.mark.parametrize("damage", [
    lambda d: d["rules"]["stacked_dues"].pop("sources"),
    lambda d: d["rules"]["stacked_dues"].update(window_days="seven"),
    lambda d: d["rules"]["stacked_dues"].update(colour="red"),
    lambda d: d["rules"].pop("duplicate_charge"),
    lambda d: d["rate_lines"][0].update(rate=12),
    lambda d: d["rate_lines"][0]["basis"].update(multiple=5),
    lambda d: d["rate_lines"][1].update(severity="fatal"),
    lambda d: d["rules"]["bundled_fee"]["sources"][0].pop("citation"),
    lambda d: d["rules"]["cost_above_threshold"].update(annualisation="monthly"),
])
def test_damaged_files_are_refused(damage: Any) -> None:
    data = copy.deepcopy(shipped())
    damage(data)
    with pytest.raises(InvalidInput):
        parse_rules(data)
