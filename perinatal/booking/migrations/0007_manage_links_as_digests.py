"""Manage links kept as digests: each appointment's token in clear becomes the SHA-256 in a
ManageLink row (so links already emailed keep working), then the clear column goes."""

import hashlib
import importlib

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def tokens_to_digests(apps, schema_editor):
    Appointment = apps.get_model("booking", "Appointment")
    ManageLink = apps.get_model("booking", "ManageLink")
    ManageLink.objects.bulk_create(
        ManageLink(
            appointment_id=pk, digest=hashlib.sha256(token.encode()).hexdigest(), created_at=made
        )
        for pk, token, made in Appointment.objects.values_list("pk", "manage_token", "created_at")
        .iterator()
    )


# On SQLite, removing a column rebuilds the table, which drops its triggers: this puts the
# clinician's and the chair's overlap guards back.
restore_overlap_guards = importlib.import_module(
    "perinatal.booking.migrations.0006_urgent_closed_by_a_clinician"
).restore_overlap_guards


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0006_urgent_closed_by_a_clinician"),
    ]

    operations = [
        # Runs last when unapplied, after the table is rebuilt with the old column.
        migrations.RunPython(migrations.RunPython.noop, restore_overlap_guards),
        migrations.CreateModel(
            name="ManageLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "appointment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="manage_links",
                        to="booking.appointment",
                    ),
                ),
            ],
        ),
        migrations.RunPython(tokens_to_digests, migrations.RunPython.noop),
        migrations.RemoveField(model_name="appointment", name="manage_token"),
        migrations.RunPython(restore_overlap_guards, migrations.RunPython.noop),
    ]
