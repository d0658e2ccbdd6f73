"""Which engine answers searches (settings.SEARCH_BACKEND)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from sangdam.search.backends.base import SearchBackend


@cache
def _backend(name: str, vendor: str) -> SearchBackend:
    if name == "database":
        if vendor == "postgresql":
            from sangdam.search.backends.postgres import PostgresBackend

            return PostgresBackend()
        from sangdam.search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    backend = import_string(name)()
    if not isinstance(backend, SearchBackend):
        raise TypeError(f"SEARCH_BACKEND {name!r} is not a SearchBackend")
    return backend


def get_backend() -> SearchBackend:
    return _backend(getattr(settings, "SEARCH_BACKEND", "database"), connection.vendor)
