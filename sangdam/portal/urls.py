from django.urls import path

from sangdam.connectors.phone import views_public as phone
from sangdam.portal import views_contact, views_embed, views_inquiry, views_status

app_name = "portal"

urlpatterns = [
    path("contact", views_contact.contact, name="contact"),
    path("contact/wait-times.json", views_contact.wait_times, name="wait_times"),
    path("contact/new", views_inquiry.new, name="new"),
    path("contact/callback", phone.callback_request, name="callback_request"),
    path("contact/embed", views_embed.embed, name="embed"),
    path("contact/thanks/<str:token>/", views_inquiry.thanks, name="thanks"),
    path("s/<str:token>/", views_status.status, name="status"),
    path("s/<str:token>/files/<int:attachment_id>/", views_status.attachment, name="attachment"),
    path("find/", views_status.find, name="find"),
]
