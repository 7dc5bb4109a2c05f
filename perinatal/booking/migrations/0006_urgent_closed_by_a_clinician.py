"""Closing a booking's self-harm flag: who closed it, when, and what was done.

Adding the note (a column with a default) and the check constraint rebuilds the table on SQLite,
which drops the overlap triggers of 0002 and 0004: they are put back after the rebuild, and again
when this migration is unapplied. ``perinatal.booking.checks`` confirms them.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GUARDS = [
    importlib.import_module("perinatal.booking.migrations.0002_no_overlap"),
    importlib.import_module("perinatal.booking.migrations.0004_infusion_chairs"),
]


def restore_overlap_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    for guard in GUARDS:
        for sql in guard.SQLITE_UP:
            if sql.split()[2] not in present:  # CREATE TRIGGER <name> ...
                schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0005_to_confirm_index'),
        ('clinic', '0003_ob_reminder_days'),
        ('patients', '0001_initial'),
        ('plans', '0002_default_protocol_and_follow_up'),
        ('screening', '0002_patient'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Runs last when unapplied, after the table rebuilds.
        migrations.RunPython(migrations.RunPython.noop, restore_overlap_guards),
        migrations.AddField(
            model_name='appointment',
            name='urgent_close_note',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='appointment',
            name='urgent_closed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='appointment',
            name='urgent_closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(condition=models.Q(('urgent', True), ('urgent_closed_at__isnull', True)), fields=['created_at'], name='appt_urgent_open_idx'),
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=models.CheckConstraint(condition=models.Q(('urgent_closed_at__isnull', True), models.Q(('urgent', True), ('urgent_closed_by__isnull', False)), _connector='OR'), name='appt_urgent_closed_by_someone'),
        ),
        migrations.RunPython(restore_overlap_guards, migrations.RunPython.noop),
    ]
