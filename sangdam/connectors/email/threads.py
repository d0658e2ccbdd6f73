"""Thread hints in a mail: Message-IDs it answers, and our ticket reference.

Message-IDs are kept in their ``<local@domain>`` form, the form our outbound mail
stores in ``Message.external_id``, so the intake can compare them as they stand.
"""

from __future__ import annotations

import re

from django.conf import settings

from sangdam.connectors.email.spool import Raw, sha256_of

MSGID = re.compile(r"<([^<>\s]+)>")
MAX_REFERENCES = 50


def normalize_message_id(value: str) -> str:
    """``<id@host>`` from a header value with or without brackets; "" if nothing usable."""
    value = (value or "").strip()
    found = MSGID.search(value)
    if found:
        return f"<{found.group(1)}>"
    token = value.split()[0] if value.split() else ""
    return f"<{token.strip('<>')}>" if token.strip("<>") else ""


def synthetic_message_id(raw: Raw) -> str:
    """A stable id for a mail that has none, so a re-delivery is still a duplicate."""
    return f"<sha256-{sha256_of(raw)[:40]}@sangdam.invalid>"


def message_ids(value: str) -> list[str]:
    """Every Message-ID in a References / In-Reply-To value, in header order."""
    value = value or ""
    ids = [f"<{m}>" for m in MSGID.findall(value)]
    if not ids:
        # Some clients drop the brackets; a bare token with an @ is still an id.
        ids = [f"<{t.strip('<>,')}>" for t in value.split() if "@" in t]
    return ids


def reply_chain(in_reply_to: str, references: str) -> tuple[str, ...]:
    """Ids this mail answers: the direct parent first, then References newest first."""
    chain = message_ids(in_reply_to)[:1] + list(reversed(message_ids(references)))
    return tuple(dict.fromkeys(chain))[:MAX_REFERENCES]


def thread_root(message_id: str, in_reply_to: str, references: str) -> str:
    """The first mail of the conversation (References lists it first); else this one.

    Used as the ticket's thread key: a reply that arrives before its original opens a
    ticket keyed by the original's id, and the original, when it comes, finds it.
    """
    refs = message_ids(references) or message_ids(in_reply_to)[:1]
    return (refs[0] if refs else message_id)[:200]


def _reference_pattern() -> re.Pattern[str]:
    prefix = re.escape(settings.REFERENCE_PREFIX)
    return re.compile(rf"\[\s*({prefix}-\d{{4,12}})\s*\]", re.IGNORECASE)


def reference_in_subject(subject: str) -> str:
    found = _reference_pattern().search(subject or "")
    return found.group(1).upper() if found else ""


def reference_in_addresses(addresses: list[str]) -> str:
    """``support+SD-100001@example.com`` → ``SD-100001``."""
    prefix = re.escape(settings.REFERENCE_PREFIX)
    pattern = re.compile(rf"\+({prefix}-\d{{4,12}})@", re.IGNORECASE)
    for address in addresses:
        found = pattern.search(address or "")
        if found:
            return found.group(1).upper()
    return ""
