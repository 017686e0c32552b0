"""Finding plugins and the formats they provide.

:func:`load_plugins` builds a fresh :class:`PluginSet` on every call: no
global registry survives between calls, so tests and long-running programs see
exactly the plugins they asked for. :func:`current_plugins` is the set of the
environment as it is now, shared by API calls made without one and built again
whenever what is installed changes. A plugin that fails to import or register
is recorded, never fatal to the others; asking for one of its formats then
says why it is missing.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any, TypeVar

import attrs
import pluggy

from civicrecord.command import Command
from civicrecord.importer import Importer
from civicrecord.model import Report
from civicrecord.plugins import hookspecs
from civicrecord.plugins._scan import environment_fingerprint, installed_entry_points
from civicrecord.problems import Problem, Severity
from civicrecord.renderer import Renderer

__all__ = [
    "BUILTIN_PLUGINS",
    "DISABLE_ENTRY_POINTS_ENV",
    "PluginError",
    "PluginFault",
    "PluginInfo",
    "PluginSet",
    "current_plugins",
    "load_plugins",
]

#: Modules of the formats that ship with civicrecord, registered like any plugin.
BUILTIN_PLUGINS = (
    "civicrecord.renderers.json",
    "civicrecord.renderers.html",
    "civicrecord.renderers.docx",
    "civicrecord.importing",
)
#: Set to 1 to ignore installed plugins (entry points) and use only built-in formats.
DISABLE_ENTRY_POINTS_ENV = "CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD"


class PluginError(Exception):
    """Plugins disagree (two claim one format) or a format cannot be had."""


@attrs.frozen
class PluginFault:
    """A plugin that could not be loaded or failed a hook, and why."""

    plugin: str
    distribution: str | None
    stage: str  # "import", "register", "register_renderers", "validate_report"
    error: str

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


_T = TypeVar("_T")


@attrs.frozen
class _Registered:
    renderer: Renderer
    plugin: str


@attrs.define
class PluginSet:
    """The plugins of one run: their formats, their faults and their rules."""

    manager: pluggy.PluginManager
    infos: dict[str, PluginInfo] = attrs.field(factory=dict)
    faults: list[PluginFault] = attrs.field(factory=list)
    _renderers: dict[str, _Registered] | None = None
    _conflict: PluginError | None = None

    def renderers(self) -> dict[str, Renderer]:
        """Every available format by name, in registration order."""
        return {name: entry.renderer for name, entry in self._collect().items()}

    def plugin_of(self, format_name: str) -> PluginInfo:
        """The plugin that provides a format."""
        return self.infos[self._collect()[format_name].plugin]

    def renderer(self, format_name: str) -> Renderer:
        """The renderer for a format, or a PluginError that says what to install or fix."""
        registered = self._collect()
        if format_name in registered:
            return registered[format_name].renderer
        broken = [str(fault) for fault in self.faults if fault.stage != "validate_report"]
        known = ", ".join(sorted(registered)) or "none"
        message = f"no renderer for format {format_name!r} (available: {known})"
        if broken:
            message += "; some plugins failed to load and may provide it: " + "; ".join(broken)
        raise PluginError(message)

    def _collect(self) -> dict[str, _Registered]:
        # Runs the hooks once: later calls give the same formats, faults and conflict.
        if self._conflict is not None:
            raise self._conflict
        if self._renderers is not None:
            return self._renderers
        found: dict[str, _Registered] = {}
        conflicts: list[str] = []
        # get_hookimpls() is in registration order: built-in formats first.
        for impl in self.manager.hook.register_renderers.get_hookimpls():
            name = self.manager.get_name(impl.plugin) or repr(impl.plugin)
            try:
                provided = list(impl.function() or ())  # type: ignore[call-overload]
                for renderer in provided:
                    if not isinstance(renderer, Renderer):
                        raise TypeError(f"register_renderers returned {renderer!r}, "
                                        "not a civicrecord.Renderer")
            except Exception as error:  # noqa: BLE001 - a plugin's fault is recorded
                self.faults.append(PluginFault(name, self._dist(name), "register_renderers",
                                               f"{type(error).__name__}: {error}"))
                continue
            for renderer in provided:
                if renderer.name in found:
                    other = found[renderer.name].plugin
                    conflicts.append(f"format {renderer.name!r} is provided by two plugins: "
                                     f"{self._describe(other)} and {self._describe(name)}")
                    continue
                found[renderer.name] = _Registered(renderer, name)
        self._renderers = found
        if conflicts:
            self._conflict = PluginError("; ".join(conflicts) + "; uninstall one of each pair")
            raise self._conflict
        return found

    def _describe(self, plugin: str) -> str:
        dist = self._dist(plugin)
        return f"{plugin!r} (from {dist})" if dist else repr(plugin)

    def _dist(self, plugin: str) -> str | None:
        info = self.infos.get(plugin)
        return info.distribution if info else None

    def commands(self, reserved: Iterable[str] = ()) -> dict[str, Command]:
        """Every plugin command by name; a clash with ``reserved`` or another is a fault."""
        found: dict[str, Command] = {}
        owners: dict[str, str] = {}
        taken = set(reserved)
        for name, command in self._described("register_commands", Command):
            if command.name in taken or command.name in found:
                other = owners.get(command.name)
                owner = f"plugin {self._describe(other)}" if other else "civicrecord itself"
                self.faults.append(PluginFault(
                    name, self._dist(name), "register_commands",
                    f"command {command.name!r} is already provided by {owner}; left out"))
                continue
            found[command.name] = command
            owners[command.name] = name
        return found

    def importers(self) -> dict[str, Importer]:
        """Every importer by name; a name two plugins claim is left out, naming both."""
        found: dict[str, Importer] = {}
        owners: dict[str, str] = {}
        clashes: set[str] = set()
        for name, importer in self._described("register_importers", Importer):
            if importer.name in owners:
                clashes.add(importer.name)
                self.faults.append(PluginFault(
                    name, self._dist(name), "register_importers",
                    f"importer {importer.name!r} is also provided by plugin "
                    f"{self._describe(owners[importer.name])}; neither is used"))
                continue
            found[importer.name] = importer
            owners[importer.name] = name
        return {key: value for key, value in found.items() if key not in clashes}

    def _described(self, hook: str, kind: type[_T]) -> list[tuple[str, _T]]:
        """What each plugin returns from a ``register_*`` hook, a failing plugin recorded."""
        results: list[tuple[str, _T]] = []
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            name = self.manager.get_name(impl.plugin) or repr(impl.plugin)
            try:
                provided = list(impl.function() or ())
                for item in provided:
                    if not isinstance(item, kind):
                        raise TypeError(f"{hook} returned {item!r}, not a civicrecord."
                                        f"{kind.__name__}")
            except Exception as error:  # noqa: BLE001 - a plugin's fault is recorded
                self.faults.append(PluginFault(name, self._dist(name), hook,
                                               f"{type(error).__name__}: {error}"))
                continue
            results.extend((name, item) for item in provided)
        return results

    def extra_problems(self, report: Report) -> list[Problem]:
        """Problems from the plugins' ``validate_report`` hooks."""
        problems: list[Problem] = []
        for impl in reversed(self.manager.hook.validate_report.get_hookimpls()):
            name = self.manager.get_name(impl.plugin) or repr(impl.plugin)
            try:
                found = list(impl.function(report=report) or ())  # type: ignore[call-overload]
                for problem in found:
                    if not isinstance(problem, Problem):
                        raise TypeError(f"validate_report yielded {problem!r}, not a Problem")
            except Exception as error:  # noqa: BLE001 - a plugin's fault is reported
                problems.append(Problem(
                    Severity.ERROR, "", f"plugin {name!r} failed while validating: "
                    f"{type(error).__name__}: {error}", "fix or uninstall the plugin",
                ))
                continue
            problems.extend(found)
        return problems


