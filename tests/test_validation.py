"""Every validation rule: a bad input per rule, with the exact place, path, message and hint.

Each case edits one line of ``tests/hostile/base.yaml`` (a small valid report,
its line numbers shown in the comments below) and checks the problems
``civicrecord.validate`` returns, written as the command line prints them:
``FILE:LINE:COL: severity: path: message (hint)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import civicrecord
from civicrecord.convert import to_plain
from civicrecord.model import Breakdown, BreakdownPart, Report
from civicrecord.problems import Location, Problem, Severity, ValidationError, format_path
from civicrecord.text import illegal_characters
from civicrecord.validation import (
    MAX_ID_LENGTH,
    MAX_STRING_LENGTH,
    check_plain_data,
    check_report,
)
from strategies import XML_ILLEGAL, reports, texts

BASE = (Path(__file__).parent / "hostile" / "base.yaml").read_text(encoding="utf-8")
ACTION = "axes[0].actions[0]"  # lines 34-65
FIGURE = ACTION + ".indicators[0]"  # lines 50-65


def edit(*replacements: tuple[str, str]) -> str:
    """The base report with each ``old`` line replaced by ``new`` (which must exist once)."""
    text = BASE
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


Problems = Callable[..., list[str]]


@pytest.fixture
def problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Problems:
    """Write a report as r.yaml (or another name) and return its problems as printed."""
    monkeypatch.chdir(tmp_path)

    def run(text: str, name: str = "r.yaml") -> list[str]:
        Path(name).write_text(text, encoding="utf-8")
        return [str(problem) for problem in civicrecord.validate(name)]

    return run


def test_the_base_report_has_no_problem(problems: Problems) -> None:
    assert problems(BASE) == []


# --- Required fields ------------------------------------------------------------------


def test_a_missing_required_field_is_named_where_it_belongs(problems: Problems) -> None:
    text = edit(("        status: done\n", ""), ("  city: Demo\n", ""))
    assert problems(text) == [
        "r.yaml:10:1: error: neighbourhood.city: required field is missing (add 'city:' here)",
        "r.yaml:33:9: error: axes[0].actions[0].status: required field is missing "
        "(add 'status:' here)",
    ]


def test_every_missing_field_of_the_report_is_listed_at_once(problems: Problems) -> None:
    assert problems("# only a title\ntitle: Demo\n") == [
        f"r.yaml:2:1: error: {name}: required field is missing (add '{name}:' here)"
        for name in ("authority", "axes", "id", "introduction", "language", "neighbourhood",
                     "period")
    ]


# --- Strict types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title: Action A", "title: 3",
         "r.yaml:35:9: error: axes[0].actions[0].title: expected text, got a number (3) "
         "(put the value in quotes)"),
        ("title: Action A", "title: true",
         "r.yaml:35:9: error: axes[0].actions[0].title: expected text, got true/false (true) "
         "(put the value in quotes)"),
        ("title: Action A", "title: [Action, A]",
         "r.yaml:35:9: error: axes[0].actions[0].title: expected text, got a list"),
        ("amount: 350000", 'amount: "350000"',
         "r.yaml:47:11: error: axes[0].actions[0].budget.amount: expected a number, got text "
         "('350000') (write digits only, without quotes)"),
        ("amount: 350000", "amount: true",
         "r.yaml:47:11: error: axes[0].actions[0].budget.amount: expected a number, got "
         "true/false (true) (write digits only, without quotes)"),
        ("value: 423", "value: false",
         "r.yaml:53:13: error: axes[0].actions[0].indicators[0].value: expected a number or a "
         "text, got true/false (false)"),
        ("  description: A neighbourhood.", "  description: A neighbourhood.\n  population: 1.5",
         "r.yaml:15:3: error: neighbourhood.population: expected a whole number, got a number "
         "(1.5) (write digits only, without quotes)"),
        ("  description: A neighbourhood.", '  description: A neighbourhood.\n  population: "9"',
         "r.yaml:15:3: error: neighbourhood.population: expected a whole number, got text ('9') "
         "(write digits only, without quotes)"),
        ("places: [place-a]", "places: place-a",
         "r.yaml:40:9: error: axes[0].actions[0].places: expected a list, got text ('place-a') "
         "(write one '- item' per line)"),
        ("authority:\n  name: Ville de Demo", "authority:\n  name: null",
         "r.yaml:6:3: error: authority.name: expected text, got nothing (null)"),
        ("  start: 2020", "  start: true",
         "r.yaml:8:3: error: period.start: expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got "
         "true/false (true)"),
        ("authority:\n  name: Ville de Demo", "authority: Ville de Demo\n# (was a mapping)",
         "r.yaml:5:1: error: authority: expected a mapping of fields (name, url), got text "
         "('Ville de Demo') (indent the fields under this key)"),
    ],
    ids=["int-as-text", "bool-as-text", "list-as-text", "text-as-number", "bool-as-number",
         "bool-as-value", "float-as-int", "text-as-int", "text-as-list", "null-as-text",
         "bool-as-date", "text-as-mapping"],
)
def test_types_are_strict(problems: Problems, old: str, new: str, expected: str) -> None:
    assert problems(edit((old, new))) == [expected]


def test_a_string_is_never_read_as_a_list_of_characters() -> None:
    from civicrecord.convert import structure_problems

    data = to_plain(civicrecord.load(Path(__file__).parent / "hostile" / "base.yaml"))
    data["axes"][0]["actions"][0]["partners"] = "partner-a"
    report, found = structure_problems(data)
    assert report is None
    assert [(p.path, p.message) for p in found] == [
        ("axes[0].actions[0].partners", "expected a list, got text ('partner-a')")
    ]


# --- Unknown keys and enum values --------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    outcome: What it changed.", "    outcome: What it changed.\n    indicatrs: []",
         "r.yaml:33:5: error: axes[0].indicatrs: unknown key 'indicatrs' "
         "(did you mean 'indicators'?)"),
        ("title: Demo neighbourhood", "titel: Demo neighbourhood",
         "r.yaml:3:1: error: titel: unknown key 'titel' (did you mean 'title'?)"),
        ("      kind: building", "      kind: building\n      colour: blue",
         "r.yaml:19:7: error: neighbourhood.places[0].colour: unknown key 'colour' "
         "(allowed: id, name, kind, description, latitude, longitude)"),
    ],
    ids=["nested-typo", "top-level-typo", "no-close-match"],
)
def test_unknown_keys_are_errors_with_a_hint(
    problems: Problems, old: str, new: str, expected: str
) -> None:
    found = problems(edit((old, new)))
    assert expected in found
    if "titel" in expected:  # the misspelt field is then also missing
        assert "r.yaml:2:1: error: title: required field is missing (add 'title:' here)" in found


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("status: done", "status: dune",
         "r.yaml:37:9: error: axes[0].actions[0].status: expected one of: planned, "
         "in-progress, done, ongoing, abandoned, not-assessed, got text ('dune') "
         "(did you mean 'done'?)"),
        ("status: done", "status: finished",
         "r.yaml:37:9: error: axes[0].actions[0].status: expected one of: planned, "
         "in-progress, done, ongoing, abandoned, not-assessed, got text ('finished')"),
        ("kind: part-of-total", "kind: part_of_total",
         "r.yaml:59:17: error: axes[0].actions[0].indicators[0].breakdowns[0].kind: expected "
         "one of: part-of-total, complete-split, got text ('part_of_total') "
         "(did you mean 'part-of-total'?)"),
        ("kind: over-the-term", "kind: 3",
         "r.yaml:56:15: error: axes[0].actions[0].indicators[0].period.kind: expected one of: "
         "per-year, per-month, per-week, over-the-term, as-of, one-off, got a number (3)"),
    ],
    ids=["close", "far", "underscores", "number"],
)
def test_enum_values_list_what_is_allowed(
    problems: Problems, old: str, new: str, expected: str
) -> None:
    assert problems(edit((old, new))) == [expected]


# --- Ids: unique per kind, slugs, not too long -----------------------------------------------

_SECOND_AXIS = """
  - id: axis-b
    title: Axis B
    need: N.
    outcome: O.
    actions:
      - id: action-b
        title: T.
        description: D.
        status: done
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + _SECOND_AXIS.replace("axis-b", "axis-a"),
         "r.yaml:67:5: error: axes[1].id: duplicate axis id 'axis-a', already used at "
         "axes[0].id (every axis needs its own id)"),
        (BASE + _SECOND_AXIS.replace("action-b", "action-a"),
         "r.yaml:72:9: error: axes[1].actions[0].id: duplicate action id 'action-a', already "
         "used at axes[0].actions[0].id (every action needs its own id)"),
        (edit(("    outcome: What it changed.", "    outcome: What it changed.\n"
               "    indicators: [{id: people-supported, label: l, kind: count, value: 1}]")),
         "r.yaml:51:13: error: axes[0].actions[0].indicators[0].id: duplicate indicator id "
         "'people-supported', already used at axes[0].indicators[0].id "
         "(every indicator needs its own id)"),
        (edit(("      kind: building", "      kind: building\n    - {id: place-a, name: B}")),
         "r.yaml:19:8: error: neighbourhood.places[1].id: duplicate place id 'place-a', already "
         "used at neighbourhood.places[0].id (every place needs its own id)"),
        (edit(("    name: Partner A", "    name: Partner A\n  - {id: partner-a, name: B}")),
         "r.yaml:22:6: error: partners[1].id: duplicate partner id 'partner-a', already used "
         "at partners[0].id (every partner needs its own id)"),
        (edit(("    name: Programme A", "    name: Programme A\n  - {id: programme-a, name: B}")),
         "r.yaml:25:6: error: programmes[1].id: duplicate programme id 'programme-a', already "
         "used at programmes[0].id (every programme needs its own id)"),
    ],
    ids=["axis", "action", "indicator", "place", "partner", "programme"],
)
def test_ids_are_unique_within_each_kind(problems: Problems, text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_the_same_id_may_name_things_of_different_kinds(problems: Problems) -> None:
    text = edit(("id: place-a", "id: shared"), ("places: [place-a]", "places: [shared]"),
                ("id: partner-a", "id: shared"), ("partners: [partner-a]", "partners: [shared]"),
                ("id: action-a", "id: shared"), ("id: axis-a", "id: shared"))
    assert problems(text) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("id: action-a", "id: ../x",
         "r.yaml:34:9: error: axes[0].actions[0].id: action id '../x' is not a slug (use "
         "lowercase ASCII letters, digits and single hyphens, e.g. 'x')"),
        ("id: demo-2020-2026", "id: Démo 2020",
         "r.yaml:2:1: error: id: report id 'Démo 2020' is not a slug (use lowercase ASCII "
         "letters, digits and single hyphens, e.g. 'demo-2020')"),
        ("  id: demo", "  id: demo--x",
         "r.yaml:11:3: error: neighbourhood.id: neighbourhood id 'demo--x' is not a slug (use "
         "lowercase ASCII letters, digits and single hyphens, e.g. 'demo-x')"),
        ("id: axis-a", "id: '-'",
         "r.yaml:29:5: error: axes[0].id: axis id '-' is not a slug (use lowercase ASCII "
         "letters, digits and single hyphens, e.g. 'my-axis')"),
        ("id: action-a", "id: " + "a" * (MAX_ID_LENGTH + 1),
         f"r.yaml:34:9: error: axes[0].actions[0].id: id is {MAX_ID_LENGTH + 1} characters "
         f"long, over the limit of {MAX_ID_LENGTH} (MAX_ID_LENGTH) (use a short slug)"),
    ],
    ids=["path-traversal", "accents-and-space", "double-hyphen", "only-a-hyphen", "too-long"],
)
def test_ids_are_short_slugs(problems: Problems, old: str, new: str, expected: str) -> None:
    assert problems(edit((old, new))) == [expected]


