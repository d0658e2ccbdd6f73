"""Statements reach the database as written, however often they repeat (core/sqlite)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_placeholders_and_literal_percent_signs_survive_repeated_statements() -> None:
    with connection.cursor() as cursor:
        for value in (1, 2):
            cursor.execute("SELECT %s, '100%%', %s", [value, "x%s"])
            assert cursor.fetchone() == (value, "100%", "x%s")


def test_named_placeholders_still_work() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s + %(b)s", {"a": 2, "b": 3})
        assert cursor.fetchone() == (5,)
