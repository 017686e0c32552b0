"""Every hook is tested and documented, and the documentation describes the real API.

As datasette does: the list of hooks comes from ``civicrecord.plugins.hookspecs``
itself, so adding a hook without a test or a section in docs/plugins.md fails
here, and so does documenting a hook, a field or a signature that does not exist.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import attrs
import pluggy
import pytest

from civicrecord import plugins
from civicrecord.plugins import DISABLE_ENTRY_POINTS_ENV, hookspecs
from civicrecord.renderer import RenderContext, Renderer, RendererOption

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"


def hook_names() -> list[str]:
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    return sorted(name for name, value in vars(hookspecs).items()
                  if callable(value) and hasattr(value, marker))


def guide() -> str:
    return GUIDE.read_text("utf-8")


def section(title: str) -> str:
    """The text under a ``### title`` heading, up to the next heading."""
    match = re.search(rf"^### {re.escape(title)}\n(.*?)(?=^#{{1,3}} )", guide() + "\n## end",
                      re.DOTALL | re.MULTILINE)
    assert match is not None, f"docs/plugins.md has no '### {title}' section"
    return match[1]


def test_the_hooks_are_found() -> None:
    # Guards the other tests: an empty list would make them pass vacuously.
    assert hook_names() == [
        "register_commands", "register_importers", "register_renderers", "validate_report"]
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    assert sorted(name for name in vars(manager.hook) if not name.startswith("_")) \
        == hook_names()
    # The plugin set checks each hook's answers against its kind, and refuses other hooks.
    assert sorted(plugins._KINDS) == hook_names()


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_has_a_test(hook: str) -> None:
    mentioned_in = [path.name for path in sorted(TESTS.glob("test_*.py"))
                    if path.name != Path(__file__).name
                    and re.search(rf"\b{hook}\b", path.read_text("utf-8"))]
    assert mentioned_in, f"no test under tests/ mentions the hook {hook!r}"


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_is_documented_with_its_signature(hook: str) -> None:
    parameters = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    assert section(f"{hook}({parameters})").strip()


@pytest.mark.parametrize("hook", hook_names())
def test_every_hookspec_has_a_docstring(hook: str) -> None:
    assert len(inspect.getdoc(getattr(hookspecs, hook)) or "") > 80


def test_no_documented_hook_is_missing_from_hookspecs() -> None:
    documented = re.findall(r"^### ([a-z_]+)\(", guide(), re.MULTILINE)
    assert sorted(documented) == hook_names()


@pytest.mark.parametrize("cls", [Renderer, RenderContext, RendererOption],
                         ids=lambda cls: cls.__name__)
def test_every_field_is_documented_and_no_other(cls: type) -> None:
    text = section(cls.__name__)
    documented = re.findall(r"^\| `([a-z_]+)` \|", text, re.MULTILINE)
    assert documented == [field.name for field in attrs.fields(cls)]


def test_the_entry_point_group_and_the_disable_variable_are_the_real_ones() -> None:
    text = guide()
    assert f"[project.entry-points.{hookspecs.PROJECT_NAME}]" in text
    variables = set(re.findall(r"\bCIVICRECORD_[A-Z_]+\b", text))
    assert variables == {DISABLE_ENTRY_POINTS_ENV}


def test_the_names_the_guide_imports_from_civicrecord_exist() -> None:
    import civicrecord

    names = set()
    for block in re.findall(r"from civicrecord import \(?([^)\n]*(?:\n[^)]*)?)\)?", guide()):
        names |= {name.strip() for name in block.replace("\n", ",").split(",") if name.strip()}
    assert names >= {"Renderer", "RendererOption", "RenderContext", "RenderError", "Problem",
                     "Severity"}
    assert names <= set(civicrecord.__all__)


def test_the_guide_names_the_real_testing_kit_and_fixtures() -> None:
    import civicrecord.testing
    from civicrecord.testing import pytest_plugin

    kit = guide().split("## The testing kit", 1)[1].split("\n## ", 1)[0]
    fixtures = re.findall(r"^\| `([a-z_]+)` \|", kit, re.MULTILINE)
    assert fixtures == sorted(pytest_plugin.__all__, key=fixtures.index)
    assert set(fixtures) == set(pytest_plugin.__all__)
    for name in civicrecord.testing.__all__:
        assert f"`{name}(" in kit, name
