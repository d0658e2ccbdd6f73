"""The customer-facing API for the company's apps (/api/app/v1/): a face, like the REST API.

Routers, schemas and request parsing live here; the in-app connector
(:mod:`sangdam.connectors.app`) keeps what is the channel's own: the app registry and
signed caller identity (``auth``), push, and its models.
"""
