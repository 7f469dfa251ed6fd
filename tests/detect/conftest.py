"""The shipped rules file, for every detector test."""

from __future__ import annotations

import pytest

from mybnpl.detect.rules import Rules, load_rules
from mybnpl.resources import resource_path


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules(resource_path("findings_rules.json"))
