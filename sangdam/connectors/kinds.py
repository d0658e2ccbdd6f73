"""Imports every connector kind so that each registers itself."""

from sangdam.connectors.email import connector as email_connector

__all__ = ["email_connector"]
