"""Staff pages address obstetricians and letters by a public id, never by the table's sequence
number."""

from django.db import migrations

from perinatal.lib.migrations import add_public_id


class Migration(migrations.Migration):
    dependencies = [("obcare", "0003_obstetrician_table")]

    operations = add_public_id("obcare", "obstetrician") + add_public_id("obcare", "careplanletter")
