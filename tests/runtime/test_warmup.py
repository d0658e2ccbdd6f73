"""A serving process loads the slow parts of its first requests before it listens."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sangdam.service.hours import _calendar
from sangdam.service.models import Schedule
from sangdam.service.selectors import warm_holiday_calendars
from tests.e2e.conftest import ROOT

# A fresh interpreter: in the test process other tests have loaded them already.
PROBE = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.template import engines
from sangdam.core.language import _detector
from sangdam.core.warmup import warm_up
from django.urls import get_resolver
warm_up()
cached = engines["django"].engine.template_loaders[0].get_template_cache
print("portal/new.html" in cached, _detector.cache_info().currsize,
      sorted(get_resolver()._reverse_dict))
"""


@pytest.mark.once
def test_warm_up_compiles_the_form_and_builds_the_url_tables_and_language_detector(
    tmp_path: Path,
) -> None:
    # An empty database: the holiday calendars are skipped, the rest still loads.
    env = {**os.environ, "SQLITE_PATH": str(tmp_path / "empty.sqlite3")}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True", "1", "['en',", "'ko']"]


@pytest.mark.django_db
def test_warm_up_answers_from_the_schedules_tables_without_the_holidays_package() -> None:
    Schedule.objects.create(name="Tokyo desk", time_zone="Asia/Tokyo", holiday_country="JP")
    _calendar.cache_clear()
    warm_holiday_calendars()
    assert _calendar.cache_info().misses == 0


@pytest.mark.django_db
def test_warm_up_builds_the_calendar_of_a_schedule_without_its_table() -> None:
    desk = Schedule.objects.create(name="Tokyo desk", time_zone="Asia/Tokyo", holiday_country="JP")
    Schedule.objects.filter(pk=desk.pk).update(holiday_table={})  # a row from before tables
    _calendar.cache_clear()
    warm_holiday_calendars()
    year = dt.datetime.now(ZoneInfo("Asia/Tokyo")).year
    hits = _calendar.cache_info().hits
    _calendar("JP", "", year, "")
    assert _calendar.cache_info().hits == hits + 1
