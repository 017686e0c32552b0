"""Finding plugins, calling their hooks, and choosing between them.

:func:`load_plugins` builds a fresh :class:`PluginSet`, with a plugin manager of
its own, on every call, so tests and long-running programs see exactly the
plugins they asked for. A plugin that fails to import, to register or inside a
hook is recorded as a :class:`PluginFault`; the others work. A name two plugins
offer is left out alone (a format until the user chooses one or one overrides).
"""

from __future__ import annotations

import functools
import os
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import pluggy

from civicrecord.command import Command
from civicrecord.importer import Importer
from civicrecord.model import Report
from civicrecord.plugins import hookspecs
from civicrecord.problems import Problem, Severity, closest
from civicrecord.renderer import Renderer

__all__ = ["BUILTIN_PLUGINS", "DISABLE_ENTRY_POINTS_ENV", "PluginError", "PluginFault",
           "PluginInfo", "PluginSet", "load_plugins"]

#: Modules that ship with civicrecord, registered like any plugin.
BUILTIN_PLUGINS = ("civicrecord.renderers.json", "civicrecord.renderers.html",
                   "civicrecord.renderers.docx", "civicrecord.serve",
                   "civicrecord.plugin_template", "civicrecord.importing")
#: Set to 1 to ignore installed plugins (entry points) and use only built-in ones.
DISABLE_ENTRY_POINTS_ENV = "CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD"
#: Every hook of :mod:`hookspecs`, and what its answers must be.
_KINDS: dict[str, type] = {"register_renderers": Renderer, "validate_report": Problem,
                           "register_commands": Command, "register_importers": Importer}


class PluginError(Exception):
    """A format cannot be had: nobody provides it, two plugins do, or a choice is wrong."""


@attrs.frozen
class PluginFault:
    """A plugin that could not be loaded or failed a hook, and why."""

    plugin: str
    distribution: str | None
    stage: str  # "import", "register" or the hook's name
    error: str
    version: str | None = None

    def __str__(self) -> str:
        dist = f" (from {self.distribution})" if self.distribution else ""
        return f"plugin {self.plugin!r}{dist} failed in {self.stage}: {self.error}"


