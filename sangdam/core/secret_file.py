"""The signing key: from the environment, or generated once into the instance's data folder.

Status-page links, password resets and sessions are signed with ``SECRET_KEY``; whoever
knows it can forge a link to any customer's inquiry. So no key is ever published in the
source: an installation without ``SECRET_KEY`` (the demo, a first run) gets a random one
written to ``VAR_DIR/secret_key`` (mode 0600) and keeps it across restarts. Server
processes outside demo mode refuse to start with a key that is too weak to be real
(:func:`refusal`), and in scaled mode every process must be given the same key.
"""

from __future__ import annotations

import secrets
from pathlib import Path

MIN_LENGTH = 32
# Values from examples, tutorials and older versions of this project.
KNOWN_WEAK = {
    "insecure-embedded-development-key-change-me",
    "change-me",
    "changeme",
    "secret",
    "django-insecure",
}


def load_or_create_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
    value = secrets.token_urlsafe(50)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def refusal(key: str, *, from_environment: bool, scaled: bool) -> str:
    """Why a server must not start with ``key`` ("" when it may)."""
    if scaled and not from_environment:
        return (
            "Scaled mode (REDIS_URL is set) needs SECRET_KEY or SECRET_KEY_FILE: every web, "
            "worker and SMTP process must sign with the same key."
        )
    if key.lower().startswith("django-insecure") or key.lower() in KNOWN_WEAK:
        return "SECRET_KEY is a published example value. Set a random one."
    if len(key) < MIN_LENGTH or len(set(key)) < 8:
        return (
            f"SECRET_KEY is too weak to sign customers' links (at least {MIN_LENGTH} random "
            "characters). Generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'"
        )
    return ""


def require_real_secret() -> None:
    """Stop a server process (outside demo and debug mode) whose signing key is not real."""
    from django.conf import settings
    from django.core.management.base import CommandError

    if settings.DEMO or settings.DEBUG:
        return
    reason = refusal(
        settings.SECRET_KEY,
        from_environment=settings.SECRET_KEY_FROM_ENVIRONMENT,
        scaled=bool(settings.REDIS_URL),
    )
    if reason:
        raise CommandError(f"Refusing to start: {reason} See docs/security.md.")