def _hooks_of(manager: pluggy.PluginManager, plugin: object) -> tuple[str, ...]:
    return tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))


def load_plugins(
    extra: Iterable[object] = (),
    *,
    entry_points: bool | None = None,
    builtins: Sequence[str] = BUILTIN_PLUGINS,
) -> PluginSet:
    """A fresh plugin set: built-in formats, installed plugins, then ``extra``.

    ``entry_points`` defaults to on unless the environment variable
    ``CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD`` is set to a non-empty value.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    plugins = PluginSet(manager)
    from civicrecord._version import __version__

    for module_name in builtins:
        try:
            module = importlib.import_module(module_name)
        except Exception as error:  # noqa: BLE001 - a broken install must not stop the rest
            plugins.faults.append(PluginFault(module_name, "civicrecord", "import",
                                              f"{type(error).__name__}: {error}"))
            continue
        _register(plugins, module, module_name, "civicrecord", __version__, builtin=True)
    if entry_points is None:
        entry_points = not os.environ.get(DISABLE_ENTRY_POINTS_ENV)
    if entry_points:
        _load_entry_points(plugins)
    for index, plugin in enumerate(extra):
        name = getattr(plugin, "__name__", None) or f"plugin-{index}"
        _register(plugins, plugin, name, None, None, builtin=False)
    manager.check_pending()
    return plugins


def _register(plugins: PluginSet, plugin: Any, name: str, dist: str | None,
              version: str | None, *, builtin: bool) -> None:
    manager = plugins.manager
    if manager.is_registered(plugin):
        return  # the same module reached twice, e.g. a distribution seen on two paths
    if manager.has_plugin(name):
        other = plugins.infos.get(name)
        owner = f" from {other.distribution}" if other and other.distribution else ""
        plugins.faults.append(PluginFault(
            name, dist, "register",
            f"another plugin{owner} is already registered under the name {name!r}; "
            "rename the entry point",
        ))
        return
    try:
        manager.register(plugin, name=name)
    except Exception as error:  # noqa: BLE001 - e.g. a misspelt hook argument
        plugins.faults.append(PluginFault(name, dist, "register", f"{error}"))
        return
    unknown = _unknown_hooks(manager, plugin)
    if unknown:
        # What check_pending() would raise for everyone, recorded against this plugin
        # alone: a misspelt hook would otherwise never be called, and nobody would know.
        manager.unregister(plugin)
        plugins.faults.append(PluginFault(name, dist, "register", "; ".join(unknown)))
        return
    plugins.infos[name] = PluginInfo(name, dist, version, _hooks_of(plugins.manager, plugin),
                                     builtin)


def _unknown_hooks(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """Say which of a plugin's hook implementations match no civicrecord hook."""
    import difflib  # only for a plugin with an unknown hook; not worth importing at start-up

    messages = []
    for caller in manager.get_hookcallers(plugin) or ():
        if caller.has_spec():
            continue
        if all(impl.optionalhook for impl in caller.get_hookimpls() if impl.plugin is plugin):
            continue
        known = [name for name in dir(hookspecs) if manager.parse_hookspec_opts(hookspecs, name)]
        guess = difflib.get_close_matches(caller.name, known, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        messages.append(f"unknown hook {caller.name!r}{hint}; civicrecord's hooks are "
                        f"{', '.join(sorted(known))}")
    return messages


def _load_entry_points(plugins: PluginSet) -> None:
    for found in installed_entry_points():
        try:
            plugin: ModuleType | object = found.entry_point.load()
        except Exception as error:  # noqa: BLE001 - one broken plugin must not stop others
            plugins.faults.append(PluginFault(found.entry_point.name, found.distribution,
                                              "import", f"{type(error).__name__}: {error}"))
            continue
        _register(plugins, plugin, found.entry_point.name, found.distribution, found.version,
                  builtin=False)


_current: tuple[object, PluginSet] | None = None


def current_plugins() -> PluginSet:
    """The plugins installed now: what API calls made without a plugin set use.

    Built by :func:`load_plugins` and kept while nothing it depends on changes:
    ``sys.path``, the folders on it (installing, upgrading or removing a
    distribution changes them), and ``CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD``.
    A long-running program therefore sees a newly installed format on its next
    call, without paying for discovery on every call. The set is shared, so
    treat it as read-only; its hooks have already been asked for their
    formats, and a plugin that failed is tried again once the environment
    changes.
    """
    global _current
    entry_points = not os.environ.get(DISABLE_ENTRY_POINTS_ENV)
    key = (environment_fingerprint(),) if entry_points else ()
    current = _current
    if current is not None and current[0] == key and None not in key:
        return current[1]
    plugins = load_plugins(entry_points=entry_points)
    # Run the hooks now, before other threads share the set; a conflict is kept in
    # the set and raised again to whoever asks it for a format.
    with contextlib.suppress(PluginError):
        plugins.renderers()
    if None not in key:
        _current = (key, plugins)
    return plugins
