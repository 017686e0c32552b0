"""Finding plugins, calling their hooks, and choosing between them.

:func:`load_plugins` builds a fresh :class:`PluginSet`, with a plugin manager of
its own, on every call: no registry outlives it, so tests and long-running
programs see exactly the plugins they asked for. A plugin that fails to
import, to register or inside a hook is recorded as a :class:`PluginFault`
and left out; the others work. A name two plugins offer is left out alone
(a format until the user chooses one, or one of them overrides the other).
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import pluggy

from civicrecord.command import Command
from civicrecord.importer import Importer
from civicrecord.model import Report
from civicrecord.plugins import hookspecs
from civicrecord.problems import Problem, Severity
from civicrecord.renderer import Renderer

__all__ = ["BUILTIN_PLUGINS", "DISABLE_ENTRY_POINTS_ENV", "PluginError", "PluginFault",
           "PluginInfo", "PluginSet", "load_plugins"]

#: Modules that ship with civicrecord, registered like any plugin.
BUILTIN_PLUGINS = ("civicrecord.renderers.json", "civicrecord.renderers.html",
                   "civicrecord.renderers.docx", "civicrecord.serve",
                   "civicrecord.plugin_template", "civicrecord.importing")
#: Set to 1 to ignore installed plugins (entry points) and use only built-in ones.
DISABLE_ENTRY_POINTS_ENV = "CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD"

_T = TypeVar("_T")


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
    _offers: dict[str, dict[str, list[tuple[str, Any]]]] = attrs.field(factory=dict,
                                                                       init=False)

    def choosing(self, use: Mapping[str, str]) -> PluginSet:
        """The same plugins with these formats' plugins chosen; hooks are not asked again."""
        chosen = attrs.evolve(self, use={**self.use, **use})
        chosen._offers = self._offers
        return chosen

    def renderers(self) -> dict[str, Renderer]:
        """Every available format by name, in registration order; conflicts left out."""
        offered = self._offered("register_renderers", Renderer)
        return {name: self.renderer(name) for name in offered if not self._refusal(name)}

    def renderer(self, format_name: str) -> Renderer:
        """The renderer for a format, or a PluginError that says what to install or fix."""
        renderer: Renderer = self._choose(format_name)[1]
        return renderer

    def plugin_of(self, format_name: str) -> PluginInfo:
        """The plugin that provides a format."""
        return self.infos[self._choose(format_name)[0]]

    def conflicts(self) -> list[str]:
        """Why each format offered by several plugins, with no choice made, is left out."""
        offered = self._offered("register_renderers", Renderer)
        return [message for name in offered if (message := self._refusal(name))]

    def _refusal(self, name: str) -> str | None:
        try:
            self._choose(name)
        except PluginError as error:
            return str(error)
        return None

    def _choose(self, name: str) -> tuple[str, Any]:
        offers = self._offered("register_renderers", Renderer).get(name, [])
        chosen = self.use.get(name)
        if chosen is not None:
            picked = [offer for offer in offers if chosen in (offer[0], self._dist(offer[0]))]
            if len(picked) == 1:
                return picked[0]
            raise PluginError(f"cannot use {chosen!r} for format {name!r}: it is provided by "
                              f"{self._owners(offers) or 'no plugin'}; name one plugin or "
                              f"distribution (--use {name}=NAME)")
        overriding = [offer for offer in offers if offer[1].override]
        if len(offers) == 1 or len(overriding) == 1:
            return (overriding or offers)[0]
        if offers:
            raise PluginError(
                f"format {name!r} is provided by {self._owners(offers)}, so it is left out: "
                f"choose one with --use {name}=PLUGIN (use={{{name!r}: PLUGIN}} in Python), "
                "or uninstall one")
        message = f"no renderer for format {name!r} (available: " \
                  f"{', '.join(sorted(self.renderers())) or 'none'})"
        broken = [str(fault) for fault in self.faults if fault.stage != "validate_report"]
        if broken:
            message += "; some plugins failed to load and may provide it: " + "; ".join(broken)
        raise PluginError(message)

    def commands(self, reserved: Iterable[str] = ()) -> dict[str, Command]:
        """Every plugin command by name; a name taken by ``reserved`` or two plugins is out."""
        return self._only("register_commands", Command, set(reserved))

    def importers(self) -> dict[str, Importer]:
        """Every importer by name; a name two plugins claim is left out, naming both."""
        return self._only("register_importers", Importer, set())

    def _only(self, hook: str, kind: type[_T], reserved: set[str]) -> dict[str, _T]:
        found = {}
        for name, offers in self._offered(hook, kind).items():
            if name in reserved or len(offers) > 1:
                self.faults.append(PluginFault(
                    offers[-1][0], self._dist(offers[-1][0]), hook,
                    f"{kind.__name__.lower()} {name!r} is already provided by civicrecord "
                    "itself; left out" if name in reserved else f"{kind.__name__.lower()} "
                    f"{name!r} is provided by plugins {self._owners(offers)}; neither is used"))
            else:
                found[name] = offers[0][1]
        return found

    def _offered(self, hook: str, kind: type[Any]) -> dict[str, list[tuple[str, Any]]]:
        """What plugins return from a ``register_*`` hook, by name; asked once per set."""
        if hook not in self._offers:
            def failed(plugin: str, error: str) -> None:
                info = self.infos.get(plugin)
                self.faults.append(PluginFault(plugin, self._dist(plugin), hook, error,
                                               info.version if info else None))

            offers = self._offers[hook] = {}
            for plugin, item in self._call_each(hook, kind, failed):
                offers.setdefault(item.name, []).append((plugin, item))
        return self._offers[hook]

    def extra_problems(self, report: Report) -> list[Problem]:
        """Problems from the plugins' ``validate_report`` hooks; a failing hook is an error."""
        failed: list[Problem] = []
        found = self._call_each("validate_report", Problem, lambda plugin, error: failed.append(
            Problem(Severity.ERROR, "", f"plugin {plugin!r} failed while validating: {error}",
                    "fix or uninstall the plugin")), report=report)
        return [*failed, *(problem for _, problem in found)]

    def _call_each(self, hook: str, kind: type[_T], failed: Callable[[str, str], None],
                   **kwargs: Any) -> list[tuple[str, _T]]:
        """Call each plugin's implementation of ``hook``, in registration order.

        One at a time, as pluggy would call them, so that an exception is the
        fault of its plugin alone and every result is known to come from its
        plugin (a conflict names both). ``pm.hook.X()`` stops at the first
        exception and returns results without their plugins.
        """
        results: list[tuple[str, _T]] = []
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            name = self.manager.get_name(impl.plugin) or repr(impl.plugin)
            try:
                found = list(impl.function(*(kwargs[arg] for arg in impl.argnames)) or ())
                wrong = [item for item in found if not isinstance(item, kind)]
                if wrong:
                    raise TypeError(f"{hook} gave {wrong[0]!r}, not a civicrecord."
                                    f"{kind.__name__}")
            except Exception as error:  # noqa: BLE001 - a plugin's fault is its own
                failed(name, f"{type(error).__name__}: {error}")
                continue
            results += [(name, item) for item in found]
        return results

    def _owners(self, offers: list[tuple[str, Any]]) -> str:
        return " and ".join(f"{plugin!r} (from {self._dist(plugin)})" if self._dist(plugin)
                            else repr(plugin) for plugin, _ in offers)

    def _dist(self, plugin: str) -> str | None:
        info = self.infos.get(plugin)
        return info.distribution if info else None


