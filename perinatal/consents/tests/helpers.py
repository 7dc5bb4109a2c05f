"""What the consents tests share: patients, staff who send forms, and reading the link out of
the email exactly as she would receive it."""

import re

from perinatal.notify.models import Message
from tests.harness import make_patient

LINK = re.compile(r"https?://[^\s]+/consent/([A-Za-z0-9_-]+)/")


def a_patient(name="Maria Lopez", *, language="en", email="maria@example.org", **fields):
    return make_patient(name=name, email=email, language=language, phone="", **fields)


def send(client, patient, kinds=("treatment", "ob_sharing", "telehealth"), channel="link"):
    return client.post(
        f"/staff/patients/{patient.public_id}/consents/send/",
        {"kinds": list(kinds), "channel": channel},
    )


def emailed_token(patient) -> str:
    """The token in the newest consent email to her."""
    message = Message.objects.filter(template="consent_request", to=patient.email).latest("id")
    link = LINK.search(message.body_text)
    assert link is not None, "no signing link in the consent email"
    return link.group(1)


def sign_form(client, path, consent_requests, name="Maria Lopez", agree=None):
    """Post the signing page: her typed name and the boxes ticked (all unless ``agree``)."""
    ticked = agree if agree is not None else consent_requests
    data = {"signer_name": name}
    data.update({f"agree_{r.pk}": "on" for r in ticked})
    return client.post(path, data)
