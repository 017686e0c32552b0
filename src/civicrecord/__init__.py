"""civicrecord: a city's account of what it did for a neighbourhood, as data and documents.

Load a report (a folder or a YAML, TOML or JSON file), check it, and render it
to Word, HTML, JSON or any format an installed plugin provides::

    import civicrecord

    report = civicrecord.load("examples/hauts_de_chambery")
    html = civicrecord.render(report, "html")
    civicrecord.write(report, "docx", "build")
"""

from civicrecord._version import __version__
from civicrecord.api import formats, load, read, render, validate, write
from civicrecord.model import (
    Action,
    ActionStatus,
    Authority,
    Breakdown,
    BreakdownKind,
    BreakdownPart,
    Budget,
    Indicator,
    IndicatorPeriod,
    Introduction,
    MeasureKind,
    Milestone,
    Neighbourhood,
    PartialDate,
    Partner,
    PartnerKind,
    PeriodKind,
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
from civicrecord.renderer import RenderContext, Renderer, RenderError
from civicrecord.validation import Location, Problem, Severity, ValidationError

__all__ = [
    "Action",
    "ActionStatus",
    "Authority",
    "Breakdown",
    "BreakdownKind",
    "BreakdownPart",
    "Budget",
    "Indicator",
    "IndicatorPeriod",
    "Introduction",
    "Location",
    "MeasureKind",
    "Milestone",
    "Neighbourhood",
    "PartialDate",
    "Partner",
    "PartnerKind",
    "PeriodKind",
    "Place",
    "PlaceKind",
    "Problem",
    "Programme",
    "ReferencePoint",
    "RenderContext",
    "RenderError",
    "Renderer",
    "Report",
    "ReportingPeriod",
    "Severity",
    "Source",
    "ThematicAxis",
    "ValidationError",
    "__version__",
    "formats",
    "hookimpl",
    "load",
    "read",
    "render",
    "validate",
    "write",
]
