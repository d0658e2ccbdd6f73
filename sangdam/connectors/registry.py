"""Connectors are found by channel kind in one registry."""

from __future__ import annotations

from sangdam.connectors.base import Connector

_REGISTRY: dict[str, Connector] = {}


def register(connector_class: type[Connector]) -> type[Connector]:
    _REGISTRY[connector_class.kind] = connector_class()
    return connector_class


def get_connector(kind: str) -> Connector | None:
    return _REGISTRY.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_REGISTRY)


def unregister(kind: str) -> None:
    """Forget a kind (tests that register their own connectors)."""
    _REGISTRY.pop(kind, None)
