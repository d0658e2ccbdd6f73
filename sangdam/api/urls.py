"""The REST API for integrators, mounted at /api/v1/ (docs at /api/v1/docs)."""

from sangdam.api import automations, customers, meta, routing, service, tickets
from sangdam.api.auth import AUTH
from sangdam.api.errors import ProblemAPI, install_problem_handlers

api = ProblemAPI(
    title="Sangdam API",
    version="1",
    urls_namespace="api-v1",
    auth=AUTH,
    description=(
        "Authenticate with `Authorization: Bearer <token>` (create one with "
        "`sangdam create_api_token <email> <name>`). Errors are RFC 9457 problem "
        "documents; branch on their `code`. POSTs accept an `Idempotency-Key` header."
    ),
)
install_problem_handlers(api)
api.add_router("", tickets.router)
api.add_router("", customers.router)
api.add_router("", meta.router)
api.add_router("", service.router)
api.add_router("", automations.router)
api.add_router("", routing.router)