def test_an_id_of_exactly_the_maximum_length_is_accepted(problems: Problems) -> None:
    assert problems(edit(("id: action-a", "id: " + "a" * MAX_ID_LENGTH))) == []


# --- References -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("places: [place-a]", "places: [place-b]",
         "r.yaml:40:18: error: axes[0].actions[0].places[0]: place 'place-b' is not listed in "
         "neighbourhood.places (did you mean 'place-a'?)"),
        ("partners: [partner-a]", "partners: [partner-a, ccas]",
         "r.yaml:41:31: error: axes[0].actions[0].partners[1]: partner 'ccas' is not listed in "
         "partners (add an entry with id 'ccas' to partners)"),
        ("programmes: [programme-a]", "programmes: [programe-a]",
         "r.yaml:42:22: error: axes[0].actions[0].programmes[0]: programme 'programe-a' is not "
         "listed in programmes (did you mean 'programme-a'?)"),
    ],
    ids=["place", "partner", "programme"],
)
def test_references_must_resolve(problems: Problems, old: str, new: str, expected: str) -> None:
    assert problems(edit((old, new))) == [expected]


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("start: 2021", "start: 2019",
         "r.yaml:38:9: warning: axes[0].actions[0].start: date 2019 is outside the report "
         "period 2020-2026 (check the year, or say in the text why it matters here)"),
        ('end: "2023-06"', 'end: "2027-01"',
         "r.yaml:39:9: warning: axes[0].actions[0].end: date 2027-01 is outside the report "
         "period 2020-2026 (check the year, or say in the text why it matters here)"),
        ('date: "2021-05-03"', 'date: "2019-12-31"',
         "r.yaml:44:13: warning: axes[0].actions[0].milestones[0].date: date 2019-12-31 is "
         "outside the report period 2020-2026 (check the year, or say in the text why it "
         "matters here)"),
        ("kind: over-the-term", "kind: as-of\n              date: 2030",
         "r.yaml:57:15: warning: axes[0].actions[0].indicators[0].period.date: date 2030 is "
         "outside the report period 2020-2026 (check the year, or say in the text why it "
         "matters here)"),
    ],
    ids=["action-start", "action-end", "milestone", "indicator-as-of"],
)
def test_dates_outside_the_period_are_warnings(problems: Problems, old: str, new: str,
                                               expected: str, tmp_path: Path) -> None:
    assert problems(edit((old, new))) == [expected]
    assert civicrecord.load(tmp_path / "r.yaml").id == "demo-2020-2026"  # warnings don't stop


