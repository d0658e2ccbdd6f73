"""Infrastructure tables shared by every app: leases and counters."""

from __future__ import annotations

from django.db import models


class Lease(models.Model):
    """A named lease held by one process until it expires (e.g. the scheduler)."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=128)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder}"


class Counter(models.Model):
    """A monotonically increasing counter, used on SQLite in place of a sequence.

    SQLite serialises writers, so an UPDATE ... RETURNING on one row is as safe as a
    PostgreSQL sequence there. On PostgreSQL we use a real sequence (see references.py).
    """

    name = models.CharField(max_length=64, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class JobRun(models.Model):
    """When a periodic job was last enqueued by the scheduler."""

    name = models.CharField(max_length=64, primary_key=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at}"
