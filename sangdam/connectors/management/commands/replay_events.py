"""``sangdam replay_events``: process stored webhook events again (after a fix)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from sangdam.connectors.models import EventStatus, InboundEvent
from sangdam.connectors.webhooks.store import replay_events


class Command(BaseCommand):
    help = "Replay stored webhook events (failed ones by default) through processing again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", type=int, help="only this channel (id)")
        parser.add_argument(
            "--status",
            default=EventStatus.FAILED,
            choices=[*EventStatus.values, "all"],
            help="which events (default: failed)",
        )
        parser.add_argument(
            "--event", type=int, action="append", help="this event (id); repeatable"
        )
        parser.add_argument("--since-hours", type=float, help="only events received since")
        parser.add_argument("--dry-run", action="store_true", help="count, replay nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        events = InboundEvent.objects.order_by("id")
        if options["event"]:
            events = events.filter(pk__in=options["event"])
        elif options["status"] != "all":
            events = events.filter(status=options["status"])
        if options["channel"]:
            events = events.filter(channel_id=options["channel"])
        if options["since_hours"]:
            since = timezone.now() - dt.timedelta(hours=options["since_hours"])
            events = events.filter(received_at__gte=since)
        if options["dry_run"]:
            self.stdout.write(f"{events.count()} event(s) would be replayed")
            return
        count = replay_events(events.iterator())
        self.stdout.write(f"{count} event(s) queued for processing again")