@pytest.mark.parametrize(
    ("old", "new"),
    [("start: 2021", "start: 2020"), ("start: 2021", 'start: "2020-01-01"'),
     ('end: "2023-06"', "end: 2026"), ('end: "2023-06"', 'end: "2026-12-31"')],
)
def test_the_period_includes_both_its_ends(problems: Problems, old: str, new: str) -> None:
    assert problems(edit((old, new))) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('end: "2023-06"', "end: 2026-02-30",
         "r.yaml:39:9: error: axes[0].actions[0].end: day 30 does not exist in 2026-02 (it has "
         "28 days)"),
        ("  end: 2026", "  end: 2019",
         "r.yaml:9:3: error: period.end: the period ends (2019) before it starts (2020) "
         "(swap start and end)"),
        ("start: 2021", "start: 2024",
         "r.yaml:39:9: error: axes[0].actions[0].end: the action ends (2023-06) before it "
         "starts (2024) (swap start and end)"),
        ("kind: over-the-term", "kind: as-of",
         "r.yaml:55:13: error: axes[0].actions[0].indicators[0].period.date: 'as-of' needs a "
         "date (add date: YYYY, YYYY-MM or YYYY-MM-DD)"),
    ],
    ids=["impossible", "period-reversed", "action-reversed", "as-of-without-date"],
)
def test_dates_must_exist_and_run_forwards(
    problems: Problems, old: str, new: str, expected: str
) -> None:
    assert problems(edit((old, new))) == [expected]


