from django.urls import path

from sangdam.connectors.webhooks import views

app_name = "hooks"

urlpatterns = [
    path("<slug:kind>/<str:key>", views.hook, name="hook"),
    path("<slug:kind>/<str:key>/<path:subpath>", views.hook, name="hook_subpath"),
]
