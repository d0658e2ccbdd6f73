"""One response model per response type, shared by every endpoint that answers it.

django-ninja wraps each (endpoint, status code) in a new pydantic model of its own
(``Operation._create_response_model``). Our endpoints all document the same seven error
statuses with one ``Problem`` schema, so the API built ~420 wrappers where 36 differ:
8.5 MB of Python objects in every process that loads the URLs, and ~0.4 s of its start.
A wrapper is the same class for the same type (``{"response": T}``), so sharing it changes
neither the answers nor the OpenAPI document (byte for byte the same when this was made).
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.operation import Operation

_made: dict[Any, type[Schema] | None] = {}
_create = Operation._create_response_model


def _shared_response_model(self: Operation, response_param: Any) -> type[Schema] | None:
    try:
        return _made[response_param]
    except KeyError:
        model = _made[response_param] = _create(self, response_param)
        return model
    except TypeError:  # an unhashable annotation: its own model, as ninja makes it
        return _create(self, response_param)


def share_response_models() -> None:
    Operation._create_response_model = _shared_response_model  # type: ignore[method-assign]