# --- Numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("value: 160", "value: 424",
         "r.yaml:62:21: error: axes[0].actions[0].indicators[0].breakdowns[0].parts[0].value: "
         "part 424 is larger than the total 423 (a part of the total cannot exceed it)"),
        ("kind: part-of-total", "kind: complete-split",
         "r.yaml:60:17: error: axes[0].actions[0].indicators[0].breakdowns[0].parts: a "
         "complete split must add up to 423, but its parts add up to 160 (fix a part, or use "
         "kind 'part-of-total' if parts may overlap)"),
        ("                parts:\n", "                parts: []\n# no part\n",
         "r.yaml:60:17: error: axes[0].actions[0].indicators[0].breakdowns[0].parts: a "
         "breakdown needs at least one part"),
    ],
    ids=["part-over-total", "split-short", "no-part"],
)
def test_breakdowns_agree_with_their_total(
    problems: Problems, old: str, new: str, expected: str
) -> None:
    text = edit((old, new))
    if "parts: []" in new:
        text = text.replace("                  - label: under 30\n                    value: 160\n",
                            "")
    assert problems(text) == [expected]


def test_a_complete_split_that_adds_up_is_accepted(problems: Problems) -> None:
    text = edit(("kind: part-of-total", "kind: complete-split"),
                ("                    value: 160", "                    value: 160\n"
                 "                  - label: 30 and over\n                    value: 263"))
    assert problems(text) == []


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=6), st.integers(-3, 3))
def test_a_complete_split_must_add_up_exactly(parts: list[int], offset: int) -> None:
    report = _base_report()
    figure = report.axes[0].actions[0].indicators[0]
    breakdown = Breakdown("age", civicrecord.BreakdownKind.COMPLETE_SPLIT,
                          tuple(BreakdownPart(f"part {i}", v) for i, v in enumerate(parts)))
    total = sum(parts) + offset
    figure = attrs.evolve(figure, value=total, breakdowns=(breakdown,))
    found = [p for p in check_report(_with_figure(report, figure)) if p.is_error]
    if offset == 0:
        assert found == []
    elif total < 0:
        assert [p.path for p in found] == [FIGURE + ".value"]  # reported once, at the total
    else:
        assert [(p.path, p.message) for p in found] == [
            (FIGURE + ".breakdowns[0].parts", f"a complete split must add up to {total}, but "
             f"its parts add up to {sum(parts)}")
        ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("value: 423", "value: -1",
         "r.yaml:53:13: error: axes[0].actions[0].indicators[0].value: a count or amount cannot "
         "be negative (-1) (write the number without a minus sign)"),
        ("amount: 350000", "amount: -0.5",
         "r.yaml:47:11: error: axes[0].actions[0].budget.amount: a count or amount cannot be "
         "negative (-0.5) (write the number without a minus sign)"),
        ("value: 160", "value: -160",
         "r.yaml:62:21: error: axes[0].actions[0].indicators[0].breakdowns[0].parts[0].value: "
         "a count or amount cannot be negative (-160) (write the number without a minus sign)"),
        ("value: 423", "value: 42.5",
         "r.yaml:53:13: error: axes[0].actions[0].indicators[0].value: a count is a whole "
         "number, not 42.5 (for a ratio use kind 'percentage')"),
    ],
    ids=["count", "budget", "breakdown-part", "fraction-of-a-count"],
)
def test_counts_and_amounts_are_not_negative(
    problems: Problems, old: str, new: str, expected: str
) -> None:
    assert problems(edit((old, new))) == [expected]