@attrs.frozen
class PluginInfo:
    """A loaded plugin: its name, where it comes from, the hooks it implements."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    builtin: bool


@attrs.define
class PluginSet:
    """The plugins of one run: their formats, commands, importers, rules and faults."""

    manager: pluggy.PluginManager
    infos: dict[str, PluginInfo] = attrs.field(factory=dict)
    faults: list[PluginFault] = attrs.field(factory=list)
    use: dict[str, str] = attrs.field(factory=dict)
    """The plugin chosen for a format several offer (``{"json": "civicrecord"}``), by
    plugin or distribution name."""
    _offers: dict[str, dict[str, list[tuple[PluginInfo, Any]]]] = attrs.field(
        factory=dict, init=False)

    def choosing(self, use: Mapping[str, str]) -> PluginSet:
        """The same plugins with these formats' plugins chosen; hooks are not asked again."""
        chosen = attrs.evolve(self, use={**self.use, **use})
        chosen._offers = self._offers
        return chosen

    def renderers(self) -> dict[str, Renderer]:
        """Every available format by name, in registration order; conflicts left out."""
        return {name: choice[1] for name, choice in self._formats().items()
                if isinstance(choice, tuple)}

    def conflicts(self) -> list[str]:
        """Why each format offered by several plugins, with no choice made, is left out."""
        return [why for why in self._formats().values() if isinstance(why, str)]

    def renderer(self, format_name: str) -> Renderer:
        """The renderer for a format, or a PluginError that says what to install or fix."""
        return self._chosen(format_name)[1]

    def plugin_of(self, format_name: str) -> PluginInfo:
        """The plugin that provides a format."""
        return self._chosen(format_name)[0]

    def _chosen(self, name: str) -> tuple[PluginInfo, Renderer]:
        if isinstance(choice := self._formats().get(name), tuple):
            return choice
        if choice is None:
            choice = (f"no renderer for format {name!r} (available: "
                      f"{', '.join(sorted(self.renderers())) or 'none'})")
            if broken := "; ".join(map(str, self.faults)):
                choice += f"; some plugins failed to load and may provide it: {broken}"
        raise PluginError(choice)

    def _formats(self) -> dict[str, tuple[PluginInfo, Renderer] | str]:
        """Each format with its plugin and renderer, or why it is left out: the one ``use``
        names, else the one renderer that overrides, else the only one."""
        formats: dict[str, tuple[PluginInfo, Renderer] | str] = {}
        for name, offers in self._offered("register_renderers").items():
            if (chosen := self.use.get(name)) is None:
                picked = [offer for offer in offers if offer[1].override] or offers
            else:
                picked = [(info, renderer) for info, renderer in offers
                          if chosen in (info.name, info.distribution)]
            choice = "" if chosen is None else f"; {chosen!r} names {len(picked) or 'none'} of them"
            formats[name] = picked[0] if len(picked) == 1 else (
                f"format {name!r} is provided by {_owners(offers)}{choice}, so it is left out: "
                f"choose one with --use {name}=PLUGIN (use={{{name!r}: PLUGIN}} in Python), or "
                "uninstall one")
        return formats

    def commands(self, reserved: Iterable[str] = ()) -> dict[str, Command]:
        """Every plugin command by name; a name taken by ``reserved`` or two plugins is out."""
        return self._only("register_commands", set(reserved))

    def importers(self) -> dict[str, Importer]:
        """Every importer by name; a name two plugins claim is left out, naming both."""
        return self._only("register_importers", set())

    def offered_by(self, hook: str, name: str) -> PluginInfo:
        """The plugin whose ``hook`` offers ``name`` (the first, if several do)."""
        return self._offered(hook)[name][0][0]

    def _only(self, hook: str, reserved: set[str]) -> dict[str, Any]:
        found, kind = {}, _KINDS[hook].__name__.lower()
        for name, offers in self._offered(hook).items():
            ours = name in reserved or offers[0][0].builtin  # built-ins come first, and stay
            if name not in reserved and (ours or len(offers) == 1):
                found[name] = offers[0][1]
            if name in reserved or len(offers) > 1:
                owners = "civicrecord itself" if ours else f"plugins {_owners(offers)}"
                self._fault(offers[-1][0], hook, f"{kind} {name!r} is provided by {owners}; "
                            "left out (rename it in the plugin, or uninstall the plugin)")
        return found

    def _offered(self, hook: str) -> dict[str, list[tuple[PluginInfo, Any]]]:
        """What plugins return from a ``register_*`` hook, by name; asked once per set."""
        if hook not in self._offers:
            offers = self._offers[hook] = {}
            for plugin, item in self._call(hook):
                if isinstance(item, str):
                    self._fault(self.infos[plugin], hook, item)
                else:
                    offers.setdefault(item.name, []).append((self.infos[plugin], item))
        return self._offers[hook]

    def extra_problems(self, report: Report) -> list[Problem]:
        """Problems from the plugins' ``validate_report`` hooks; a failing hook is an error."""
        return [Problem(Severity.ERROR, "", f"plugin {_owners([(self.infos[plugin], None)])} "
                        f"failed while validating: {item}", "fix or uninstall the plugin")
                if isinstance(item, str)
                else item for plugin, item in self._call("validate_report", report=report)]

    def _call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Each plugin's answers (see :func:`_guard`) in registration order, the order
        users see formats listed in; pluggy calls the plugin registered last first."""
        answers = getattr(self.manager.hook, hook)(**kwargs)
        return [answer for plugin_answers in reversed(answers) for answer in plugin_answers]

    def _register(self, plugin: object, info: PluginInfo) -> None:
        """Register a stand-in for ``plugin`` holding its hook implementations, each guarded
        (:func:`_guard`) so that ``pm.hook.X()`` calls every plugin even when one raises.
        A misspelt hook is caught here with the closest hook's name, which pluggy's
        ``check_pending()`` would not give."""
        if self.manager.has_plugin(info.name):
            return self._fault(info, "register", "another plugin is already registered under "
                               f"the name {info.name!r}; rename the entry point")
        stand_in = types.ModuleType(info.name)  # a module: few attributes for pluggy to search
        for attribute in dir(plugin):
            if (opts := self.manager.parse_hookimpl_opts(plugin, attribute)) is None:
                continue
            hook = opts.get("specname") or attribute
            if hook not in _KINDS and not opts.get("optionalhook"):
                guess = f" (did you mean {close!r}?)" if (close := closest(hook, _KINDS)) else ""
                return self._fault(info, "register", f"unknown hook {hook!r}{guess}; "
                                   f"civicrecord's hooks are {', '.join(sorted(_KINDS))}")
            if opts.get("wrapper") or opts.get("hookwrapper"):
                return self._fault(info, "register", f"{attribute}: civicrecord's hooks "
                                   "collect every answer and take no wrappers: drop wrapper=True")
            setattr(stand_in, attribute, _guard(getattr(plugin, attribute), info.name, hook))
        try:
            self.manager.register(stand_in, name=info.name)
        except pluggy.PluginValidationError as error:  # e.g. an argument the hook lacks
            return self._fault(info, "register", str(error))
        hooks = self.manager.get_hookcallers(stand_in) or ()
        self.infos[info.name] = attrs.evolve(info, hooks=tuple(sorted(h.name for h in hooks)))

    def _fault(self, info: PluginInfo, stage: str, error: str) -> None:
        fault = PluginFault(info.name, info.distribution, stage, error, info.version)
        if fault not in self.faults:  # commands() and importers() may be asked again
            self.faults.append(fault)


def _owners(offers: list[tuple[PluginInfo, Any]]) -> str:
    return " and ".join(f"{info.name!r} (from {info.distribution})" if info.distribution
                        else repr(info.name) for info, _ in offers)


def load_plugins(extra: Iterable[object] = (), *, entry_points: bool | None = None,
                 builtins: Sequence[str] = BUILTIN_PLUGINS,
                 use: Mapping[str, str] | None = None) -> PluginSet:
    """A fresh plugin set: built-in plugins, installed plugins by name, then ``extra``.

    ``entry_points`` defaults to on unless the environment variable
    ``CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD`` is set to a non-empty value.
    ``use`` chooses the plugin for a format several plugins offer.
    """
    from importlib import metadata

    from civicrecord._version import __version__

    plugins = PluginSet(pluggy.PluginManager(hookspecs.PROJECT_NAME), use=dict(use or {}))
    plugins.manager.add_hookspecs(hookspecs)
    # Built-in modules are loaded as the entry points of civicrecord's own distribution.
    found: list[tuple[PluginInfo, object]] = [
        (PluginInfo(module, "civicrecord", __version__, (), True),
         metadata.EntryPoint(module, module, hookspecs.PROJECT_NAME)) for module in builtins]
    if entry_points if entry_points is not None else not os.environ.get(DISABLE_ENTRY_POINTS_ENV):
        # Sorted: discovery follows directory listings, which differ between machines.
        for point in sorted(metadata.entry_points(group=hookspecs.PROJECT_NAME),
                            key=lambda point: (point.name, point.value)):
            # Metadata read once for both (each of .name and .version reads it again).
            about = point.dist.metadata if point.dist else {"Name": None, "Version": None}
            found.append((PluginInfo(point.name, about["Name"], about["Version"], (), False),
                          point))
    found += [(PluginInfo(getattr(plugin, "__name__", None) or f"plugin-{index}", None, None,
                          (), False), plugin) for index, plugin in enumerate(extra)]
    loaded: list[object] = []
    for info, candidate in found:
        try:
            plugin = candidate.load() if isinstance(candidate, metadata.EntryPoint) else candidate
        except Exception as error:  # noqa: BLE001 - one broken plugin must not stop others
            plugins._fault(info, "import", f"{type(error).__name__}: {error}")
            continue
        if not any(plugin is seen for seen in loaded):  # one module passed in and installed
            loaded.append(plugin)
            plugins._register(plugin, info)
    return plugins


def _guard(function: Callable[..., Any], plugin: str,
           hook: str) -> Callable[..., list[tuple[str, Any]]]:
    """``function`` answering ``[(plugin, item), ...]``, or ``[(plugin, why it failed)]``:
    an exception or an answer of the wrong kind is that plugin's fault alone."""
    kind = _KINDS.get(hook, object)

    @functools.wraps(function)  # pluggy reads the argument names through __wrapped__
    def guarded(*args: Any) -> list[tuple[str, Any]]:
        try:
            if isinstance(answer := function(*args), (str, *_KINDS.values())):
                raise TypeError(f"{hook} returned {answer!r}, not a list")
            items = list(answer or ())
            if wrong := [item for item in items if not isinstance(item, kind)]:
                raise TypeError(f"{hook} gave {wrong[0]!r}, not a civicrecord.{kind.__name__}")
        except Exception as error:  # noqa: BLE001 - a plugin's fault is its own
            return [(plugin, f"{type(error).__name__}: {error}")]
        return [(plugin, item) for item in items]

    return guarded
