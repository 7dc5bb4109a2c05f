"""Who offers which consultation, when, and the appointments booked into that time.

Free times are computed from the rules here (see ``perinatal.booking.slots``), never stored as
rows to hand out. An appointment copies what was agreed (clinician, type, place, start, length)
so later edits to the clinic's setup do not change it.

No two booked appointments of one clinician may overlap, whatever wrote them: PostgreSQL holds
an exclusion constraint on the time range and SQLite a trigger (migration 0002); both ranges run
from the start to ``blocked_until``, the end plus the buffer that follows the appointment.
An infusion chair is held the same way (migration 0004).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perinatal.clinic.models import Location, validate_phone


class Clinician(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clinician",
    )
    name = models.CharField(
        _("name as patients see it"), max_length=120, help_text=_("e.g. Dr. Ana Ruiz, MD")
    )
    locations = models.ManyToManyField(Location, related_name="clinicians", blank=True)
    is_active = models.BooleanField(_("taking bookings"), default=True)

    class Meta:
        verbose_name = _("clinician")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConsultationType(models.Model):
    class Mode(models.TextChoices):
        VIDEO = "video", _("video call")
        IN_PERSON = "in_person", _("in person")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"),
        default=10,
        help_text=_("Kept free after each appointment of this type."),
    )
    clinicians = models.ManyToManyField(Clinician, related_name="consultation_types", blank=True)
    is_active = models.BooleanField(_("offered online"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("consultation type")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="consultation_length_5_to_480",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str) -> str:
        return self.name_es if language == "es" and self.name_es else self.name

    @property
    def in_person(self) -> bool:
        return self.mode == self.Mode.IN_PERSON


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyHours(models.Model):
    """A clinician works at a location on a weekday between two wall-clock times, in its zone."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="weekly_hours")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="weekly_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class DateException(models.Model):
    """Time off (all day, or between two times) or extra hours on one date."""

    class Kind(models.TextChoices):
        OFF = "off", _("time off")
        EXTRA = "extra", _("extra hours")

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="exceptions")
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for time off at every location. Extra hours need a location."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    starts = models.TimeField(_("from"), null=True, blank=True)
    ends = models.TimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("date exception")
        ordering = ["date", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(starts__isnull=True) & Q(ends__isnull=True))
                | (Q(starts__isnull=False) & Q(ends__isnull=False) & Q(ends__gt=F("starts"))),
                name="exception_times_both_or_neither",
            ),
            models.CheckConstraint(
                condition=~Q(kind="extra") | (Q(location__isnull=False) & Q(starts__isnull=False)),
                name="extra_hours_have_place_and_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    @property
    def all_day(self) -> bool:
        return self.starts is None


def new_manage_token() -> str:
    """Kept for migration 0001, which names it as the old column's default."""
    return secrets.token_urlsafe(32)


class AppointmentQuerySet(models.QuerySet):
    def booked(self):
        return self.filter(status=Appointment.Status.BOOKED)

    def upcoming_consultations(self, now):
        """Booked consultations still to come; infusion days (booked by staff from a plan) are
        not consultations."""
        return self.booked().filter(plan__isnull=True, starts_at__gt=now)

    def urgent_open(self):
        """Flagged urgent and not yet closed by a clinician, whatever became of the booking:
        a cancelled or confirmed appointment does not make her risk go away."""
        return self.filter(urgent=True, urgent_closed_at__isnull=True)


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CANCELLED = "cancelled", _("cancelled")

    class Via(models.TextChoices):
        WEB = "web", _("booking page")
        API = "api", _("API")
        STAFF = "staff", _("clinic staff")

    class Stage(models.TextChoices):
        PREGNANT = "pregnant", _("pregnant")
        POSTPARTUM = "postpartum", _("has given birth")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    idempotency_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="What the first request with the key asked for."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: goes up with every change sent to the patient."
    )
    via = models.CharField(max_length=6, choices=Via.choices)

    # What was agreed, copied at booking time.
    clinician = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="appointments")
    consultation_type = models.ForeignKey(
        ConsultationType, on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    clinician_name = models.CharField(max_length=120)
    type_name = models.CharField(max_length=120)
    mode = models.CharField(max_length=10, choices=ConsultationType.Mode.choices)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_minutes = models.PositiveSmallIntegerField()
    location_name = models.CharField(max_length=120)
    location_address = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, help_text="The location's zone when booked.")
    video_url = models.URLField(blank=True)
    starts_at = models.DateTimeField()
    # Both follow from the start and the agreed minutes, and are stored anyway: the overlap rule
    # (exclusion constraint, trigger) and the slot search compare them as columns.
    # ``services._place`` is the one place that sets all three.
    ends_at = models.DateTimeField()
    blocked_until = models.DateTimeField(help_text="End plus the buffer kept free after it.")
    # An infusion's end plus the protocol's minimum interval: none of her other infusions may
    # start before it or end (plus the interval) after her start (migration 0008).
    patient_clear_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The person.
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("mobile phone"), max_length=20, validators=[validate_phone])
    language = models.CharField(_("preferred language"), max_length=8)
    own_time_zone = models.CharField(
        max_length=64, blank=True, help_text="Her zone when she booked; emails show times in it."
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    key_date = models.DateField(help_text="Due date if pregnant, else the birth date.")
    ob_name = models.CharField(_("obstetrician"), max_length=120, blank=True)
    ob_practice = models.CharField(_("obstetric practice"), max_length=160, blank=True)
    contact_consent_at = models.DateTimeField()
    contact_consent_text = models.TextField(help_text="The words she agreed to, as shown.")
    screening = models.ForeignKey(
        "screening.Screening",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    urgent = models.BooleanField(
        default=False, help_text="Her attached screen had a self-harm answer above zero."
    )
    # The flag stays; closing says a clinician reached her and what was done
    # (``services.close_urgent``). Until then the work queue lists it as urgent.
    urgent_closed_at = models.DateTimeField(null=True, blank=True)
    urgent_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    urgent_close_note = models.TextField(blank=True)

    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="Found or started when she booked (see perinatal.patients.services).",
    )
    # An infusion day: booked by staff from a signed treatment plan, on a chair. String
    # references keep booking free of imports from plans; the chair's overlap rule is in
    # migration 0004.
    plan = models.ForeignKey(
        "plans.TreatmentPlan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    chair = models.ForeignKey(
        "plans.InfusionChair",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff checked the new booking."
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appt_ends_after"),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=F("ends_at")), name="appt_buffer_after_end"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="appt_cancel_has_time",
            ),
            models.CheckConstraint(
                condition=Q(urgent_closed_at__isnull=True)
                | (Q(urgent=True) & Q(urgent_closed_by__isnull=False)),
                name="appt_urgent_closed_by_someone",
            ),
            # A cheap guard every database understands; the overlap rule is in migration 0002.
            models.UniqueConstraint(
                fields=["clinician", "starts_at"],
                condition=Q(status="booked"),
                name="appt_one_per_clinician_start",
            ),
        ]
        indexes = [
            models.Index(fields=["clinician", "starts_at"], name="appt_clinician_time_idx"),
            models.Index(fields=["status", "-urgent", "starts_at"], name="appt_queue_idx"),
            models.Index(fields=["patient", "starts_at"], name="appt_patient_idx"),
            # The work queue's "new bookings to confirm": few rows among many, so only they.
            models.Index(
                fields=["-urgent", "created_at"],
                condition=Q(status="booked", confirmed_at__isnull=True),
                name="appt_to_confirm_idx",
            ),
            # The work queue's urgent bookings: open flags, whatever the booking's status.
            models.Index(
                fields=["created_at"],
                condition=Q(urgent=True, urgent_closed_at__isnull=True),
                name="appt_urgent_open_idx",
            ),
            # Which chairs are free at a time (perinatal.plans.services.free_resources).
            models.Index(fields=["chair", "starts_at"], name="appt_chair_time_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{'URGENT ' if self.urgent else ''}{self.type_name} {self.starts_at:%Y-%m-%d %H:%M}Z"
        )

    @property
    def address_one_line(self) -> str:
        return ", ".join(
            line.strip() for line in self.location_address.splitlines() if line.strip()
        )

    @property
    def display_time_zone(self) -> str:
        return self.own_time_zone or self.time_zone

    @property
    def is_video(self) -> bool:
        return self.mode == ConsultationType.Mode.VIDEO

    @property
    def is_booked(self) -> bool:
        return self.status == self.Status.BOOKED

    def still_wants(self, message) -> bool:
        """Whether a reminder queued about this appointment should still go, asked just before
        it is sent (``perinatal.notify.models.Message.still_wanted``): only while it is booked,
        still to come, and unchanged since (``message.about_version`` is the SEQUENCE it was
        queued for; every change raises SEQUENCE)."""
        return (
            self.is_booked
            and self.sequence == message.about_version
            and self.starts_at > timezone.now()
        )


class AppointmentEvent(models.Model):
    """What happened to an appointment, by whom: the history staff and the patient can trust."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("booked")
        RESCHEDULED = "rescheduled", _("rescheduled")
        CANCELLED = "cancelled", _("cancelled")

    class Actor(models.TextChoices):
        PATIENT = "patient", _("patient")
        STAFF = "staff", _("staff")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.CharField(max_length=8, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(help_text="The appointment's start after this event.")
    previous_starts_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor}"


class ManageLink(models.Model):
    """One private link to an appointment, kept as the SHA-256 of its token: a copy of the
    database holds nothing that opens one. Each email about the appointment carries a link of
    its own, so none goes stale when another is sent; all of them open the appointment until a
    day after it ends (``PERINATAL_MANAGE_LINK_GRACE_HOURS``), then say it has passed."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="manage_links"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"Link to appointment {self.appointment_id}"
