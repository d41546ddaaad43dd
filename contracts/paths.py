"""Path templates (`/api/dataset/{datasetId}`) compiled once, and OpenAPI's rule for which template wins.

OpenAPI: "When matching URLs, concrete (non-templated) paths would be matched before their templated
counterparts." A template with fewer templated segments is therefore more specific; among equally specific
templates the one declared first wins. A path segment may hold any character but `/` (an encoded newline too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["PathTemplate"]

_VARIABLE = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True)
class PathTemplate:
    """One path template with its compiled pattern and specificity."""

    template: str
    order: int = 0
    """Position in the document (ties in specificity go to the first declared)."""
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    variables: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        parts: list[str] = []
        position = 0
        for match in _VARIABLE.finditer(self.template):
            parts.append(re.escape(self.template[position : match.start()]))
            parts.append(f"(?P<v{len(parts)}>[^/]+)")
            position = match.end()
        parts.append(re.escape(self.template[position:]))
        object.__setattr__(self, "pattern", re.compile("".join(parts) + r"\Z", re.DOTALL))
        object.__setattr__(self, "variables", tuple(_VARIABLE.findall(self.template)))

    @property
    def is_static(self) -> bool:
        """Whether the template has no variables."""
        return not self.variables

    @property
    def specificity(self) -> tuple[int, int]:
        """Sort key: fewer variables first, then document order."""
        return (len(self.variables), self.order)

    def match(self, path: str) -> dict[str, str] | None:
        """The raw (still percent-encoded) variable values when `path` matches, else None."""
        found = self.pattern.match(path)
        if found is None:
            return None
        return dict(zip(self.variables, found.groups(), strict=True))
