"""What a serving process loads as it starts, before it listens, so that its first
requests do not wait for it (``bench/startup.py`` measures the stall)."""

from __future__ import annotations

import importlib
import logging
import threading

from django.conf import settings
from django.core.validators import validate_email
from django.db import DatabaseError, connections
from django.template.loader import get_template
from django.template.utils import get_app_template_dirs
from django.urls import reverse
from django.utils import translation

from sangdam.core.language import detect_language

log = logging.getLogger(__name__)

# The customer-facing pages: their templates are compiled on first use (~20 ms a page).
TEMPLATE_FOLDERS = ("portal",)
# Imported where used rather than at start, so that commands start fast (issue 15: < 1 s);
# a serving process loads them here. authres compiles its patterns on import (~55 ms).
LAZY_MODULES = ("authres",)


def warm_up_soon() -> None:
    """``warm_up`` in a background thread (the SMTP receiver: no one waits on its start)."""
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()


def warm_up() -> None:
    """Load what first requests would wait for: the schedules' public-holiday calendars
    (the first loads the ``holidays`` package and its calendar systems, ~0.1–0.25 s), the
    customer pages' templates, Django's email-address pattern (its Unicode ranges take
    ~50 ms to compile, on the first form sent), the URL tables each language reverses
    links with (5–10 ms each) and the language detector's models (~0.3 s).
    A web process does it before it listens (~0.4 s): in a background thread it still ran,
    fighting for the interpreter lock, when the first requests came (+75–90 ms to them)."""
    # The domain's selector, imported here: core itself depends on no domain app.
    from sangdam.service.selectors import warm_holiday_calendars

    try:
        warm_holiday_calendars()
    except DatabaseError as exc:  # not migrated yet: the first request will load them
        log.warning("warm-up skipped the holiday calendars: %s", exc)
    finally:
        connections.close_all()
    validate_email("warm-up@example.com")
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("portal:new")  # the URL table of each language is built on its first use
    for folder in get_app_template_dirs("templates"):
        for name in TEMPLATE_FOLDERS:
            for path in sorted((folder / name).rglob("*.html")):
                get_template(str(path.relative_to(folder)))
    detect_language("warm-up 준비")
    for module in LAZY_MODULES:
        importlib.import_module(module)
