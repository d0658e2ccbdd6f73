"""Register an app or rotate its secret from the shell (the console's Admin → Apps does both).

sangdam app_channel register "Shop iOS" ios [--anonymous]
sangdam app_channel rotate ak_… [--overlap-hours 72]
sangdam app_channel list
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangdam.connectors.app import services
from sangdam.connectors.app.models import App, Platform


class Command(BaseCommand):
    help = "Register apps for the in-app inquiry API and rotate their secrets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        register = sub.add_parser("register")
        register.add_argument("name")
        register.add_argument("platform", choices=Platform.values)
        register.add_argument("--anonymous", action="store_true")
        rotate = sub.add_parser("rotate")
        rotate.add_argument("app_key")
        rotate.add_argument("--overlap-hours", type=int, default=None)
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "register":
            app = services.create_app(
                name=options["name"],
                platform=options["platform"],
                anonymous_allowed=options["anonymous"],
            )
            self._print(app, str(app.secrets["current"]))
        elif action == "rotate":
            found = App.objects.filter(key=options["app_key"]).first()
            if found is None:
                raise CommandError("no app has this key")
            hours = options["overlap_hours"]
            overlap = dt.timedelta(hours=hours) if hours is not None else None
            secret = services.rotate_secret(app=found, overlap=overlap)
            found.refresh_from_db()
            self._print(found, secret)
            self.stdout.write(
                f"previous secret valid until {found.previous_valid_until:%Y-%m-%d %H:%M} UTC"
            )
        else:
            for app in App.objects.order_by("name"):
                self.stdout.write(f"{app.key}\t{app.platform}\t{app.name}")

    def _print(self, app: App, secret: str) -> None:
        self.stdout.write(f"app key:    {app.key}")
        self.stdout.write(f"app secret: {secret}   (shown once; keep it on your backend)")
