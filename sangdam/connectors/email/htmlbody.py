"""Customer HTML mail: sanitized, remote images held back, and a readable text version.

Remote images are how senders (and spammers) learn that a mail was opened, and where
they come from; they stay unloaded until an agent asks. Each one's ``src`` becomes
``cid:sangdam-remote-<n>`` (a scheme no browser fetches, and one the shared sanitizer
keeps), with the address at position n of the message's ``remote_images`` metadata, so
:func:`render_html` can put it back in place when the agent allows.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3

from sangdam.core.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

REMOTE = "sangdam-remote-"
BLOCK_END = re.compile(r"</(p|div|tr|li|h[1-6]|table|blockquote|pre)\s*>", re.IGNORECASE)
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)


@dataclass
class CleanHtml:
    html: str
    remote_images: list[str] = field(default_factory=list)
    cid_images: list[str] = field(default_factory=list)


def clean_html(raw: str) -> CleanHtml:
    """Sanitize with the shared rules; drop remote ``<img src>`` and note what was dropped."""
    result = CleanHtml(html="")
    if not raw.strip():
        return result

    def keep(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            lowered = value.strip().lower()
            if lowered.startswith(f"cid:{REMOTE}"):
                return None  # a sender cannot plant our placeholder
            if lowered.startswith("cid:"):
                result.cid_images.append(value.strip()[4:].strip("<>"))
                return value
            if lowered.startswith(("http:", "https:", "//")):
                url = value.strip()
                result.remote_images.append(f"https:{url}" if url.startswith("//") else url)
                return f"cid:{REMOTE}{len(result.remote_images) - 1}"
        return value

    result.html = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=keep,
    )
    return result


def html_to_text(raw: str) -> str:
    """Readable plain text of an HTML mail (block ends become line breaks)."""
    marked = BLOCK_END.sub(lambda m: m.group(0) + "\n", raw)
    marked = BREAK.sub("\n", CELL_END.sub(lambda m: m.group(0) + " ", marked))
    text = htmllib.unescape(nh3.clean(marked, tags=set()))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    # Collapse runs of blank lines that nested divs leave behind.
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def render_html(
    html: str,
    *,
    remote_images: list[str],
    inline_url: Callable[[str], str | None],
    allow_remote: bool = False,
) -> str:
    """The stored HTML ready to show: ``cid:`` images pointed at their attachments
    (``inline_url(content_id)``), remote images put back only when ``allow_remote``.

    The result is sanitized again, so a URL that slipped into the metadata cannot add
    anything the shared rules forbid.
    """

    def point(element: str, attribute: str, value: str) -> str | None:
        if element != "img" or attribute != "src" or not value.lower().startswith("cid:"):
            return value
        target = value[4:].strip("<>")
        if target.startswith(REMOTE):
            index = target.removeprefix(REMOTE)
            if not (allow_remote and index.isdigit() and int(index) < len(remote_images)):
                return None
            url = remote_images[int(index)]
            return url if url.lower().startswith(("http:", "https:")) else None
        return inline_url(target)

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=point,
    )
