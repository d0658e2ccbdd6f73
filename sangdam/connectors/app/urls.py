"""The API for the company's mobile and web apps, under /api/app/v1/."""

from ninja import NinjaAPI

app_api = NinjaAPI(title="Sangdam App API", version="1", urls_namespace="api-app-v1")
