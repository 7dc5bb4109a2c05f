"""One way for every staff page to reach a patient's record.

``get_patient_for(user, public_id)`` is what a view calls with the id from its URL. It returns
the record or raises ``Http404``, with one rule for merged records: a record merged into another
opens the record she lives on in, and ``patient.opened_as`` names the merged one that was asked
for, so the page can say so (``staff/base.html`` does). Pages that act on her record (a note, a
consent, a letter, a plan) therefore always act on the surviving one.
"""

from uuid import UUID

from django.http import Http404

from perinatal.patients.models import Patient


def get_patient_for(user, public_id: UUID | str) -> Patient:
    """Her record, the surviving one if it was merged, for a signed-in staff member; else 404.

    What the person may do with it is the view's decision (``staff_view`` and ``can``); this
    only refuses someone who is not signed in at all, whatever path reaches it.
    """
    if not (user is not None and user.is_authenticated and user.is_active):
        raise Http404
    asked = Patient.objects.filter(public_id=public_id).first()
    if asked is None:
        raise Http404
    if asked.merged_into_id is None:
        asked.opened_as = None
        return asked
    kept = asked.kept_record()
    kept.opened_as = asked
    return kept
