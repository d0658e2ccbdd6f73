"""No key published in the source signs anything; servers refuse keys that are not real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sangdam.core.secret_file import load_or_create_secret, refusal

ROOT = Path(__file__).resolve().parents[2]
PRINT_KEY = (
    "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)


def _env(var: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "SANGDAM_DEMO", "DJANGO_DEBUG", "REDIS_URL")
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SANGDAM_VAR_DIR": str(var),
        **extra,
    }


def _demo_key(var: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PRINT_KEY],
        env=_env(var, SANGDAM_DEMO="1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_demo_signs_with_a_random_key_kept_in_its_data_folder(tmp_path: Path) -> None:
    key = _demo_key(tmp_path / "a")
    assert key == (tmp_path / "a" / "secret_key").read_text().strip()
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0
    assert key not in (ROOT / "config" / "settings.py").read_text()
    assert load_or_create_secret(tmp_path / "a" / "secret_key") == key  # kept across restarts
    assert load_or_create_secret(tmp_path / "b" / "secret_key") != key  # each installation


@pytest.mark.parametrize("command", ["serve", "worker", "scheduler", "smtpd"])
def test_a_server_outside_demo_mode_refuses_a_weak_key_with_a_clear_message(
    command: str, settings: Any
) -> None:
    settings.DEMO = settings.DEBUG = False
    settings.SECRET_KEY = "changeme"
    with pytest.raises(CommandError, match="Refusing to start: SECRET_KEY is a published"):
        call_command(command)


@pytest.mark.parametrize(
    "key",
    ["insecure-embedded-development-key-change-me", "django-insecure-abc", "short", "a" * 60],
)
def test_published_short_or_repetitive_keys_are_not_real(key: str) -> None:
    assert refusal(key, from_environment=True, scaled=False)


def test_a_random_key_is_real_and_scaled_mode_needs_it_from_the_environment() -> None:
    key = "kV3p_q8Zr1mN0xYtB5wL2cHs7dJf9gAe4uRiOo6T"
    assert refusal(key, from_environment=True, scaled=True) == ""
    assert refusal(key, from_environment=False, scaled=False) == ""
    assert "Scaled mode" in refusal(key, from_environment=False, scaled=True)
