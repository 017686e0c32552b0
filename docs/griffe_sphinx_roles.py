"""A Griffe extension for the API page: Sphinx roles in docstrings become inline code.

civicrecord's docstrings name other objects the Sphinx way (``:class:`Report```),
which Markdown would show verbatim. This turns each role into code (`Report`)
before mkdocstrings renders the docstring.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|data|meth|attr|mod|exc|obj|const):`~?([^`]+)`")


class SphinxRoles(griffe.Extension):
    """Rewrite ``:role:`target``` as `target` in every docstring of the package."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader,
                   **kwargs: Any) -> None:
        stack: list[griffe.Object] = [pkg]
        while stack:
            obj = stack.pop()
            if obj.docstring is not None:
                obj.docstring.value = _ROLE.sub(r"`\1`", obj.docstring.value)
            stack.extend(member for member in obj.members.values()
                         if not member.is_alias and isinstance(member, griffe.Object))