def test_a_percentage_may_be_negative(problems: Problems) -> None:
    text = edit(("kind: count\n", "kind: percentage\n"), ("value: 423", "value: -12.5"),
                ("            breakdowns:\n", "            breakdowns: []\n"),
                ("              - dimension: age\n                kind: part-of-total\n"
                 "                parts:\n                  - label: under 30\n"
                 "                    value: 160\n", ""))
    assert problems(text) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("value: 423", "value: .nan",
         "r.yaml:53:13: error: axes[0].actions[0].indicators[0].value: nan is not a finite "
         "number (write an ordinary number)"),
        ("amount: 350000", "amount: .inf",
         "r.yaml:47:11: error: axes[0].actions[0].budget.amount: inf is not a finite number "
         "(write an ordinary number)"),
        ("value: 160", "value: -.Inf",
         "r.yaml:62:21: error: axes[0].actions[0].indicators[0].breakdowns[0].parts[0].value: "
         "-inf is not a finite number (write an ordinary number)"),
        ("      kind: over-the-term", "      kind: over-the-term\n            direction: higher"
         "\n            baseline: {value: .NaN}",
         "r.yaml:58:24: error: axes[0].actions[0].indicators[0].baseline.value: nan is not a "
         "finite number (write an ordinary number)"),
    ],
    ids=["value", "budget", "part", "baseline"],
)
def test_numbers_are_finite(problems: Problems, old: str, new: str, expected: str) -> None:
    assert problems(edit((old, new))) == [expected]


# --- Kinds of figures --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("kind: count\n", "kind: qualitative\n",
         "r.yaml:53:13: error: axes[0].actions[0].indicators[0].value: a qualitative "
         "indicator's value is a statement, not a number (use kind 'count' for a number, or "
         "write the value as text)"),
        ("value: 423", 'value: "423"',
         "r.yaml:53:13: error: axes[0].actions[0].indicators[0].value: a count indicator needs "
         "a number, not '423' (write the number alone, or use kind 'qualitative')"),
        ("kind: count\n", "kind: duration\n",
         "r.yaml:54:13: error: axes[0].actions[0].indicators[0].unit: a duration needs a time "
         "unit, not 'person' (one of: second, minute, hour, day, week, month, year)"),
        ("kind: count\n", "kind: money\n",
         "r.yaml:54:13: error: axes[0].actions[0].indicators[0].unit: money needs an ISO 4217 "
         "currency code, not 'person' (for euros write 'EUR')"),
        ("url: https://example.org/report", "url: example.org/report",
         "r.yaml:65:15: error: axes[0].actions[0].indicators[0].source.url: 'example.org/report'"
         " is not a web address (write a full address starting with https:// (or mailto: for an"
         " e-mail address))"),
    ],
    ids=["qualitative-number", "count-text", "duration-unit", "money-unit", "url"],
)
def test_figures_are_consistent_with_their_kind(problems: Problems, old: str, new: str,
                                                expected: str) -> None:
    assert problems(edit((old, new))) == [expected]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("money", "money needs a currency, and unit is missing (add unit: with an ISO 4217 "
         "code, such as 'EUR')"),
        ("frequency", "a frequency needs a time unit, unit is missing (one of: second, minute, "
         "hour, day, week, month, year)"),
    ],
)
def test_a_figure_without_the_unit_its_kind_needs_is_told_to_add_it(
        problems: Problems, kind: str, expected: str) -> None:
    """A left-out unit is said as missing, never as Python's ``None``."""
    text = edit(("kind: count\n", f"kind: {kind}\n"), ("            unit: person\n", ""))
    assert problems(text) == [f"r.yaml:50:13: error: {FIGURE}.unit: {expected}"]


# --- Codes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("language: fr-FR", "language: xx-YY",
         "r.yaml:4:1: error: language: unknown language code 'xx-YY' (use a BCP 47 code such as "
         "'fr-FR', 'fr' or 'en-GB')"),
        ("language: fr-FR", "language: fr_FR",
         "r.yaml:4:1: error: language: 'fr_FR' is not a BCP 47 code (write 'fr-FR', with a "
         "hyphen)"),
        ("language: fr-FR", "language: ''",
         "r.yaml:4:1: error: language: unknown language code '' (use a BCP 47 code such as "
         "'fr-FR', 'fr' or 'en-GB')"),
        ("currency: EUR", "currency: eur",
         "r.yaml:48:11: error: axes[0].actions[0].budget.currency: unknown currency code 'eur' "
         "(use an ISO 4217 code such as 'EUR')"),
        ("currency: EUR", "currency: EURO",
         "r.yaml:48:11: error: axes[0].actions[0].budget.currency: unknown currency code "
         "'EURO' (use an ISO 4217 code such as 'EUR')"),
    ],
    ids=["unknown-language", "underscore", "empty-language", "lowercase-currency", "currency"],
)
def test_language_and_currency_codes_are_known(
    problems: Problems, old: str, new: str, expected: str
) -> None:
    assert problems(edit((old, new))) == [expected]


@pytest.mark.parametrize("code", ["fr", "fr-FR", "en-GB", "de-CH", "ar", "zh-Hant-TW", "es-419"])
def test_common_language_tags_are_accepted(problems: Problems, code: str) -> None:
    assert problems(edit(("language: fr-FR", f"language: {code}"))) == []


