"""Follow-up settings as shipped: one row of defaults, marked for the medical director to review
(none of these numbers has a published source that fixes it)."""

from django.db import migrations


def add_defaults(apps, schema_editor):
    settings = apps.get_model("followup", "FollowUpSettings")
    if not settings.objects.exists():
        settings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_follow_up")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
