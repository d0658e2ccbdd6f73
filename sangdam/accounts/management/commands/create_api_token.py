"""``sangdam create_api_token <email> <name>``: issue a REST API token for an agent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangdam.accounts.models import User
from sangdam.accounts.tokens import create_api_token


class Command(BaseCommand):
    help = "Create an API token for an agent and print it once (only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the agent's email address")
        parser.add_argument("name", help="what the token is for, e.g. 'mobile app backend'")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No agent with email {options['email']!r}.")
        if not user.is_active:
            raise CommandError(f"{user.email} is not active.")
        issued = create_api_token(user=user, name=options["name"])
        self.stderr.write(f"Token {issued.token.name!r} for {user.email} (role {user.role}).")
        self.stderr.write("Store it now: it is not shown again.")
        self.stdout.write(issued.raw)
