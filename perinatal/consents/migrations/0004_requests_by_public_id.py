"""Staff pages address consentrequests by a public id, never by the table's sequence number."""

from django.db import migrations

from perinatal.lib.migrations import add_public_id


class Migration(migrations.Migration):
    dependencies = [("consents", "0003_signed_unchangeable")]

    operations = add_public_id("consents", "consentrequest")
