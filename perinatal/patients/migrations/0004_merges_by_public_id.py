"""Staff pages address mergesuggestions by a public id, never by the table's sequence number."""

from django.db import migrations

from perinatal.lib.migrations import add_public_id


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_weight_and_fact_sources")]

    operations = add_public_id("patients", "mergesuggestion")
