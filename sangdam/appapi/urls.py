"""The API for the company's mobile and web apps, under /api/app/v1/."""

from sangdam.api.errors import ProblemAPI, install_problem_handlers
from sangdam.appapi import api
from sangdam.connectors.app.auth import AppAuth

app_api = ProblemAPI(
    title="Sangdam App API",
    version="1",
    urls_namespace="api-app-v1",
    auth=AppAuth(),
    description=(
        "For the company's iOS, Android and web apps. Every request carries `X-App-Key` "
        "and a user: `X-User-Id` with `X-User-Signature` = hex HMAC-SHA256(app secret, "
        "user id), computed by your backend. Errors are RFC 9457 problem documents; "
        "branch on their `code`. Creates accept an `Idempotency-Key` header. "
        "See docs/channels/in-app.md."
    ),
)
install_problem_handlers(app_api)
app_api.add_router("", api.router)
