"""Staff pages address consultationnotes by a public id, never by the table's sequence number."""

from django.db import migrations

from perinatal.lib.migrations import add_public_id


class Migration(migrations.Migration):
    dependencies = [("consult", "0004_deferred_decisions_and_hard_stops_in_addenda")]

    operations = add_public_id("consult", "consultationnote")
