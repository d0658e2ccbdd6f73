"""``sangdam fake-providers``: every registered fake provider API on this machine.

Starts the fakes (``sangdam.connectors.fakes``) and points the enabled channels of their
kinds at them (``config["api_base"]``), so the demo's messenger channels answer without
the internet. ``--reset`` points them back at the real APIs.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sangdam.connectors.fakes import FakeProvider, registered_fakes
from sangdam.connectors.models import Channel


class Command(BaseCommand):
    help = "Run local fake provider APIs (Telegram, ...) and point the channels at them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--reset", action="store_true", help="point channels back, exit")

    def handle(self, *args: Any, **options: Any) -> None:
        fakes = registered_fakes()
        if options["reset"]:
            for channel in Channel.objects.filter(kind__in=list(fakes)):
                channel.config = {k: v for k, v in channel.config.items() if k != "api_base"}
                channel.save(update_fields=["config"])
            self.stdout.write("channels point at the real provider APIs again")
            return
        running: list[FakeProvider] = []
        for kind, factory in sorted(fakes.items()):
            fake = factory()
            fake.start()
            running.append(fake)
            count = 0
            for channel in Channel.objects.filter(kind=kind, enabled=True):
                channel.config = {**channel.config, "api_base": fake.url}
                channel.save(update_fields=["config"])
                count += 1
            self.stdout.write(f"{kind}: {fake.url} ({count} channel(s) point here)")
        if not running:
            self.stdout.write("no fake providers are registered")
            return
        self.stdout.write("Ctrl-C stops them (run `sangdam fake-providers --reset` afterwards)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            for fake in running:
                fake.stop()
