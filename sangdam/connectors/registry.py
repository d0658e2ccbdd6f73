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
