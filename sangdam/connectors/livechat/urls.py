from django.urls import path

from sangdam.connectors.livechat import files, views
from sangdam.connectors.phone.views_chat import chat_callback_request

app_name = "livechat"

urlpatterns = [
    path("widget.js", views.widget_js, name="widget_js"),
    path("agents/<int:user_id>/<str:name>", files.agent_picture, name="agent_picture"),
    path("<str:key>", views.chat_page, name="chat"),
    path("<str:key>/widget.json", views.widget_settings, name="widget_settings"),
    path("<str:key>/upload", files.upload, name="upload"),
    path("<str:key>/callback", chat_callback_request, name="callback"),
    path("<str:key>/files/<int:attachment_id>", files.attachment, name="attachment"),
]
