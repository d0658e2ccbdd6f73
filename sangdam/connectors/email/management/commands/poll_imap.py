"""``sangdam poll_imap``: poll the IMAP mailboxes once, now, in this process.

The scheduler does this every minute through the task queue; this command is for
trying a new mailbox from the shell and for cron set-ups without a worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sangdam.connectors.email.imap import poll_mailbox, pollable_mailboxes


class Command(BaseCommand):
    help = "Poll every enabled IMAP mailbox once and print what came in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", type=int, help="only this mailbox id")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for mailbox in pollable_mailboxes():
            if options["mailbox"] and mailbox.pk != options["mailbox"]:
                continue
            result = poll_mailbox(mailbox)
            failed = failed or bool(result.error)
            self.stdout.write(
                f"{mailbox.pk} {mailbox}: {len(result.outcomes)} new, "
                f"{result.acknowledged_only} only flagged"
                + (f", error: {result.error}" if result.error else "")
            )
        if failed:
            raise SystemExit(1)
