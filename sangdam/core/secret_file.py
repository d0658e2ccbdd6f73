"""A per-installation secret kept on disk, for setups that did not set SECRET_KEY."""

from __future__ import annotations

import secrets
from pathlib import Path


def load_or_create_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(50)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value
