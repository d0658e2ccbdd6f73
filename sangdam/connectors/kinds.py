"""Imports every connector kind so that each registers itself."""

from sangdam.connectors.email import by_email, connector

__all__ = ["by_email", "connector"]
