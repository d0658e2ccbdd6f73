"""``UNCHANGED``: the typed "leave this field as it is" for action arguments.

``None`` already means "clear it" (no team, no topic), so actions need a third value.
An enum member rather than a string: mypy checks it (``Team | None | Unchanged``), and
no text a client sends can ever be mistaken for it.
"""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias


class _Unchanged(enum.Enum):
    UNCHANGED = "unchanged"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged.UNCHANGED
Unchanged: TypeAlias = Literal[_Unchanged.UNCHANGED]
