from django.contrib import admin
from django.urls import include, path

from sangdam.api.ninja_models import share_response_models

share_response_models()  # before the APIs below build their endpoints

from sangdam.api.urls import api  # noqa: E402
from sangdam.appapi.urls import app_api  # noqa: E402

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/app/v1/", app_api.urls),
    path("hooks/", include("sangdam.connectors.webhooks.urls")),
    path("chat/", include("sangdam.connectors.livechat.urls")),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("sangdam.portal.urls")),
    path("", include("sangdam.console.urls")),
]
