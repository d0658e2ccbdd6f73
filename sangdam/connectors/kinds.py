"""Imports every connector kind so that each registers itself."""

from sangdam.connectors.app import connector as app_connector
from sangdam.connectors.email import by_email, connector

__all__ = ["app_connector", "by_email", "connector"]
