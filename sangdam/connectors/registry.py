"""Connectors are found by channel kind in one registry.

A kind is offered by the module that defines its connector and imported when the kind is
first asked for: a command that touches no channel (``sangdam migrate``, ``check``) does
not load pydantic, httpx and every provider's payload models (~0.2 s of its start). Serving
processes load them all before they listen (``load_all``), so no first call waits.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sangdam.connectors.base import Connector

_REGISTRY: dict[str, Connector] = {}
_MODULES: dict[str, str] = {}


def register(connector_class: type[Connector]) -> type[Connector]:
    _REGISTRY[connector_class.kind] = connector_class()
    return connector_class


def register_module(kind: str, module: str) -> None:
    """Offer ``kind``, whose connector ``module`` registers when it is imported."""
    _MODULES[kind] = module


def get_connector(kind: str) -> Connector | None:
    connector = _REGISTRY.get(kind)
    if connector is None and kind in _MODULES:
        import_module(_MODULES[kind])
        connector = _REGISTRY.get(kind)
    return connector


def registered_kinds() -> list[str]:
    return sorted(_REGISTRY.keys() | _MODULES.keys())


def load_all() -> None:
    """Import every offered kind's module (a serving process, before it listens)."""
    for module in sorted(set(_MODULES.values())):
        import_module(module)


def unregister(kind: str) -> None:
    """Forget a kind (tests that register their own connectors)."""
    _REGISTRY.pop(kind, None)
