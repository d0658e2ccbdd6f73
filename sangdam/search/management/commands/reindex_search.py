"""``sangdam reindex_search``: rebuild the search index from the tickets.

Run it after turning ``SEARCH_INDEX`` back on, after restoring a backup taken without the
index, or after an analyser upgrade. It works in batches of tickets (one transaction
each), so the console keeps answering while it runs; ``--since`` catches up only tickets
with activity after a date.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from sangdam.search import indexer
from sangdam.search.backends import get_backend
from sangdam.search.models import SearchDocument
from sangdam.tickets.models import Ticket


class Command(BaseCommand):
    help = "Rebuild the search index from the tickets (all, or those active since a date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="tickets per transaction")
        parser.add_argument(
            "--since", type=dt.date.fromisoformat, help="only tickets active since (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        tickets = Ticket.objects.filter(merged_into__isnull=True)
        if options["since"]:
            tickets = tickets.filter(last_activity_at__date__gte=options["since"])
        else:
            # Documents of tickets that are gone or merged away.
            SearchDocument.objects.exclude(ticket__merged_into__isnull=True).delete()
        ids = list(tickets.order_by("id").values_list("id", flat=True))
        written = 0
        batch = max(1, options["batch"])
        for start in range(0, len(ids), batch):
            written += indexer.index_tickets(ids[start : start + batch], rebuild=True)
            if options["verbosity"] > 1:
                self.stdout.write(f"{written}/{len(ids)}")
        if connection.vendor == "sqlite" and not options["since"]:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        size = get_backend().size_bytes()
        self.stdout.write(
            f"indexed {written} tickets in {time.perf_counter() - started:.1f} s"
            + (f"; index size {size / 1e6:.1f} MB" if size else "")
        )
