"""civicrecord-decidim: import the results of a Decidim Accountability component.

Decidim is the open-source participation platform many cities publish their
action plans on; its Accountability component lists the plan's results with
their status, progress, dates and places, and its admin exports them as JSON
or CSV. This plugin registers the importer ``decidim`` through civicrecord's
``register_importers`` hook::

    civicrecord import results.json -o my-report [--language fr]

writes a report folder whose axes are the results' categories and whose
actions are the results (see :mod:`civicrecord_decidim.mapping`).
"""

from __future__ import annotations

from pathlib import Path

import civicrecord
from civicrecord.importer import Importer, ImportOptions, ImportResult, SourceError
from civicrecord.problems import Location, Problem, Severity

__all__ = ["detect", "read", "register_importers"]
__version__ = "0.1.0"


def detect(source: Path) -> bool:
    """True if ``source`` starts like a Decidim Accountability export (JSON or CSV)."""
    from civicrecord_decidim.export import looks_like_export

    return looks_like_export(source)


def read(source: Path, options: ImportOptions) -> ImportResult:
    """Read a Decidim Accountability export into a report; SourceError if it is not one."""
    from civicrecord_decidim.export import read_export
    from civicrecord_decidim.mapping import map_results

    name, results = read_export(source)
    if not results:
        raise SourceError([Problem(Severity.ERROR, "", "the export holds no result",
                                   "export a component that has results", Location(name))])
    return map_results(results, name, options.language)


@civicrecord.hookimpl
def register_importers() -> list[Importer]:
    return [
        Importer(
            name="decidim",
            description="results of a Decidim Accountability component, exported as JSON "
            "or CSV",
            detect=detect,
            read=read,
        )
    ]
