"""One response model per response type, shared by every endpoint that answers it.

django-ninja wraps each (endpoint, status code) in a new pydantic model of its own
(``Operation._create_response_model``). Our endpoints all document the same seven error
statuses with one ``Problem`` schema, so the API built ~420 wrappers where 36 differ:
8.5 MB of Python objects in every process that loads the URLs, and ~0.4 s of its start.
A wrapper is the same class for the same type (``{"response": T}``), so sharing it changes
neither the answers nor the OpenAPI document (byte for byte the same when this was made).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sangdam.core.lean import keep_django_test_out

if TYPE_CHECKING:
    from ninja import Schema
    from ninja.operation import Operation

_made: dict[Any, type[Schema] | None] = {}


def share_response_models() -> None:
    """Install the shared wrappers; call it before the API modules are imported."""
    keep_django_test_out()  # before ninja is imported (core/lean.py)
    from ninja.operation import Operation

    create = Operation._create_response_model

    def shared(self: Operation, response_param: Any) -> type[Schema] | None:
        try:
            return _made[response_param]
        except KeyError:
            model = _made[response_param] = create(self, response_param)
            return model
        except TypeError:  # an unhashable annotation: its own model, as ninja makes it
            return create(self, response_param)

    Operation._create_response_model = shared  # type: ignore[method-assign]