# --- Texts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "line", "column"),
    [
        ("title: Action A", 'title: "  "', ACTION + ".title", 35, 9),
        ("label: people supported", "label: ''", FIGURE + ".label", 51, 13),
        ("    need: The need at the start.", '    need: "\\n\\t"', "axes[0].need", 31, 5),
        ("  aim: What the city aimed for.", "  aim: '\u3000'", "introduction.aim", 27, 3),
        ("dimension: age", "dimension: ' '", FIGURE + ".breakdowns[0].dimension", 58, 17),
        ("    name: Partner A", "    name: ''", "partners[0].name", 21, 5),
    ],
)
def test_required_texts_say_something(problems: Problems, old: str, new: str, path: str,
                                      line: int, column: int) -> None:
    assert problems(edit((old, new))) == [
        f"r.yaml:{line}:{column}: error: {path}: text is empty (write something, or remove the "
        "entry)"
    ]


@pytest.mark.parametrize(
    ("character", "name"),
    [("\x00", "U+0000"), ("\x01", "U+0001"), ("\x08", "U+0008"), ("\x0b", "U+000B"),
     ("\x0c", "U+000C"), ("\x1b", "U+001B"), ("\x1f", "U+001F"), ("\x7f", "U+007F"),
     ("\x9f", "U+009F"), ("\ufffe", "U+FFFE"), ("\uffff", "U+FFFF")],
)
@pytest.mark.parametrize("written", ["raw", "escaped"])
def test_characters_illegal_in_xml_are_errors(problems: Problems, character: str, name: str,
                                              written: str) -> None:
    value = (f'"Act\\u{ord(character):04x}ion A"' if written == "escaped"
             else f"Act{character}ion A")
    assert problems(edit(("title: Action A", f"title: {value}"))) == [
        f"r.yaml:35:9: error: axes[0].actions[0].title: control or invalid character {name} at "
        "character 4 (delete it; it often comes from pasting from a PDF or Word)"
    ]


def test_a_lone_surrogate_from_json_is_an_error(problems: Problems) -> None:
    text = '{"id": "x", "title": "a\\ud800b"}'
    found = problems(text, name="r.json")
    assert ("r.json:1:13: error: title: control or invalid character U+D800 at character 2 "
            "(delete it; it often comes from pasting from a PDF or Word)") in found


def test_tab_newline_and_carriage_return_are_text(problems: Problems) -> None:
    assert problems(edit(("title: Action A", 'title: "Action\\tA\\r\\nB"'))) == []


@pytest.mark.parametrize(
    ("character", "message"),
    [("\u200b", "invisible character: zero-width space"),
     ("\u2060", "invisible character: word joiner"),
     ("\ufeff", "invisible character: zero-width no-break space (BOM)"),
     ("\u202e", "bidirectional control character (it can reorder how text displays)"),
     ("\u2067", "bidirectional control character (it can reorder how text displays)")],
)
def test_invisible_and_bidi_characters_are_warnings(problems: Problems, character: str,
                                                    message: str) -> None:
    found = problems(edit(("title: Action A", f"title: Action{character}A")))
    assert len(found) == 1
    assert found[0].startswith(f"r.yaml:35:9: warning: axes[0].actions[0].title: {message} (")


@given(st.text(min_size=1, max_size=30))
def test_exactly_the_xml_illegal_characters_are_errors(text: str) -> None:
    errors = [p for p in check_plain_data({"title": text}) if p.is_error]
    illegal = [c for c in text if c in XML_ILLEGAL or 0xD800 <= ord(c) <= 0xDFFF]
    assert [i for i, _ in illegal_characters(text)] == [
        i for i, c in enumerate(text) if c in illegal
    ]
    if illegal:
        assert [p.path for p in errors] == ["title"]
        assert errors[0].message.startswith(
            f"control or invalid character U+{ord(illegal[0]):04X} at character "
            f"{text.index(illegal[0]) + 1}")
    else:
        assert errors == []


@given(texts(max_size=200))
def test_generated_texts_pass_every_character_rule(text: str) -> None:
    assert [p for p in check_plain_data({"t": text}) if p.is_error] == []


def test_text_of_exactly_the_maximum_length_is_accepted() -> None:
    assert check_plain_data({"t": "a" * MAX_STRING_LENGTH}) == []


def test_text_over_the_maximum_length_is_refused_naming_the_limit() -> None:
    assert [(p.path, p.message) for p in check_plain_data({"t": "a" * (MAX_STRING_LENGTH + 1)})] \
        == [("t", f"text is {MAX_STRING_LENGTH + 1} characters long, over the limit of "
             f"{MAX_STRING_LENGTH} (MAX_STRING_LENGTH)")]


# --- One pass, every problem ------------------------------------------------------------------


