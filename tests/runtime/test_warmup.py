"""A serving process loads the slow parts of its first requests before it listens."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT

# A fresh interpreter: in the test process other tests have loaded them already.
PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
before = "holidays.countries" in sys.modules
from sangdam.core.language import _detector
from sangdam.core.warmup import warm_up
warm_up()
from django.template import engines
cached = engines["django"].engine.template_loaders[0].get_template_cache
print(before, "holidays.countries" in sys.modules, _detector.cache_info().currsize)
print("portal/new.html" in cached)
"""


@pytest.mark.once
def test_warm_up_loads_the_holiday_calendars_the_form_and_the_language_detector() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "True", "1", "True"]
