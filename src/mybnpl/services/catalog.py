"""Load the provider catalog shipped in resources/providers.json."""

from __future__ import annotations

import json
from functools import cache

from mybnpl.core.catalog import Catalog, parse_catalog
from mybnpl.resources import resource_path


@cache
def load_catalog() -> Catalog:
    data = json.loads(resource_path("providers.json").read_text(encoding="utf-8"))
    return parse_catalog(data)
