"""Keep what no Sangdam process uses out of its memory.

httpx's package imports its command-line client (``httpx._main``: click, rich and
pygments, ~5 MB per process) whenever those happen to be installed, and every Sangdam
process imports httpx. Upstream would import it only for the command line
(encode/httpx#3547); until then a stand-in takes its place before httpx is imported. The
``httpx`` command, a separate program, is not affected.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
from pathlib import Path


def keep_httpx_cli_out() -> None:
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return  # too late, or already done: leave httpx as it is
    stand_in = types.ModuleType("httpx._main")

    def main() -> None:
        raise SystemExit("httpx's command line is not loaded in a Sangdam process; run `httpx`")

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


def keep_django_test_out() -> None:
    """django-ninja 1.7 imports ``setting_changed`` from ``django.test.signals``, and with
    that package Django's whole test framework (unittest, the test client, jinja2: 120
    modules, 8 MB per process that loads the URLs). Upstream would import it from
    ``django.core.signals`` (vitalik/django-ninja#1772); until then ``django/test/signals.py``,
    which needs nothing else of ``django.test``, is loaded under its own name before ninja,
    so that importing it no longer runs its package. Call it before ninja is imported;
    ``import django.test`` still works afterwards (the tests use it)."""
    name = "django.test.signals"
    if "django.test" in sys.modules or name in sys.modules:
        return
    django_spec = importlib.util.find_spec("django")
    if django_spec is None or django_spec.origin is None:
        return
    path = Path(django_spec.origin).parent / "test" / "signals.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise


def load_holiday_countries_one_by_one() -> None:
    """``holidays`` finds a country's class through ``holidays.countries``, whose package
    imports all 250 countries' modules (~8 MB) though a schedule needs one. An empty
    package of that name, in its place before ``holidays`` is first used, lets each
    country's module load alone when it is asked for (the calendars come out the same:
    117 calendars of 10 countries, 3 years and their languages compared). Does nothing if
    the real package is already loaded."""
    name = "holidays.countries"
    if name in sys.modules:
        return
    holidays_spec = importlib.util.find_spec("holidays")
    if holidays_spec is None or holidays_spec.origin is None:
        return
    spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = [str(Path(holidays_spec.origin).parent / "countries")]
    sys.modules[name] = importlib.util.module_from_spec(spec)
