"""civicrecord: a city's account of what it did for a neighbourhood, as data and documents.

Load a report (a folder or a YAML, TOML or JSON file), check it, and render it
to Word, HTML, JSON or any format an installed plugin provides::

    import civicrecord

    report = civicrecord.load("examples/hauts_de_chambery")
    html = civicrecord.render(report, "html")
    civicrecord.write(report, "docx", "build")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from civicrecord._version import __version__

if TYPE_CHECKING:
    from civicrecord.api import ArgumentError, formats, load, read, render, validate, write
    from civicrecord.change import Change, Point, Verdict, figure_change
    from civicrecord.command import Command
    from civicrecord.importer import Importer, ImportOptions, ImportResult
    from civicrecord.model import (
        Action,
        ActionStatus,
        Authority,
        Breakdown,
        BreakdownKind,
        BreakdownPart,
        Budget,
        Direction,
        Indicator,
        IndicatorPeriod,
        Introduction,
        MeasureKind,
        Milestone,
        Neighbourhood,
        Observation,
        PartialDate,
        Partner,
        PartnerKind,
        PeriodKind,
        Picture,
        Place,
        PlaceKind,
        Programme,
        ReferencePoint,
        Report,
        ReportingPeriod,
        Source,
        ThematicAxis,
    )
    from civicrecord.plugins.hookspecs import hookimpl
    from civicrecord.problems import Location, Problem, Severity, ValidationError
    from civicrecord.renderer import (
        OptionError,
        RenderContext,
        Renderer,
        RendererOption,
        RenderError,
    )

# Public names are imported on first use, so `import civicrecord` stays cheap for
# command-line start-up; type checkers see the real imports above.
_LAZY = {
    "formats": "civicrecord.api",
    "load": "civicrecord.api",
    "read": "civicrecord.api",
    "render": "civicrecord.api",
    "validate": "civicrecord.api",
    "write": "civicrecord.api",
    "Action": "civicrecord.model",
    "ActionStatus": "civicrecord.model",
    "Authority": "civicrecord.model",
    "Breakdown": "civicrecord.model",
    "BreakdownKind": "civicrecord.model",
    "BreakdownPart": "civicrecord.model",
    "Budget": "civicrecord.model",
    "Change": "civicrecord.change",
    "Direction": "civicrecord.model",
    "Point": "civicrecord.change",
    "Verdict": "civicrecord.change",
    "figure_change": "civicrecord.change",
    "Observation": "civicrecord.model",
    "Indicator": "civicrecord.model",
    "IndicatorPeriod": "civicrecord.model",
    "Introduction": "civicrecord.model",
    "MeasureKind": "civicrecord.model",
    "Milestone": "civicrecord.model",
    "Neighbourhood": "civicrecord.model",
    "PartialDate": "civicrecord.model",
    "Partner": "civicrecord.model",
    "PartnerKind": "civicrecord.model",
    "PeriodKind": "civicrecord.model",
    "Picture": "civicrecord.model",
    "Place": "civicrecord.model",
    "PlaceKind": "civicrecord.model",
    "Programme": "civicrecord.model",
    "ReferencePoint": "civicrecord.model",
    "Report": "civicrecord.model",
    "ReportingPeriod": "civicrecord.model",
    "Source": "civicrecord.model",
    "ThematicAxis": "civicrecord.model",
    "hookimpl": "civicrecord.plugins.hookspecs",
    "ArgumentError": "civicrecord.api",
    "Command": "civicrecord.command",
    "Importer": "civicrecord.importer",
    "ImportOptions": "civicrecord.importer",
    "ImportResult": "civicrecord.importer",
    "RenderContext": "civicrecord.renderer",
    "Renderer": "civicrecord.renderer",
    "RenderError": "civicrecord.renderer",
    "RendererOption": "civicrecord.renderer",
    "OptionError": "civicrecord.renderer",
    "Location": "civicrecord.problems",
    "Problem": "civicrecord.problems",
    "Severity": "civicrecord.problems",
    "ValidationError": "civicrecord.problems",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'civicrecord' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Action",
    "ActionStatus",
    "ArgumentError",
    "Authority",
    "Breakdown",
    "BreakdownKind",
    "BreakdownPart",
    "Budget",
    "Change",
    "Command",
    "Direction",
    "ImportOptions",
    "ImportResult",
    "Importer",
    "Indicator",
    "IndicatorPeriod",
    "Introduction",
    "Location",
    "MeasureKind",
    "Milestone",
    "Neighbourhood",
    "Observation",
    "OptionError",
    "PartialDate",
    "Partner",
    "PartnerKind",
    "PeriodKind",
    "Picture",
    "Place",
    "PlaceKind",
    "Point",
    "Problem",
    "Programme",
    "ReferencePoint",
    "RenderContext",
    "RenderError",
    "Renderer",
    "RendererOption",
    "Report",
    "ReportingPeriod",
    "Severity",
    "Source",
    "ThematicAxis",
    "ValidationError",
    "Verdict",
    "__version__",
    "figure_change",
    "formats",
    "hookimpl",
    "load",
    "read",
    "render",
    "validate",
    "write",
]
