"""A serving process loads neither Django's test framework nor httpx's command line; a
command that touches no channel loads no provider's code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from sangdam.api.ninja_models import _made
print("ninja" in sys.modules, "django.test" in sys.modules, "unittest" in sys.modules,
      "click" in sys.modules, len(_made) < 100)
"""


@pytest.mark.once
def test_a_process_with_the_urls_loaded_has_no_test_framework_or_cli_loaded(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True", "False", "False", "False", "True"]


HOLIDAYS_PROBE = """
import datetime as dt, sys
from sangdam.service.hours import _calendar
korea = _calendar("KR", "", 2026, "")
print(korea.get(dt.date(2026, 2, 17)) == "Korean New Year",
      sum(name.startswith("holidays.countries.") for name in sys.modules))
"""


@pytest.mark.once
def test_a_schedules_holiday_calendar_loads_its_country_alone() -> None:
    out = subprocess.run(
        [sys.executable, "-c", HOLIDAYS_PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    right, countries_loaded = out.split()
    assert right == "True" and int(countries_loaded) <= 2


COMMAND_PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
print(*(name in sys.modules for name in ("pydantic", "httpx", "sangdam.connectors.base")))
from sangdam.connectors.registry import get_connector
print(get_connector("telegram").kind, "httpx" in sys.modules)
"""


@pytest.mark.once
def test_a_command_loads_a_channels_connector_only_when_it_asks_for_it(tmp_path: Path) -> None:
    env = {**os.environ, "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    out = subprocess.run(
        [sys.executable, "-c", COMMAND_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == ["False", "False", "False", "telegram", "True"]
