from django.contrib import admin
from django.urls import include, path

from sangdam.api.urls import api
from sangdam.appapi.urls import app_api

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
