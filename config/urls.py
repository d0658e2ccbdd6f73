from django.contrib import admin
from django.urls import include, path

from sangdam.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("sangdam.console.urls")),
]
