"""Query-parameter parsing and pagination shared by every API route.

A malformed or out-of-range parameter stops the request with a 400 that names it, so a client
never gets silently unfiltered results.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from flask import abort, request

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})
PAGE_PARAMETERS = ("page", "per_page")
EnumT = TypeVar("EnumT", bound=StrEnum)


@dataclass(frozen=True)
class Page:
    number: int
    size: int


def reject_unknown(allowed: Iterable[str]) -> None:
    """A misspelt filter (``staffgroup``) is an error, not an ignored one."""
    known = set(allowed) | set(PAGE_PARAMETERS)
    unknown = sorted(set(request.args) - known)
    if unknown:
        abort(400, f"Unknown parameter {unknown[0]!r}; allowed: {', '.join(sorted(known))}")


def page_param() -> Page:
    """``page`` (from 1) and ``per_page`` (1 to 100)."""
    number = int_param("page", minimum=1) or 1
    size = int_param("per_page", minimum=1, maximum=MAX_PER_PAGE) or DEFAULT_PER_PAGE
    return Page(number, size)


def int_param(name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole-number parameter, or None when absent."""
    text = _text(name)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        abort(400, f"Parameter {name!r} must be a whole number, not {text[:20]!r}")
    _check_range(name, value, minimum, maximum)
    return value


def float_param(
    name: str, *, minimum: float | None = None, maximum: float | None = None
) -> float | None:
    """A number parameter, or None when absent."""
    text = _text(name)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        abort(400, f"Parameter {name!r} must be a number, not {text[:20]!r}")
    if not math.isfinite(value):
        abort(400, f"Parameter {name!r} must be a finite number")
    _check_range(name, value, minimum, maximum)
    return value


def bool_param(name: str) -> bool | None:
    """``true``/``false`` (or 1/0, yes/no), or None when absent."""
    text = _text(name)
    if text is None:
        return None
    if text.lower() in TRUE_WORDS:
        return True
    if text.lower() in FALSE_WORDS:
        return False
    abort(400, f"Parameter {name!r} must be true or false, not {text[:20]!r}")


def enum_param(name: str, enum_cls: type[EnumT]) -> EnumT | None:
    """One of an enum's values, or None when absent."""
    text = _text(name)
    if text is None:
        return None
    try:
        return enum_cls(text)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_cls)
        abort(400, f"Parameter {name!r} must be one of {allowed}, not {text[:30]!r}")


def text_param(name: str, *, max_length: int = 100) -> str:
    """A text parameter, stripped; empty when absent."""
    text = _text(name) or ""
    if len(text) > max_length:
        abort(400, f"Parameter {name!r} must be {max_length} characters or fewer")
    return text


def paginate(items: Sequence, page: Page, render) -> dict:
    """The API's list envelope: one page of rendered items, with totals and the page asked for."""
    total = len(items)
    pages = max(math.ceil(total / page.size), 1)
    if page.number > pages:
        abort(400, f"Parameter 'page' must be at most {pages}")
    start = (page.number - 1) * page.size
    return {
        "items": [render(item) for item in items[start : start + page.size]],
        "page": page.number,
        "per_page": page.size,
        "total": total,
        "pages": pages,
    }


PAGINATION_PARAMETERS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
        "description": "Page number, from 1.",
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
        "description": f"Items per page, at most {MAX_PER_PAGE}.",
    },
]


def page_schema(item_ref: str) -> dict:
    """The OpenAPI schema of a page of items."""
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": item_ref}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
        "required": ["items", "page", "per_page", "total", "pages"],
    }


def _text(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        abort(400, f"Parameter {name!r} is given more than once")
    if not values or not values[0].strip():
        return None
    return values[0].strip()


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        abort(400, f"Parameter {name!r} must be at least {minimum}")
    if maximum is not None and value > maximum:
        abort(400, f"Parameter {name!r} must be at most {maximum}")
