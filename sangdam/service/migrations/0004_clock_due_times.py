# Due times move from the ticket row to its SLA clock row: a recompute after a schedule
# change rewrote every open ticket, an entry in each of the ticket's indexes per row.

import django.db.models.deletion
from django.db import migrations, models

DUE = ("first_response_due_at", "next_response_due_at", "resolution_due_at", "sla_due_at")
SETS = ", ".join(f"{c} = t.{c}" for c in DUE)
COLUMNS = ", ".join(DUE)

FORWARD = [
    # Clocks there are take their ticket's due times ...
    f"UPDATE service_slaclock SET {SETS} FROM tickets_ticket t"
    " WHERE t.id = service_slaclock.ticket_id",
    # ... and a ticket with due times but no clock row yet gets one.
    f"INSERT INTO service_slaclock (ticket_id, paused_seconds, last_event_id, {COLUMNS})"
    f" SELECT t.id, 0, 0, {', '.join(f't.{c}' for c in DUE)} FROM tickets_ticket t"
    " WHERE (t.first_response_due_at IS NOT NULL OR t.next_response_due_at IS NOT NULL"
    " OR t.resolution_due_at IS NOT NULL)"
    " AND NOT EXISTS (SELECT 1 FROM service_slaclock c WHERE c.ticket_id = t.id)",
]
BACKWARD = [
    f"UPDATE tickets_ticket SET {', '.join(f'{c} = c.{c}' for c in DUE)}"
    " FROM service_slaclock c WHERE c.ticket_id = tickets_ticket.id",
]


class Migration(migrations.Migration):

    dependencies = [
        ('service', '0003_sla'),
        ('tickets', '0007_fewer_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='slaclock',
            name='first_response_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='slaclock',
            name='next_response_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='slaclock',
            name='resolution_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='slaclock',
            name='sla_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='slaclock',
            name='policy',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='service.slapolicy'),
        ),
        migrations.AddIndex(
            model_name='slaclock',
            index=models.Index(fields=['sla_due_at', 'ticket'], name='slaclock_due'),
        ),
        # Last: on PostgreSQL no DDL may follow the inserts' deferred foreign-key checks.
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
