"""Load the demo company (demo mode only; a no-op when it is already there)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sangdam.core.demo import ADMIN_EMAIL, DEMO_PASSWORD, demo_loaded, load_demo


class Command(BaseCommand):
    help = "Create demo teams, agents, topics, channels and tickets (SANGDAM_DEMO=1 only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("Demo data is only loaded in demo mode (SANGDAM_DEMO=1).")
        if demo_loaded():
            self.stdout.write("Demo data already loaded.")
            return
        with transaction.atomic():
            count = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {count} tickets. Log in as {ADMIN_EMAIL} / {DEMO_PASSWORD}"
            )
        )
