"""Compile the gettext catalogues (``.po``) into the ``.mo`` files the wheel ships.

Translators edit ``src/civicrecord/locale/<language>/LC_MESSAGES/civicrecord.po``;
the built package reads the compiled ``.mo`` beside it. A source checkout has no
``.mo`` and reads the ``.po`` with Babel instead (see civicrecord.presentation),
so nothing compiled is ever committed and nothing goes stale.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CataloguesHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads the .po files where they are
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        self._folder = Path(tempfile.mkdtemp(prefix="civicrecord-mo-"))
        locale = Path(self.root) / "src" / "civicrecord" / "locale"
        for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
            relative = po.relative_to(locale).with_suffix(".mo")
            target = self._folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalogue = read_po(source, locale=relative.parts[0])
            with target.open("wb") as out:
                write_mo(out, catalogue)
            build_data["force_include"][str(target)] = f"civicrecord/locale/{relative}"

    def finalize(self, version: str, build_data: dict[str, Any],
                 artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
