"""The example as Markdown for pandoc, while the Markdown plugin is not installed.

The benchmark prefers ``civicrecord.render(report, "markdown")`` (the
civicrecord-markdown plugin) and falls back to this function only when no
``markdown`` format is available. It writes what a person would otherwise
type for pandoc: a title block, one heading per axis and per action, the
texts, and the key figures as bullets. Text is escaped so pandoc reads it as
text, never as markup.
"""

from __future__ import annotations

import re

from civicrecord import Indicator, Report

__all__ = ["report_markdown"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~^$@])")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _text(text: str) -> str:
    """Plain report text: blank lines separate paragraphs, '- ' lines are bullets."""
    out = []
    for chunk in text.split("\n\n"):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            out.append("\n".join(f"- {_escape(line[2:])}" for line in lines))
        else:
            out.append(_escape(" ".join(lines)))
    return "\n\n".join(out)


def _figure(indicator: Indicator) -> str:
    unit = f" {indicator.unit}" if indicator.unit else ""
    line = f"- **{_escape(str(indicator.value))}{_escape(unit)}** {_escape(indicator.label)}"
    for breakdown in indicator.breakdowns:
        parts = ", ".join(f"{_escape(str(p.value))} {_escape(p.label)}" for p in breakdown.parts)
        line += f" (dont {parts})"
    if indicator.source is not None:
        line += f" — source : {_escape(indicator.source.name)}"
    return line


def report_markdown(report: Report) -> str:
    """The report as pandoc Markdown with a title block."""
    title = _escape(report.title)
    lines = [
        "---",
        f"title: \"{title}\"",
        *([f"subtitle: \"{_escape(report.subtitle)}\""] if report.subtitle else []),
        f"author: \"{_escape(report.authority.name)}\"",
        f"lang: {report.language}",
        "---",
        "",
        "# Introduction",
        "",
        _text(report.introduction.situation),
        "",
        _text(report.introduction.aim),
        "",
    ]
    for axis in report.axes:
        lines += [f"# {_escape(axis.title)}", "", "## Le besoin au départ", "",
                  _text(axis.need), "", "## Ce que nous avons décidé et fait", ""]
        for action in axis.actions:
            lines += [f"### {_escape(action.title)}", "", _text(action.description), "",
                      f"*État : {action.status.value}*", ""]
            if action.indicators:
                lines += [_figure(i) for i in action.indicators] + [""]
        if axis.indicators:
            lines += ["## En chiffres", ""] + [_figure(i) for i in axis.indicators] + [""]
        lines += ["## Ce que cela a changé", "", _text(axis.outcome), ""]
    return "\n".join(lines)