def load_plugins(extra: Iterable[object] = (), *, entry_points: bool | None = None,
                 builtins: Sequence[str] = BUILTIN_PLUGINS,
                 use: Mapping[str, str] | None = None) -> PluginSet:
    """A fresh plugin set: built-in plugins, installed plugins by name, then ``extra``.

    ``entry_points`` defaults to on unless the environment variable
    ``CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD`` is set to a non-empty value.
    ``use`` chooses the plugin for a format several plugins offer.
    """
    from civicrecord._version import __version__

    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    plugins = PluginSet(manager, use=dict(use or {}))
    # (name, how to load it, distribution, version, built in)
    found: list[tuple[str, Callable[[], Any], str | None, str | None, bool]] = [
        (module, functools.partial(importlib.import_module, module), "civicrecord",
         __version__, True) for module in builtins]
    if entry_points if entry_points is not None else not os.environ.get(DISABLE_ENTRY_POINTS_ENV):
        from importlib import metadata

        # Sorted: discovery follows directory listings, which differ between machines.
        for point in sorted(metadata.entry_points(group=hookspecs.PROJECT_NAME),
                            key=lambda point: (point.name, point.value)):
            where = point.dist
            found.append((point.name, point.load, where.name if where else None,
                          where.version if where else None, False))
    found += [(getattr(plugin, "__name__", None) or f"plugin-{index}",
               functools.partial(lambda plugin: plugin, plugin), None, None, False)
              for index, plugin in enumerate(extra)]
    for name, load, dist, version, builtin in found:
        try:
            plugin = load()
        except Exception as error:  # noqa: BLE001 - one broken plugin must not stop others
            plugins.faults.append(PluginFault(name, dist, "import",
                                              f"{type(error).__name__}: {error}", version))
            continue
        if manager.is_registered(plugin):
            continue  # the same module reached twice, e.g. a distribution on two paths
        refused = _register(manager, plugin, name)
        if refused:
            plugins.faults.append(PluginFault(name, dist, "register", refused, version))
            continue
        hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
        plugins.infos[name] = PluginInfo(name, dist, version, hooks, builtin)
    return plugins


def _register(manager: pluggy.PluginManager, plugin: object, name: str) -> str | None:
    """Register a plugin; if it cannot be, leave it out and say why."""
    import difflib

    if manager.has_plugin(name):
        return (f"another plugin is already registered under the name {name!r}; "
                "rename the entry point")
    try:
        manager.register(plugin, name=name)
        manager.check_pending()  # a misspelt hook would otherwise never be called
    except pluggy.PluginValidationError as error:
        known = sorted(name for name in dir(hookspecs)
                       if manager.parse_hookspec_opts(hookspecs, name))
        unknown = [caller.name for caller in manager.get_hookcallers(plugin) or ()
                   if not caller.has_spec()]
        if manager.is_registered(plugin):
            manager.unregister(plugin)
        return "; ".join(
            f"unknown hook {hook!r}"
            + "".join(f" (did you mean {guess!r}?)"
                      for guess in difflib.get_close_matches(hook, known, n=1))
            + f"; civicrecord's hooks are {', '.join(known)}" for hook in unknown) or str(error)
    return None
