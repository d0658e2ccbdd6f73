"""A poller that dies mid-way, in a process of its own (for the crash tests).

This module imports nothing from Django at import time: the spawned child imports it
before Django is set up, then points itself at the test database.
"""

from __future__ import annotations

import os
from typing import Any

CRASHED = 42


def poll_then_die(db_name: str, mailbox_id: int, after: str) -> None:
    """Poll the mailbox and end the process abruptly right after ``after`` for message 1.

    ``after="intake"``: process_email committed, no receipt, no flag.
    ``after="receipt"``: the receipt is stored, the flag is not set.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = db_name

    from sangdam.connectors.email import imap, parse
    from sangdam.connectors.email.models import Mailbox

    if after == "intake":
        process_email = parse.process_email

        def process_then_die(raw: Any, **kwargs: Any) -> str:
            process_email(raw, **kwargs)
            os._exit(CRASHED)

        parse.process_email = process_then_die
    else:
        record_receipt = imap._record_receipt

        def record_then_die(*args: Any) -> None:
            record_receipt(*args)
            os._exit(CRASHED)

        imap._record_receipt = record_then_die  # type: ignore[assignment]
    imap.poll_mailbox(Mailbox.objects.get(pk=mailbox_id))
