"""Writing the audit log.

``record()`` writes one event, taking who, from where and which request from the request being
served (``AuditContext`` middleware keeps it in a context variable), so service code deep in a
call does not need the request passed down. ``track(Model, patient=...)`` audits every save and
delete of a model holding patient data; ``tracked_models()`` lets a test find any that is not.
"""

import ipaddress
import uuid
from contextvars import ContextVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from perinatal.audit.models import Action, AuditEvent
from perinatal.lib.ratelimit import client_address
from perinatal.lib.redact import redact

SIGN_IN_EVENTS = {Action.SIGN_IN, Action.SIGN_IN_FAILED, Action.LOCKED_OUT}

_request: ContextVar = ContextVar("audit_request", default=None)
_tracked: dict[type[Model], str] = {}


class AuditContext:
    """Middleware: gives each request an id and makes it the context of the events it writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.audit_id = uuid.uuid4().hex
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _address(request) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


def _actor(request):
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and user.is_authenticated:
        return user.pk, user.get_username(), getattr(user, "role", "")
    return None, "public" if request is not None else "system", ""


def record(
    action: str,
    obj=None,
    *,
    patient=None,
    model: str = "",
    object_id="",
    detail: dict | None = None,
    request=None,
    user=None,
) -> AuditEvent:
    """Write one event. ``obj`` names the record; ``patient`` (a Patient or its id) says whose
    data it is, which is what a patient's access history is built from."""
    request = request if request is not None else _request.get()
    actor_id, actor_label, role = _actor(request)
    if user is not None:
        actor_id, actor_label, role = user.pk, user.get_username(), getattr(user, "role", "")
    if obj is not None:
        model = model or obj._meta.label_lower
        object_id = object_id or obj.pk
    patient_id = getattr(patient, "pk", patient)
    # An anonymous visitor's own records (a self-screen she has not attached to anything) must
    # not gain an address here that the record itself refuses to keep.
    keep_address = actor_id is not None or patient_id is not None or action in SIGN_IN_EVENTS
    return AuditEvent.objects.create(
        actor_id=actor_id,
        actor_label=actor_label,
        role=role,
        action=action,
        model=model,
        object_id="" if object_id is None else str(object_id),
        patient_id=patient_id,
        ip=_address(request) if keep_address else None,
        request_id=getattr(request, "audit_id", ""),
        path=redact(request.path)[:300] if request is not None else "",
        detail=detail or {},
    )


def track(model: type[Model], *, patient: str):
    """Audit every create, update and delete of ``model``. ``patient`` is the attribute holding
    the patient's id on an instance ("pk" for the Patient itself, "patient_id" elsewhere)."""
    _tracked[model] = patient

    def saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
        if raw:
            return
        record(
            Action.CREATE if created else Action.UPDATE,
            instance,
            patient=_patient_of(instance, patient),
            detail={"fields": sorted(update_fields)} if update_fields else None,
        )

    def deleted(sender, instance, **kwargs):
        record(Action.DELETE, instance, patient=_patient_of(instance, patient))

    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"audit-save-{model}")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"audit-del-{model}")
    return model


def _patient_of(instance, attribute: str):
    value = instance
    for part in attribute.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def tracked_models() -> dict[type[Model], str]:
    return dict(_tracked)
