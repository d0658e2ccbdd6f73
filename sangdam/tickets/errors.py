"""Errors the domain raises for refused changes; each carries a stable code for the API."""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_status_transition"


class PermissionDenied(DomainError):
    code = "permission_denied"
