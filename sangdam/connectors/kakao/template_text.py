"""An 알림톡 template's text: its ``#{변수}`` variables and the message it makes.

Apart from the sending (``alimtalk.py``), so the admin and the template form, loaded by
every command, do not load the providers' HTTP client and payload models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

VARIABLE = re.compile(r"#\{([^{}]+)\}")
MAX_LENGTH = 1000


class TemplateMismatch(ValueError):
    """The message does not fit its template; ``str()`` says why, for a person."""


def variables(body: str) -> list[str]:
    """The template's variables in order of first use."""
    seen: list[str] = []
    for name in VARIABLE.findall(body):
        if name not in seen:
            seen.append(name)
    return seen


def render(body: str, values: Mapping[str, str]) -> str:
    """The template filled in; :class:`TemplateMismatch` when it cannot be sent as is."""
    missing = [name for name in variables(body) if not str(values.get(name, "")).strip()]
    if missing:
        raise TemplateMismatch(
            _("No value for %(names)s: the message would not match its approved template.")
            % {"names": ", ".join(f"#{{{n}}}" for n in missing)}
        )
    text = VARIABLE.sub(lambda m: str(values[m[1]]), body)
    if len(text) > MAX_LENGTH:
        raise TemplateMismatch(
            _("The filled-in message has %(count)d characters; 알림톡 allows %(limit)d.")
            % {"count": len(text), "limit": MAX_LENGTH}
        )
    return text
