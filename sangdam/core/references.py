"""Ticket references customers see (``SD-100001``), drawn from a sequence, never max+1."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

REFERENCE_SEQUENCE = "sangdam_ticket_reference_seq"
FIRST_NUMBER = 100001


def next_reference_number() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [REFERENCE_SEQUENCE])
            return int(cursor.fetchone()[0])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_counter (name, value) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            ["ticket_reference", FIRST_NUMBER],
        )
        return int(cursor.fetchone()[0])


def next_reference() -> str:
    return f"{settings.REFERENCE_PREFIX}-{next_reference_number()}"
