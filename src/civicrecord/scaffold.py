"""Start a new report folder: a copy of a worked example, or a blank to fill in.

The worked examples ship inside the package (the wheel packs ``examples/`` from
the source tree at build time), so ``civicrecord new`` works after a plain
``pip install``. A blank report has the same layout as an example, with every
text to write marked ``TODO``: it loads, and ``civicrecord validate`` lists
each placeholder still there as a warning.

A copy is a new report, not a second copy of the example: like ``cargo new``
naming a package after its folder, it takes its id (and its neighbourhood's)
from the folder's name, so it renders beside the example at once.

A new folder also gets ``schema/``, the JSON Schemas that the YAML files name
in their first line, so an editor with a YAML language server checks and
completes fields as people type.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from civicrecord.validation import PLACEHOLDER_MARKER, SLUG_PATTERN, slugify

__all__ = [
    "DEFAULT_EXAMPLE",
    "LANGUAGES",
    "ScaffoldError",
    "available_examples",
    "check_new_folder",
    "example_folder",
    "example_hint",
    "new_report",
    "report_id_for",
    "schema_files",
    "write_new_folder",
]

#: The example ``civicrecord new`` copies when no other is named.
DEFAULT_EXAMPLE = "hauts_de_chambery"
#: Languages a blank report can be written in, and the language tag each gets.
LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}

_MODELINE = "# yaml-language-server: $schema="
_SCHEMA_FOLDER = "schema"


class ScaffoldError(Exception):
    """A new report cannot be created; the message says why and what to do."""


def _examples_root() -> Traversable | None:
    packaged = resources.files("civicrecord").joinpath("examples")
    if packaged.is_dir():
        return packaged
    # An editable install runs from the source tree, where examples/ sits at the top.
    source_tree = Path(__file__).resolve().parents[2] / "examples"
    return source_tree if source_tree.is_dir() else None


def available_examples() -> list[str]:
    """Names of the worked examples that ship with civicrecord, sorted."""
    root = _examples_root()
    if root is None:
        return []
    return sorted(entry.name for entry in root.iterdir()
                  if entry.is_dir() and entry.joinpath("report.yaml").is_file())


def example_folder(name: str = DEFAULT_EXAMPLE) -> Traversable:
    """The folder of a worked example, inside the installed package."""
    root = _examples_root()
    known = available_examples()
    if root is None or name not in known:
        raise ScaffoldError(f"no example named {name!r} (available: "
                            f"{', '.join(known) or 'none, the installation is incomplete'})")
    return root.joinpath(name)


def example_hint(path: Path | str) -> str | None:
    """How to get a worked example, when a missing ``path`` looks like one's path; else None.

    Someone who installed the wheel has no ``examples/`` folder: ``civicrecord
    render examples/hauts_de_chambery`` from a tutorial then names nothing.
    """
    parts = Path(path).parts
    known = {slugify(name): name for name in available_examples()}
    name = next((known[slugify(part)] for part in reversed(parts) if slugify(part) in known),
                None)
    if name is not None:
        return (f"the worked example ships with civicrecord: 'civicrecord new {name}' copies "
                f"it into the folder {name}")
    if "examples" in parts:
        return ("the worked examples ship with civicrecord: 'civicrecord new DIR --from "
                f"EXAMPLE' copies one into DIR (examples: {', '.join(known.values()) or 'none'})")
    return None


def new_report(
    directory: Path | str,
    *,
    example: str = DEFAULT_EXAMPLE,
    blank: bool = False,
    language: str = "fr",
    year: int | None = None,
) -> list[Path]:
    """Create a report folder at ``directory``; return the files written, sorted.

    With ``blank=False`` the folder is a copy of ``example`` whose report and
    neighbourhood ids derive from the folder's name. With ``blank=True`` it is
    a skeleton in ``language`` (a key of :data:`LANGUAGES`) whose texts are
    placeholders marked ``TODO``; its ids derive from the folder's name and
    its period is ``year`` (this year by default). ``directory`` must not exist
    or be an empty folder: nothing is ever overwritten. The folder appears
    complete or not at all.
    """
    target = Path(directory)
    check_new_folder(target)
    if blank:
        if language not in LANGUAGES:
            raise ScaffoldError(f"no blank report in language {language!r} "
                                f"(available: {', '.join(LANGUAGES)})")
        files = dict(_blank_files(report_id_for(target), language,
                                  year or datetime.date.today().year))
    else:
        files = dict(_copied_files(example_folder(example), report_id_for(target)))
    files.update(schema_files())
    return write_new_folder(target, files)


def check_new_folder(target: Path) -> None:
    """Raise :class:`ScaffoldError` unless ``target`` is absent or an empty real folder."""
    if target.is_symlink():
        raise ScaffoldError(f"{target} is a symbolic link; name a real folder")
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder; choose another name")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(f"{target} is not empty; choose a new folder name, "
                            "nothing is overwritten")


def write_new_folder(target: Path, files: Mapping[str, bytes],
                     check: Callable[[Path], object] | None = None) -> list[Path]:
    """Write ``files`` (relative path to bytes) as the new folder ``target``, in one step.

    The files are written into a staging folder beside ``target``, which
    ``check`` (if given) may inspect and refuse by raising; then the folder
    takes its place. ``target`` must be absent or empty (:func:`check_new_folder`),
    so nothing is ever overwritten, and a failure leaves nothing behind.
    Returns the files written, sorted.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new",
                                        dir=target.parent))
    except OSError as error:
        raise ScaffoldError(f"cannot create {target}: {error.strerror}") from None
    try:
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if check is not None:
            check(staging)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the others follow the umask
        check_new_folder(target)  # someone may have written there meanwhile
        if target.is_dir():
            # An existing empty folder may be someone's working directory: fill it
            # rather than replace it.
            for entry in sorted(staging.iterdir()):
                os.replace(entry, target / entry.name)
        else:
            os.replace(staging, target)
    except OSError as error:
        raise ScaffoldError(f"cannot create {target}: {error.strerror}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return sorted(target / relative for relative in files)


def report_id_for(folder: Path) -> str:
    """The report id a new report in ``folder`` gets: its name as a slug."""
    slug = slugify(folder.resolve().name)[:60].strip("-")
    return slug if SLUG_PATTERN.fullmatch(slug) else "my-neighbourhood"


def _walk(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.startswith((".", "__")):
            continue
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, relative + "/")
        else:
            yield relative, entry


def _copied_files(example: Traversable, report_id: str) -> Iterator[tuple[str, bytes]]:
    for relative, entry in _walk(example):
        content = entry.read_bytes()
        if relative == "report.yaml":
            content = _own_ids(content, report_id)
        if relative.endswith((".yaml", ".yml")):
            content = _point_modeline(content, relative)
        yield relative, content


def _own_ids(content: bytes, report_id: str) -> bytes:
    """The example's ``report.yaml`` with ``report_id`` as its id and its neighbourhood's.

    The two values are found with their positions (PyYAML's ``compose``) and
    replaced in the text, so the example's comments and layout stay as they are.
    """
    import yaml

    text = content.decode("utf-8")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    spans = []
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                spans.append((value.start_mark.index, value.end_mark.index))
            elif key.value == "neighbourhood" and isinstance(value, yaml.MappingNode):
                spans += [(inner.start_mark.index, inner.end_mark.index)
                          for inner_key, inner in value.value
                          if inner_key.value == "id" and isinstance(inner, yaml.ScalarNode)]
    if len(spans) != 2:
        raise ScaffoldError("the example's report.yaml has no report id or neighbourhood id "
                            "to replace; the installation is damaged, reinstall civicrecord")
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + report_id + text[end:]
    return text.encode("utf-8")


def _schema_reference(relative: str) -> str:
    depth = relative.count("/")
    part = "report" if depth == 0 else "axis"
    return "../" * depth + f"{_SCHEMA_FOLDER}/{part}.schema.json"


def _point_modeline(content: bytes, relative: str) -> bytes:
    """Make the editor's ``$schema`` comment name the copy's own schema/ folder."""
    first, newline, rest = content.partition(b"\n")
    if not first.startswith(_MODELINE.encode()):
        return content
    return (_MODELINE + _schema_reference(relative)).encode() + newline + rest


def schema_files() -> dict[str, bytes]:
    """The JSON Schemas a report folder carries in ``schema/``, for editors to check with."""
    from civicrecord.schema import axis_schema, report_schema

    return {f"{_SCHEMA_FOLDER}/{part}.schema.json":
            (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode()
            for part, schema in (("report", report_schema()), ("axis", axis_schema()))}


# --- Blank reports ---------------------------------------------------------
# One template per language. Every text a person must write contains the
# marker, so validation lists it; ids, kinds and dates are valid placeholders
# because a marker there would be an error, not a reminder.

_BLANK_REPORT = {
    "fr": """\
{modeline}
#
# Rapport à compléter : remplacez chaque texte marqué {todo}.
# `civicrecord validate` liste ceux qui restent.
#
# Identifiants (id) : minuscules sans accent, chiffres et tirets.
id: {report_id}
title: "{todo} : titre du rapport, par exemple le nom du quartier"
subtitle: "{todo} : sous-titre, par exemple « Ce qui a changé »"
language: fr-FR

authority:
  name: "{todo} : Ville de …"

# Les années couvertes, incluses. Une date est une année (2020), un mois
# ("2020-07") ou un jour ("2020-07-03") : mettez les mois et jours entre guillemets.
period:
  start: {year}
  end: {year}

neighbourhood:
  id: {report_id}
  name: "{todo} : nom du quartier"
  city: "{todo} : ville"
  description: "{todo} : le quartier en une phrase"
  # Les lieux que le rapport nomme ; les actions y renvoient par leur id.
  # kind : building, street, sector, public-space, school ou other.
  places:
    - id: lieu-1
      name: "{todo} : nom du lieu"
      kind: building

introduction:
  situation: |-
    {todo} : la situation de départ du quartier.
  aim: |-
    {todo} : l’objectif que la ville s’est fixé.

# Les organisations avec qui la ville a travaillé ; les actions y renvoient par leur id.
# kind : public-body, social-landlord, association, residents, company ou other.
partners:
  - id: partenaire-1
    name: "{todo} : nom du partenaire"
    kind: association

# Les dispositifs et programmes ; les actions y renvoient par leur id.
programmes:
  - id: dispositif-1
    name: "{todo} : nom du dispositif"

# Les axes dans l’ordre de lecture ; chaque id est un fichier axes/<id>.yaml.
axes:
{axes}
""",
    "en": """\
{modeline}
#
# A report to fill in: replace every text marked {todo}.
# `civicrecord validate` lists those left.
#
# Ids: lowercase ASCII letters, digits and hyphens.
id: {report_id}
title: "{todo}: title of the report, e.g. the neighbourhood's name"
subtitle: "{todo}: subtitle, e.g. 'What has changed'"
language: en-GB

authority:
  name: "{todo}: City of ..."

# The years covered, both included. A date is a year (2020), a month
# ("2020-07") or a day ("2020-07-03"): quote months and days.
period:
  start: {year}
  end: {year}

neighbourhood:
  id: {report_id}
  name: "{todo}: name of the neighbourhood"
  city: "{todo}: city"
  description: "{todo}: the neighbourhood in one sentence"
  # The places the report names; actions refer to them by id.
  # kind: building, street, sector, public-space, school or other.
  places:
    - id: place-1
      name: "{todo}: name of the place"
      kind: building

introduction:
  situation: |-
    {todo}: where the neighbourhood stood at the start.
  aim: |-
    {todo}: the aim the city set itself.

# Organisations the city worked with; actions refer to them by id.
# kind: public-body, social-landlord, association, residents, company or other.
partners:
  - id: partner-1
    name: "{todo}: name of the partner"
    kind: association

# Named schemes and programmes; actions refer to them by id.
programmes:
  - id: programme-1
    name: "{todo}: name of the programme"

# The axes in reading order; each id is a file axes/<id>.yaml.
axes:
{axes}
""",
}

_BLANK_AXIS = {
    "fr": """\
{modeline}
#
# Un axe thématique : le besoin au départ, ce qui a été décidé et fait
# (une action par chose faite), et ce que cela a changé.
id: {axis_id}
title: "{todo} : titre de l’axe"

need: |-
  {todo} : le besoin au départ.

actions:
  - id: {axis_id}-action-1
    title: "{todo} : ce qui a été décidé"
    description: |-
      {todo} : ce qui a été fait, où et avec qui.
    # status : planned, in-progress, done, ongoing, abandoned ou not-assessed.
    status: not-assessed
    places: [lieu-1]
    partners: [partenaire-1]
    programmes: [dispositif-1]
    # Les chiffres clés : le lecteur lit « valeur + libellé ».
    # kind : count, money (unit: EUR), percentage, frequency, duration ou qualitative.
    indicators:
      - id: {axis_id}-chiffre-1
        label: "{todo} : ce que compte le chiffre, la suite de la phrase après le nombre"
        kind: count
        value: 0
        unit: person
        source:
          name: "{todo} : d’où vient le chiffre"

outcome: |-
  {todo} : ce que cela a changé.
""",
    "en": """\
{modeline}
#
# One thematic axis: the need at the start, what was decided and done
# (one action per thing done), and what it changed.
id: {axis_id}
title: "{todo}: title of the axis"

need: |-
  {todo}: the need at the start.

actions:
  - id: {axis_id}-action-1
    title: "{todo}: what was decided"
    description: |-
      {todo}: what was done, where and with whom.
    # status: planned, in-progress, done, ongoing, abandoned or not-assessed.
    status: not-assessed
    places: [place-1]
    partners: [partner-1]
    programmes: [programme-1]
    # Key figures: readers see "value + label".
    # kind: count, money (unit: EUR), percentage, frequency, duration or qualitative.
    indicators:
      - id: {axis_id}-figure-1
        label: "{todo}: what the figure counts, the words that follow the number"
        kind: count
        value: 0
        unit: person
        source:
          name: "{todo}: where the figure comes from"

outcome: |-
  {todo}: what it changed.
""",
}

_BLANK_AXIS_IDS = {"fr": ("axe-1", "axe-2"), "en": ("axis-1", "axis-2")}


def _blank_files(report_id: str, language: str, year: int) -> Iterator[tuple[str, bytes]]:
    axis_ids = _BLANK_AXIS_IDS[language]
    report = _BLANK_REPORT[language].format(
        modeline=_MODELINE + _schema_reference("report.yaml"), todo=PLACEHOLDER_MARKER,
        report_id=report_id, year=year, axes="\n".join(f"  - {axis}" for axis in axis_ids),
    )
    yield "report.yaml", report.encode()
    for axis_id in axis_ids:
        relative = f"axes/{axis_id}.yaml"
        axis = _BLANK_AXIS[language].format(
            modeline=_MODELINE + _schema_reference(relative), todo=PLACEHOLDER_MARKER,
            axis_id=axis_id,
        )
        yield relative, axis.encode()
