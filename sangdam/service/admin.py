from django.contrib import admin

from sangdam.service.models import Schedule


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    list_display = ("name", "channel", "time_zone", "holiday_country")
