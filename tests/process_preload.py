"""Imported once by the fork server of ``tests.processes.at_once``, never by a test.

Django and the intake are imported and set up here, before any child is forked, so each
child starts ready instead of spending seconds of CPU on the same imports. No database
connection is opened here: each child opens its own, on the test database it is given.
"""

from __future__ import annotations

import os


def _set_up() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import sangdam.connectors.intake
    import sangdam.core.scheduler  # noqa: F401


_set_up()
