"""Schedules keep their public holidays worked out ahead (``Schedule.holiday_table``), so
that serving processes answer from the row instead of loading the ``holidays`` package."""

from typing import Any

from django.db import migrations, models


def work_out(apps: Any, schema_editor: Any) -> None:
    from sangdam.service.models import work_out_holidays

    Schedule = apps.get_model("service", "Schedule")
    for schedule in Schedule.objects.exclude(holiday_country=""):
        table = work_out_holidays(schedule.holiday_country)
        Schedule.objects.filter(pk=schedule.pk).update(holiday_table=table)


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0004_clock_due_times"),
    ]

    operations = [
        migrations.AddField(
            model_name="schedule",
            name="holiday_table",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(work_out, migrations.RunPython.noop),
    ]
