"""How every face serves a stored attachment: as a download, under a name that fits its type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import FileResponse, Http404

from sangdam.tickets.attachments import download_name

if TYPE_CHECKING:
    from sangdam.tickets.models import Attachment


def attachment_response(item: Attachment, *, content_type: str = "") -> FileResponse:
    """``Content-Disposition: attachment`` with a name whose extension matches the sniffed
    type, ``nosniff`` so the browser believes the type we send, and no shared caching."""
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(item.filename, item.content_type),
        content_type=content_type or item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
