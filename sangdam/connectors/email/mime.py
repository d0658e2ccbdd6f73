"""The body and files of a parsed mail: which part the customer reads, which are files.

The stdlib chooses the body (``get_body``); everything else that is not a body becomes
an attachment, forwarded mails (message/rfc822) included as ``.eml`` files, and
Outlook's winmail.dat is unpacked with tnefparse when it can be.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from pathlib import Path

from sangdam.connectors.base import InboundAttachment
from sangdam.connectors.email.decode import (
    decode_bytes,
    decode_header_value,
    raw_header,
    raw_items,
)
from sangdam.connectors.email.spool import LIFTED_HEADER

log = logging.getLogger(__name__)
MAX_DEPTH = 20


@dataclass
class Bodies:
    text: str = ""
    html: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)
    # Content-ID (without brackets) → the attachment's filename, for cid: images.
    inline: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def part_text(part: Message) -> str:
    """A text part's content, decoded with the charset fallback chain."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # broken transfer encoding: read what is there
        payload = None
    if isinstance(payload, bytes):
        text = decode_bytes(payload, _charset(part))
    else:
        raw = part.get_payload()
        text = raw if isinstance(raw, str) else ""
    # Mail travels with CRLF; stored text uses plain line feeds.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # a broken RFC 2231 parameter
        name = ""
    return decode_header_value(str(name)) if name else ""


def extract(message: EmailMessage, lifted: dict[str, Path] | None = None) -> Bodies:
    """``lifted``: the files of parts decoded to disk before parsing (spool.py)."""
    bodies = Bodies()
    text_part = html_part = None
    try:
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except Exception as exc:
        bodies.notes.append(f"body not found: {exc}")
    if (
        text_part is None
        and html_part is None
        and not message.is_multipart()
        and message.get_content_maintype() == "text"
    ):
        # A one-part mail with an odd text type or an attachment disposition.
        text_part = message
    if text_part is not None:
        bodies.text = part_text(text_part)
    if html_part is not None:
        bodies.html = part_text(html_part)
    extra_text: list[str] = []
    _walk(message, (text_part, html_part), bodies, extra_text, lifted or {}, depth=0)
    if extra_text:
        bodies.text = "\n\n".join(t for t in [bodies.text, *extra_text] if t.strip())
    return bodies


def _walk(
    part: Message,
    chosen: tuple[Message | None, ...],
    bodies: Bodies,
    extra_text: list[str],
    lifted: dict[str, Path],
    depth: int,
) -> None:
    if depth > MAX_DEPTH:
        bodies.notes.append("MIME nesting too deep; inner parts skipped")
        return
    if any(part is c for c in chosen):
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        _forwarded(part, bodies)
        return
    if part.is_multipart():
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                _walk(sub, chosen, bodies, extra_text, lifted, depth + 1)
        return
    filename = _filename(part)
    disposition = part.get_content_disposition()
    if part.get_content_maintype() == "text" and not filename and disposition != "attachment":
        if content_type == "text/plain":
            # Apple Mail splits the text around inline files: keep every piece.
            extra_text.append(part_text(part))
        return
    path = _lifted(part, lifted)
    content = _payload(part) if path is None else b""
    if path is None and not content:
        return
    is_tnef = content_type == "application/ms-tnef" or filename.lower() == "winmail.dat"
    if is_tnef and _tnef(content or (path.read_bytes() if path else b""), bodies):
        return
    if not filename:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        filename = f"attachment-{len(bodies.attachments) + 1}{extension}"
    filename = _add(bodies, filename, content_type, content, path)
    content_id = raw_header(part, "Content-ID").strip().strip("<>")
    if content_id:
        bodies.inline[content_id] = filename


def _lifted(part: Message, lifted: dict[str, Path]) -> Path | None:
    """The file this part's body was decoded to, if it was (a sender may have written
    the header too: only a value naming one of this mail's files counts)."""
    if not lifted:
        return None
    for key, value in raw_items(part):
        if key.lower() == LIFTED_HEADER.lower() and str(value).strip() in lifted:
            return lifted[str(value).strip()]
    return None


def _payload(part: Message) -> bytes:
    try:
        content = part.get_payload(decode=True)
    except Exception:
        return b""
    return content if isinstance(content, bytes) else b""


def _forwarded(part: Message, bodies: Bodies) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return
    try:
        content = inner.as_bytes()
    except Exception:  # an inner mail the generator cannot write back
        content = inner.as_string().encode("utf-8", errors="replace")
    name = _filename(part)
    if not name:
        subject = decode_header_value(raw_header(inner, "Subject")) or "forwarded"
        name = f"{subject[:80]}.eml"
    _add(bodies, name, "message/rfc822", content)


def _tnef(content: bytes, bodies: Bodies) -> bool:
    """Unpack winmail.dat's files; False (keep it as it is) when tnefparse cannot."""
    try:
        from tnefparse.tnef import TNEF

        tnef = TNEF(content)
    except Exception as exc:
        bodies.notes.append(f"winmail.dat not readable: {exc}")
        return False
    found = False
    for item in tnef.attachments:
        data = item.data if isinstance(item.data, bytes) else bytes(item.data or b"")
        try:
            name = item.long_filename() or item.name
        except Exception:  # tnefparse decodes names as UTF-8 and trips on others
            raw_name = getattr(item, "_name", b"")
            name = decode_bytes(raw_name).strip("\x00") if isinstance(raw_name, bytes) else ""
        if isinstance(name, bytes):
            name = decode_bytes(name)
        name = str(name or "") or f"attachment-{len(bodies.attachments) + 1}"
        if data:
            guessed = mimetypes.guess_type(str(name))[0] or "application/octet-stream"
            _add(bodies, str(name), guessed, data)
            found = True
    if not bodies.text and getattr(tnef, "body", None):
        body = tnef.body
        bodies.text = decode_bytes(body) if isinstance(body, bytes) else str(body)
        found = True
    return found


def _add(
    bodies: Bodies, name: str, content_type: str, content: bytes, path: Path | None = None
) -> str:
    """Append a file under a name unique in this mail (two image001.png stay two files
    for cid: lookups); return the name it got."""
    taken = {a.filename.lower() for a in bodies.attachments}
    final, count = name, 1
    while final.lower() in taken:
        count += 1
        stem, dot, ext = name.rpartition(".")
        final = f"{stem} ({count}).{ext}" if dot and stem else f"{name} ({count})"
    bodies.attachments.append(
        InboundAttachment(final, content_type, content, path=str(path) if path else "")
    )
    return final
