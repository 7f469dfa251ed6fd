"""Validating decoded data files (the provider catalog, the legal data, the findings rules): each helper takes
the value and where it is in the file, and raises InvalidInput naming that place."""

from __future__ import annotations

from typing import Any

from mybnpl.core.errors import InvalidInput


def bad(detail: str) -> InvalidInput:
    return InvalidInput(detail=detail)


def obj(v: Any, where: str, required: set[str], optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise bad(f"{where} must be an object")
    if missing := required - v.keys():
        raise bad(f"{where} is missing {', '.join(sorted(missing))}")
    if unknown := v.keys() - required - optional:
        raise bad(f"{where} has unknown field(s) {', '.join(sorted(unknown))}")
    return v


def flag(d: dict[str, Any], where: str, key: str = "verify") -> bool:
    if not isinstance(v := d.get(key, False), bool):
        raise bad(f"{where}.{key} must be true or false")
    return v
