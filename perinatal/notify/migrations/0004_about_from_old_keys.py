# Messages queued before 0003 said what they were about only inside their dedupe key and, for a
# reminder, in ``precondition``. This reads those keys once, for the last time, and writes the
# record into ``about`` (and the reminder's SEQUENCE into ``about_version``). A key that names
# nothing findable leaves the message about nothing, as it would have been shown before.
#
# The keys, as each app wrote them:
#   appointment:<uuid>:<seq>  reminder:<uuid>:<seq>:<hours>  details-again:<uuid>:<day>
#   urgent-booking:<uuid>      -> the appointment with that public id
#   callback-alert:<uuid>      -> the call-back request with that public id
#   ob-letter:<pk>:<digest>  ob-letter-no-answer:<pk>  -> the care-plan letter
#   consent-request:<digest>   -> the patient the forms behind that link were sent to
#   precondition appointment:<pk>:<seq>  -> the appointment, at that SEQUENCE

import uuid
from collections import defaultdict

from django.db import migrations

APPOINTMENT = ("booking", "appointment")
SOURCES = {
    "appointment": APPOINTMENT,
    "reminder": APPOINTMENT,
    "details-again": APPOINTMENT,
    "urgent-booking": APPOINTMENT,
    "callback-alert": ("screening", "callbackrequest"),
    "ob-letter": ("obcare", "careplanletter"),
    "ob-letter-no-answer": ("obcare", "careplanletter"),
    "consent-request": ("consents", "consentrequest"),
}


def _uuids(references):
    found = set()
    for reference in references:
        try:
            found.add(uuid.UUID(reference))
        except ValueError:
            continue
    return found


def _resolve(apps, source, references) -> dict[str, tuple[tuple[str, str], int]]:
    """{reference in the key: ((app_label, model) about, its pk)} for one kind of source."""
    if source == ("consents", "consentrequest"):
        rows = apps.get_model("consents", "ConsentRequest").objects.filter(
            token_digest__in=references
        )
        return {d: (("patients", "patient"), p) for d, p in rows.values_list("token_digest", "patient_id")}
    model = apps.get_model(*source)
    if source == ("obcare", "careplanletter"):
        pks = {int(r) for r in references if r.isdigit()}
        return {str(pk): (source, pk) for pk in model.objects.filter(pk__in=pks).values_list("pk", flat=True)}
    rows = model.objects.filter(public_id__in=_uuids(references)).values_list("public_id", "pk")
    return {str(public_id): (source, pk) for public_id, pk in rows}


def about_from_keys(apps, schema_editor):
    Message = apps.get_model("notify", "Message")
    ContentType = apps.get_model("contenttypes", "ContentType")
    messages = list(
        Message.objects.exclude(dedupe_key="", precondition="").only("dedupe_key", "precondition")
    )
    if not messages:
        return
    wanted = defaultdict(set)
    for message in messages:
        kind, _, rest = message.dedupe_key.partition(":")
        if kind in SOURCES:
            wanted[SOURCES[kind]].add(rest.split(":")[0])
    found = {source: _resolve(apps, source, refs) for source, refs in wanted.items()}
    types = {}

    def content_type(natural_key):
        if natural_key not in types:
            types[natural_key], _ = ContentType.objects.get_or_create(
                app_label=natural_key[0], model=natural_key[1]
            )
        return types[natural_key]

    changed = []
    for message in messages:
        about = None
        kind, _, rest = message.dedupe_key.partition(":")
        if kind in SOURCES:
            about = found[SOURCES[kind]].get(rest.split(":")[0])
        condition = message.precondition.split(":")
        if len(condition) == 3 and condition[0] == "appointment" and condition[1].isdigit():
            about = (APPOINTMENT, int(condition[1]))
            message.about_version = int(condition[2]) if condition[2].isdigit() else None
        if about is None:
            message.about_version = None
            continue
        message.about_type = content_type(about[0])
        message.about_id = about[1]
        changed.append(message)
    Message.objects.bulk_update(
        changed, ["about_type", "about_id", "about_version"], batch_size=500
    )


def preconditions_from_about(apps, schema_editor):
    """Backwards: a reminder's precondition again, from the appointment and version it names."""
    Message = apps.get_model("notify", "Message")
    ContentType = apps.get_model("contenttypes", "ContentType")
    appointment = ContentType.objects.filter(app_label="booking", model="appointment").first()
    if appointment is None:
        return
    reminders = Message.objects.filter(about_type=appointment, about_version__isnull=False)
    for message in reminders.only("about_id", "about_version"):
        message.precondition = f"appointment:{message.about_id}:{message.about_version}"
        message.save(update_fields=["precondition"])


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0003_message_about"),
        # The records the old keys name.
        ("booking", "0007_manage_links_as_digests"),
        ("screening", "0003_attach_key"),
        ("obcare", "0001_care_plan_letters"),
        ("consents", "0003_signed_unchangeable"),
    ]

    operations = [migrations.RunPython(about_from_keys, preconditions_from_about)]
