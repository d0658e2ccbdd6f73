"""Attachment checks: size, count, and type by content (never by name or declared type)."""

from __future__ import annotations

import codecs
import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Types a help desk needs to receive: screenshots, documents, recordings, archives.
ALLOWED_PREFIXES = ("image/", "video/", "audio/")
ALLOWED_TYPES = {
    "application/pdf",
    "application/zip",
    "application/x-zip-compressed",
    "text/plain",
    "text/csv",
    "message/rfc822",
    "application/ogg",  # voice notes (Telegram, WhatsApp): Ogg/Opus sniffs as this
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
BLOCKED_TYPES = {"image/svg+xml"}  # SVG carries script
TEXT_SUFFIXES = {".txt", ".csv", ".log", ".json", ".eml", ".md"}


class AttachmentRejected(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedAttachment:
    filename: str
    content_type: str
    content: bytes
    sha256: str
    # The content is in this file instead (``content`` is then b""): see InboundAttachment.
    path: str = ""

    @property
    def size(self) -> int:
        return os.path.getsize(self.path) if self.path else len(self.content)


# The screenshots and photos most inquiries carry, told by their signatures as puremagic
# tells them (tests/pipeline/test_attachment_types.py compares the two); its full scan costs ~0.35 ms a file.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _common_image(content: bytes) -> str:
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return ""


def _sniff(content: bytes, filename: str, path: str = "") -> str:
    if found := _common_image(content):
        return found
    try:
        matches = puremagic.magic_string(content[:8192])
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type:
            return str(match.mime_type)
    if PurePath(filename).suffix.lower() in TEXT_SUFFIXES:
        return "text/plain" if _is_utf8(content, path) else "application/octet-stream"
    return "application/octet-stream"


def _is_utf8(content: bytes, path: str) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        if not path:
            decoder.decode(content, final=True)
            return True
        with open(path, "rb") as file:
            while chunk := file.read(1024 * 1024):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def safe_filename(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.replace("\x00", "").strip()
    return "".join(ch for ch in name if ch.isprintable())[:200] or "attachment"


# Suffixes that fit a sniffed type beyond what ``mimetypes`` lists (or, for text, instead).
FITTING_SUFFIXES = {
    "text/plain": TEXT_SUFFIXES,
    "application/ogg": {".ogg", ".oga", ".opus", ".ogx"},
    "audio/ogg": {".ogg", ".oga", ".opus"},
    "application/zip": {".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"},
    "application/x-zip-compressed": {".zip", ".docx", ".xlsx", ".pptx"},
    "message/rfc822": {".eml"},
}


def download_name(filename: str, content_type: str) -> str:
    """The name a file is downloaded under: its extension always matches its sniffed type.

    The browser and the operating system pick what opens a download by its extension, so
    an HTML/GIF polyglot sent as ``invoice.html`` (stored as ``image/gif``) downloads as
    ``invoice.gif``, never as a page that runs script from our origin or the desktop.
    """
    name = safe_filename(filename)
    path = PurePath(name)
    suffix = path.suffix.lower()
    fitting = FITTING_SUFFIXES.get(content_type) or set(
        mimetypes.guess_all_extensions(content_type)
    )
    if suffix and suffix in fitting:
        return name
    subtype = re.sub(r"[^a-z0-9]", "", content_type.rpartition("/")[2].lower())[:10]
    extension = mimetypes.guess_extension(content_type) or (f".{subtype}" if subtype else ".bin")
    if content_type == "text/plain":
        extension = ".txt"
    return f"{path.stem if suffix else name}{extension}"


def check_attachment(filename: str, content: bytes, *, path: str = "") -> CheckedAttachment:
    """``path``: the content is in that file (read in pieces), ``content`` is b""."""
    size = os.path.getsize(path) if path else len(content)
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentRejected(
            "attachment_too_large",
            str(
                _("%(name)s is larger than %(limit)d MB.")
                % {"name": filename, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            ),
        )
    if not size:
        raise AttachmentRejected(
            "attachment_empty", str(_("%(name)s is empty.") % {"name": filename})
        )
    if path:
        with open(path, "rb") as file:
            start = file.read(8192)
            file.seek(0)
            sha256 = hashlib.file_digest(file, "sha256").hexdigest()
    else:
        start, sha256 = content[:8192], hashlib.sha256(content).hexdigest()
    content_type = _sniff(start if path else content, filename, path)
    allowed = content_type in ALLOWED_TYPES or content_type.startswith(ALLOWED_PREFIXES)
    if not allowed or content_type in BLOCKED_TYPES:
        raise AttachmentRejected(
            "attachment_type_not_allowed",
            str(_("%(name)s is not an allowed file type.") % {"name": filename}),
        )
    return CheckedAttachment(
        filename=safe_filename(filename),
        content_type=content_type,
        content=content,
        sha256=sha256,
        path=path,
    )


def check_attachments(files: list[tuple[str, bytes]]) -> list[CheckedAttachment]:
    if len(files) > settings.ATTACHMENT_MAX_COUNT:
        raise AttachmentRejected(
            "too_many_attachments",
            str(
                _("At most %(count)d files can be attached.")
                % {"count": settings.ATTACHMENT_MAX_COUNT}
            ),
        )
    return [check_attachment(name, content) for name, content in files]
