"""Labels, numbers and phrases in the report's language, shared by every renderer."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import civicrecord
from civicrecord.model import (
    ActionStatus,
    Breakdown,
    BreakdownKind,
    BreakdownPart,
    Indicator,
    IndicatorPeriod,
    MeasureKind,
    PartialDate,
    PeriodKind,
    Report,
)
from civicrecord.presentation import (
    LABELS,
    UnsupportedLanguageWarning,
    presenter_for,
)

NBSP, NNBSP = "\u00a0", "\u202f"


def figure(**fields: object) -> Indicator:
    base: dict[str, object] = {"id": "x", "label": "personnes", "kind": MeasureKind.COUNT,
                               "value": 1}
    base.update(fields)
    return Indicator(**base)  # type: ignore[arg-type]


def test_french_money_uses_no_break_spaces() -> None:
    fr = presenter_for("fr-FR")
    assert fr.money(350000, "EUR") == f"350{NNBSP}000{NBSP}€"
    assert fr.money(1234.5, "EUR") == f"1{NNBSP}234,50{NBSP}€"


def test_english_money() -> None:
    assert presenter_for("en-GB").money(350000, "EUR") == "€350,000"


def test_numbers_follow_the_locale() -> None:
    assert presenter_for("fr").number(12.5) == "12,5"
    assert presenter_for("en").number(12.5) == "12.5"
    assert presenter_for("fr").number(10000) == f"10{NNBSP}000"


def test_partial_dates_at_their_precision() -> None:
    fr = presenter_for("fr-FR")
    assert fr.date(PartialDate(2021)) == "2021"
    assert fr.date(PartialDate(2021, 5)) == "mai 2021"
    assert fr.date(PartialDate(2021, 5, 3)) == "3 mai 2021"
    assert presenter_for("en-GB").date(PartialDate(2021, 5, 3)) == "3 May 2021"


def test_reporting_period_uses_an_en_dash() -> None:
    assert presenter_for("fr").date_range(PartialDate(2020), PartialDate(2026)) == "2020–2026"


def test_phrase_with_part_of_total_breakdown() -> None:
    declic = figure(
        value=423, label="personnes accompagnées par Déclic",
        breakdowns=(Breakdown("âge", BreakdownKind.PART_OF_TOTAL,
                              (BreakdownPart("de moins de 30 ans", 160),)),),
    )
    assert presenter_for("fr-FR").indicator_phrase(declic) == (
        "423 personnes accompagnées par Déclic, dont 160 de moins de 30 ans"
    )
    english = figure(value=423, label="people supported by Déclic",
                     breakdowns=declic.breakdowns)
    assert presenter_for("en").indicator_phrase(english).endswith("of whom 160 de moins de 30 ans")


def test_money_per_year_phrase() -> None:
    money = figure(kind=MeasureKind.MONEY, value=350000, unit="EUR",
                   label="mobilisés pour les actions éducatives",
                   period=IndicatorPeriod(PeriodKind.PER_YEAR))
    assert presenter_for("fr-FR").indicator_phrase(money) == (
        f"350{NNBSP}000{NBSP}€ par an mobilisés pour les actions éducatives"
    )


def test_frequency_phrase() -> None:
    bus = figure(kind=MeasureKind.FREQUENCY, value=15, unit="minute", label="un bus")
    assert presenter_for("fr").indicator_phrase(bus) == f"Un bus{NBSP}: toutes les 15 minutes"
    assert presenter_for("en").indicator_phrase(bus) == "Un bus: every 15 minutes"
    daily = figure(kind=MeasureKind.FREQUENCY, value=2, unit="day", label="collecte")
    assert presenter_for("fr").indicator_phrase(daily).endswith(f"tous les 2{NBSP}jours")


def test_complete_split_lists_every_part() -> None:
    split = figure(value=10, breakdowns=(Breakdown("sexe", BreakdownKind.COMPLETE_SPLIT, (
        BreakdownPart("femmes", 6), BreakdownPart("hommes", 4))),))
    assert presenter_for("fr").indicator_phrase(split) == (
        "10 personnes, réparti en 6 femmes et 4 hommes"
    )


def test_percentage() -> None:
    assert presenter_for("fr").percentage(12.5) == f"12,5{NBSP}%"
    assert presenter_for("en").percentage(12.5) == "12.5%"


def test_every_language_has_every_label_and_status() -> None:
    keys = set(LABELS["en"])
    assert {f"status-{status.value}" for status in ActionStatus} <= keys
    assert {"fr", "en"} <= set(LABELS)
    for language, labels in LABELS.items():
        assert set(labels) == keys, language
        assert all(text.strip() for text in labels.values()), language


def test_every_label_the_code_and_templates_use_is_in_every_catalogue() -> None:
    """Keys are found where they are used: label("x"), pattern("x"), t.x and t["x"]."""
    import re

    source = Path(civicrecord.__file__).parent
    used: set[str] = set()
    for path in [*source.rglob("*.py"), *source.rglob("*.j2"),
                 *(source.parent.parent / "plugins").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\b(?:label|pattern)\(\s*\"([a-z][a-z_-]*)\"", text))
        if path.suffix == ".j2":
            used |= set(re.findall(r"\bt\.([a-z][a-z_]*)\b", text))
            used |= set(re.findall(r"\bt\[\"([a-z][a-z_-]*)\"\]", text))
    assert used, "no label found: the search is broken"
    for language, labels in LABELS.items():
        assert used <= set(labels), (language, sorted(used - set(labels)))


def test_placeholders_are_the_same_in_every_catalogue() -> None:
    """A translation keeps every {name} its English pattern fills in, and adds none."""
    import string

    def names(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for language, labels in LABELS.items():
        for key, text in labels.items():
            assert names(text) == names(LABELS["en"][key]), (language, key)


def test_the_catalogues_compile_and_read_back_the_same() -> None:
    """What the build hook ships (.mo) says what the source (.po) says."""
    import io

    from babel.messages.mofile import read_mo, write_mo
    from babel.messages.pofile import read_po

    from civicrecord.presentation import DOMAIN, LOCALE_DIR

    for language, labels in LABELS.items():
        with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as file:
            catalogue = read_po(file, locale=language)
        compiled = io.BytesIO()
        write_mo(compiled, catalogue)
        compiled.seek(0)
        back = {m.id: m.string for m in read_mo(compiled) if m.id}
        assert back == dict(labels), language


def test_unsupported_language_falls_back_to_english_with_a_warning() -> None:
    with pytest.warns(UnsupportedLanguageWarning, match="de-DE"):
        german = presenter_for("de-DE")
    assert german.label("need") == LABELS["en"]["need"]
    # Numbers still follow the report's own locale.
    assert german.number(1234.5) == "1.234,5"


def test_example_labels_are_french(example_report: Report) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fr = presenter_for(example_report.language)
    assert fr.label("need") == "Le besoin au départ"
    assert fr.label("actions") == "Ce que nous avons décidé et fait"
    assert fr.label("outcome") == "Ce que cela a changé"
    assert fr.label("figures") == "En chiffres"
    phrases = [fr.indicator_phrase(i) for _, _, i in example_report.indicators()]
    assert "423 personnes accompagnées par Déclic, dont 160 de moins de 30 ans" in phrases
    assert any(p.startswith(f"350{NNBSP}000{NBSP}€ par an") for p in phrases)


def test_remembered_formats_tell_apart_values_that_compare_equal() -> None:
    """The formatting cache keys on what formats differently, not on ``==``."""
    fr, en = presenter_for("fr"), presenter_for("en")
    for _ in range(2):  # the second round is served from the cache
        assert fr.number(0.0) == "0"
        assert fr.number(-0.0) == "-0"
        assert fr.number(1234) == f"1{NNBSP}234"
        assert en.number(1234) == "1,234"
        assert fr.money(5, "EUR") == f"5{NBSP}€"
        assert fr.money(5.5, "EUR") == f"5,50{NBSP}€"
        assert fr.date(PartialDate(2021, 5)) == "mai 2021"
        assert en.date(PartialDate(2021, 5)) == "May 2021"
        assert fr.join(["a", "b"]) == "a et b"
        assert fr.join(iter(["a", "b", "c"])) == "a, b et c"
        assert fr.join([]) == ""


def test_values_stay_right_when_the_formatting_cache_starts_afresh(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from civicrecord import presentation

    monkeypatch.setattr(presentation, "_FORMAT_CACHE_SIZE", 8)
    fr = presenter_for("fr")
    assert [fr.number(n) for n in range(20)] == [str(n) for n in range(20)]
    assert fr.number(10_000) == f"10{NNBSP}000"
