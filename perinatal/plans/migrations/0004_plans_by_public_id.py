"""Staff pages address treatmentplans by a public id, never by the table's sequence number."""

from django.db import migrations

from perinatal.lib.migrations import add_public_id


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_min_days_between_infusions")]

    operations = add_public_id("plans", "treatmentplan")