def test_one_pass_finds_problems_of_every_kind_at_once(problems: Problems) -> None:
    text = edit(("places: [place-a]", "places: [place-b]"), ("id: partner-a", "id: Partner"),
                ("value: 160", "value: 500"), ("currency: EUR", "currency: XXY"),
                ("start: 2021", "start: 2019"))
    assert [line.split(": ")[1:3] for line in problems(text)] == [
        ["error", "partners[0].id"],
        ["warning", "axes[0].actions[0].start"],
        ["error", "axes[0].actions[0].places[0]"],
        ["error", "axes[0].actions[0].partners[0]"],
        ["error", "axes[0].actions[0].budget.currency"],
        ["error", "axes[0].actions[0].indicators[0].breakdowns[0].parts[0].value"],
    ]


def test_load_raises_every_error_and_validate_returns_warnings_too(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(edit(("places: [place-a]", "places: [place-b]"), ("status: done", "status: x"),
                         ("start: 2021", "start: 2019")), encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        civicrecord.load(path)
    assert [p.path for p in raised.value.problems] == ["axes[0].actions[0].status"]
    assert str(raised.value).startswith("1 error(s) in the report:\n")
    assert [p.severity for p in civicrecord.validate(path)] == [Severity.ERROR]


def test_validate_never_raises_on_a_missing_path(tmp_path: Path) -> None:
    assert [p.message for p in civicrecord.validate(tmp_path / "nope.yaml")] == [
        f"no such file or folder: {tmp_path / 'nope.yaml'}"
    ]


# --- Generated reports ------------------------------------------------------------------------


def _base_report() -> Report:
    return civicrecord.load(Path(__file__).parent / "hostile" / "base.yaml")


def _with_figure(report: Report, figure: civicrecord.Indicator) -> Report:
    axis = report.axes[0]
    action = attrs.evolve(axis.actions[0], indicators=(figure,))
    return attrs.evolve(report, axes=(attrs.evolve(axis, actions=(action,)),))


@given(reports())
def test_generated_reports_break_no_rule(report: Report) -> None:
    assert [p for p in check_report(report) if p.is_error] == []
    assert [p for p in check_plain_data(to_plain(report)) if p.is_error] == []


@given(reports(), st.data())
def test_a_copied_id_is_reported_once_where_it_is_copied(
    report: Report, data: st.DataObject
) -> None:
    actions = [action for _, action in report.actions()]
    assume(len(actions) >= 2)
    first, second = data.draw(st.lists(st.sampled_from(range(len(actions))), min_size=2,
                                       max_size=2, unique=True).map(sorted))
    copied = actions[first].id
    axes = []
    index = 0
    for axis in report.axes:
        new_actions = []
        for action in axis.actions:
            new_actions.append(attrs.evolve(action, id=copied) if index == second else action)
            index += 1
        axes.append(attrs.evolve(axis, actions=tuple(new_actions)))
    found = [p for p in check_report(attrs.evolve(report, axes=tuple(axes))) if p.is_error]
    assert len(found) == 1
    assert found[0].message.startswith(f"duplicate action id {copied!r}, already used at ")


# --- Problems as people read them ------------------------------------------------------------


def test_a_problem_reads_file_line_column_severity_path_message_hint() -> None:
    problem = Problem(Severity.ERROR, "axes[3].actions[1].status", "bad", "try this",
                      Location("report.yaml", 12, 7))
    assert str(problem) == "report.yaml:12:7: error: axes[3].actions[1].status: bad (try this)"
    assert str(attrs.evolve(problem, hint=None, location=None, path="")) == \
        "<data>: error: (document): bad"
    assert str(Location("a.yaml", 3)) == "a.yaml:3"


def test_paths_show_control_characters_in_keys_escaped() -> None:
    assert format_path(("axes", 3, "actions", 1, "status")) == "axes[3].actions[1].status"
    assert format_path(("a\x1b[2J", 0)) == '["a\\u001b[2J"][0]'
    assert format_path(("\ud800",)) == '["\\ud800"]'
    assert all(character.isprintable() for character in format_path(("a\x1b\u2028",)))


def test_the_checks_know_nothing_of_nan_but_refuse_it() -> None:
    found = check_plain_data({"a": [1.0, math.inf, {"b": math.nan}]})
    assert [(p.path, p.message) for p in found] == [
        ("a[1]", "inf is not a finite number"), ("a[2].b", "nan is not a finite number")
    ]


REQUIRED_TEXTS = {"title", "name", "label", "need", "outcome", "description", "situation", "aim",
                  "city", "dimension"}


def _texts_in(obj: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The path of every text field of a required kind, wherever it sits in the model."""
    if isinstance(obj, tuple):
        return [found for i, item in enumerate(obj) for found in _texts_in(item, (*path, i))]
    if not attrs.has(type(obj)):
        return []
    found = []
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if isinstance(value, str) and field.name in REQUIRED_TEXTS:
            found.append((*path, field.name))
        found += _texts_in(value, (*path, field.name))
    return found


def _replaced(obj: object, path: tuple[str | int, ...], value: object) -> object:
    if not path:
        return value
    head, *rest = path
    if isinstance(obj, tuple):
        assert isinstance(head, int)
        return (*obj[:head], _replaced(obj[head], tuple(rest), value), *obj[head + 1:])
    assert isinstance(head, str)
    return attrs.evolve(obj, **{head: _replaced(getattr(obj, head), tuple(rest), value)})


@given(reports(max_axes=2), st.data())
def test_a_blank_required_text_is_found_wherever_it_sits(report: Report,
                                                         data: st.DataObject) -> None:
    paths = _texts_in(report)
    assume(paths)
    path = data.draw(st.sampled_from(paths))
    blanked = _replaced(report, path, " \n")
    assert isinstance(blanked, Report)
    assert (format_path(path), "text is empty") in {
        (p.path, p.message) for p in check_report(blanked)}


def test_every_character_the_text_checks_look_for_is_reported_in_any_text() -> None:
    """The quick screening of texts never lets through what the full checks would find."""
    import sys

    from civicrecord.validation import _SUSPECT

    suspects = [chr(c) for c in range(sys.maxunicode + 1) if _SUSPECT.match(chr(c))]
    assert len(suspects) > 2100  # C0, C1, surrogates, noncharacters, invisible, bidi
    for char in suspects:
        assert check_plain_data({"title": f"Une action{char} ici"}), repr(char)


# --- Format 2: direction, series, one-off and status dates -------------------------

SERIES = ("            value: 423", "            series:\n"
          "              - {date: 2019, value: 500}\n"
          "              - {date: 2023, value: 423, note: new count}\n"
          "            direction: lower")


def test_a_figure_with_a_series_may_leave_its_value_out(problems: Problems) -> None:
    assert problems(edit(SERIES)) == []
    Path("r.yaml").write_text(edit(SERIES), encoding="utf-8")
    figure = next(i for _, _, i in civicrecord.load("r.yaml").indicators())
    assert figure.value == 423 and [o.value for o in figure.series] == [500, 423]


def test_a_value_that_is_not_the_latest_of_the_series_is_an_error(problems: Problems) -> None:
    old, new = SERIES
    assert problems(edit((old, "            value: 400\n" + new))) == [
        f"r.yaml:53:13: error: {FIGURE}.value: the value 400 is not the latest of the "
        "series (423, 2023) (leave 'value' out (the latest value of the series is the "
        "figure's value), or make them agree)"]


def test_a_series_is_written_oldest_first(problems: Problems) -> None:
    old, new = SERIES
    assert problems(edit((old, new.replace("2019", "2024")))) == [
        f"r.yaml:55:18: error: {FIGURE}.series[1].date: 2023 does not come after the "
        "previous value's date 2024 (write the series oldest first, one value per date)"]


def test_a_figure_that_can_change_says_which_way_is_better(problems: Problems) -> None:
    old, new = SERIES
    assert problems(edit((old, new.replace("\n            direction: lower", "")))) == [
        f"r.yaml:50:13: warning: {FIGURE}.direction: this figure has a baseline, a target "
        "or a series but does not say which way is better (add direction: higher, lower or "
        "neither (as IATI's 'ascending'))"]


def test_a_target_the_wrong_way_is_a_warning(problems: Problems) -> None:
    text = edit(("            value: 423", "            value: 423\n"
                 "            direction: higher\n"
                 "            baseline: {value: 300, date: 2019}\n"
                 "            target: {value: 200}"))
    assert problems(text) == [
        f"r.yaml:56:22: warning: {FIGURE}.target.value: the target 200 lies the wrong way "
        "from the baseline 300 for a figure where higher is better (check the target, or "
        "the direction)"]


def test_a_one_off_action_has_a_date_not_a_start_and_end(problems: Problems) -> None:
    assert problems(edit(("        end: \"2023-06\"", "        date: \"2023-06\""))) == [
        f"r.yaml:39:9: error: {ACTION}.date: an action has either a date (done once) or a "
        "start and an end (it lasts), not both (keep 'date' for a one-off action, or "
        "'start'/'end' for one that lasts)"]
    one_off = edit(("        start: 2021\n", ""), ("        end: \"2023-06\"",
                                                 "        date: \"2023-06\"\n"
                                                 "        status_date: 2023"))
    assert problems(one_off) == []


def test_a_planned_action_after_the_period_is_normal(problems: Problems) -> None:
    later = edit(("        status: done", "        status: planned"),
                 ("        start: 2021\n", ""),
                 ("        end: \"2023-06\"", "        status_date: 2030"))
    assert problems(later) == []
    done_later = later.replace("status: planned", "status: done")
    assert problems(done_later) == [
        f"r.yaml:38:9: warning: {ACTION}.status_date: date 2030 is outside the report "
        "period 2020-2026 (check the year, or say in the text why it matters here)"]


def test_a_not_assessed_action_has_no_status_date(problems: Problems) -> None:
    text = edit(("        status: done", "        status: not-assessed\n"
                 "        status_date: 2022"))
    assert problems(text) == [
        f"r.yaml:38:9: error: {ACTION}.status_date: a not-assessed action has no date at "
        "which it reached its status (remove status_date, or give the action its status)"]
