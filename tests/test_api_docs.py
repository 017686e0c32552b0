"""docs/api.md, the API reference kept by hand, names every public name with its parameters.

The page is plain Markdown so that it reads on GitHub and in a checkout. Each
entry is a heading ``### `dotted.name(parameters)` ``; these tests check that
every name of ``civicrecord.__all__`` (and of ``civicrecord.presentation`` and
``civicrecord.text``) has one, that every documented name exists, and that
the parameters written are the real ones, in order.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

import civicrecord
import civicrecord.presentation
import civicrecord.text

PAGE = Path(__file__).resolve().parent.parent / "docs" / "api.md"
HEADING = re.compile(r"^### `(?P<name>[\w.]+)(?:\((?P<params>.*)\))?(?: -> [^`]+)?`$",
                     re.MULTILINE)


def entries() -> dict[str, str | None]:
    return {m["name"]: m["params"] for m in HEADING.finditer(PAGE.read_text("utf-8"))}


def resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            value = getattr(value, attribute)
        return value
    raise AssertionError(f"{dotted} is not importable")


def test_the_page_is_plain_markdown_not_directives() -> None:
    assert ":::" not in PAGE.read_text("utf-8")
    assert len(entries()) > 60


@pytest.mark.parametrize("module", [civicrecord, civicrecord.presentation, civicrecord.text],
                         ids=lambda module: module.__name__)
def test_every_public_name_is_documented(module: Any) -> None:
    documented = set(entries())
    missing = [name for name in module.__all__ if not name.isupper()
               and f"{module.__name__}.{name}" not in documented]
    assert missing == []


@pytest.mark.parametrize("name", sorted(entries()))
def test_every_documented_name_exists_with_these_parameters(name: str) -> None:
    value = resolve(name)
    params = entries()[name]
    if params is None:
        return
    written = [p.strip().split("=")[0].lstrip("*") for p in params.split(",") if p.strip()]
    written = [p for p in written if p not in ("", "/")]
    real = [p for p in inspect.signature(value).parameters if p != "self"]
    assert written == real
