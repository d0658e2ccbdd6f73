from django.contrib import admin

from sangdam.portal.models import TopicField


@admin.register(TopicField)
class TopicFieldAdmin(admin.ModelAdmin[TopicField]):
    list_display = ("topic", "key", "label_ko", "label_en", "required", "position")
    list_filter = ("topic",)
