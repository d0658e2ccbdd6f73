"""Periodic clean-up of the app channel's tables."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from sangdam.connectors.app.models import AppIdempotencyKey

# A client retries within minutes or hours; a day covers an app that was offline overnight.
KEEP_KEYS = dt.timedelta(days=2)


@task()
def prune_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than two days, so the table stays small."""
    deleted, _ = AppIdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - KEEP_KEYS
    ).delete()
    return int(deleted)
