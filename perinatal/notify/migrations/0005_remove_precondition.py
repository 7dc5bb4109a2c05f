# Nothing reads Message.precondition any more: what a message is about, and the version a
# reminder was queued for, are in about_type, about_id and about_version (0003, 0004).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0004_about_from_old_keys'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='message',
            name='message_precondition_idx',
        ),
        migrations.RemoveField(
            model_name='message',
            name='precondition',
        ),
    ]
