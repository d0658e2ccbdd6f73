"""The search index's rows: one per ticket, holding its analysed text.

The analysed terms (see :mod:`sangdam.search.analyzer`) are stored here on every database;
the database's own full-text index reads them: an FTS5 table kept in step by triggers on
SQLite, a generated ``tsvector`` column with a GIN index on PostgreSQL (both created in
``migrations/0001_initial.py``). A reindex can always rebuild these rows from the tickets.
"""

from __future__ import annotations

from django.db import models

from sangdam.tickets.models import Ticket


class SearchDocument(models.Model):
    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # Reference, subject, customer name and contacts: ranked above the messages.
    head = models.TextField(blank=True)
    # The messages' terms, appended as messages arrive.
    body = models.TextField(blank=True)
    # The newest message in ``body``: the listener appends only later ones (idempotent).
    last_message_id = models.BigIntegerField(default=0)
    indexed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"search document of ticket {self.ticket_id}"
