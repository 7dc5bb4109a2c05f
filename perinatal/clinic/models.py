"""Who the clinic is: name, contacts and locations are data staff edit, not template text."""

import uuid
import zoneinfo
from dataclasses import dataclass
from typing import cast

import phonenumbers
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from perinatal.lib.phones import format_phone, normalise_phone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})


def validate_phone(value: str) -> None:
    try:
        normalise_phone(value)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number.")) from exc


class PhoneNormalised(models.Model):
    """Stores ``phone`` in E.164 whatever the format staff typed, and shows it nationally."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.phone:
            self.phone = normalise_phone(self.phone)
        super().save(*args, **kwargs)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)


CURRENT_CLINIC_CACHE_KEY = "clinic:current"
CURRENT_CLINIC_CACHE_SECONDS = 60
CLINIC_VERSION_CACHE_KEY = "clinic:version"


class ClinicQuerySet(models.QuerySet):
    def current(self) -> "Clinic":
        """The clinic this deployment runs; an unsaved placeholder until one is set up.

        Every page shows it, so it is cached with its active locations for a minute; saving a
        clinic or a location clears the cache (other processes catch up within the minute).
        """
        clinic = cache.get(CURRENT_CLINIC_CACHE_KEY)
        if clinic is None:
            clinic = (
                self.filter(is_current=True)
                .prefetch_related(
                    models.Prefetch(
                        "locations",
                        queryset=Location.objects.filter(is_active=True),
                        to_attr="active_locations",
                    )
                )
                .first()
            )
            if clinic is None:
                return Clinic(name="Perinatal", phone="", email="")
            cache.set(CURRENT_CLINIC_CACHE_KEY, clinic, CURRENT_CLINIC_CACHE_SECONDS)
        return clinic


def current_clinic_version() -> str:
    """Changes whenever the clinic or a location is saved; keys for cached pages include it."""
    return cast(str, cache.get_or_set(CLINIC_VERSION_CACHE_KEY, lambda: uuid.uuid4().hex, None))


def forget_current_clinic(**kwargs) -> None:
    cache.delete_many([CURRENT_CLINIC_CACHE_KEY, CLINIC_VERSION_CACHE_KEY])


@dataclass(frozen=True)
class Wording:
    """A text staff wrote, in the language it is in (pages mark English inside Spanish)."""

    text: str
    language: str

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


# SVG is served with a sandboxing policy (clinic.views.logo): opened on its own it runs nothing.
LOGO_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "svg"]


class Clinic(PhoneNormalised):
    """One deployment runs one clinic; the row marked current is the one the pages show."""

    name = models.CharField(_("name"), max_length=120)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=32,
        validators=[validate_phone],
        help_text=_("The number patients call, in international format, e.g. +1 617 555 0100."),
    )
    email = models.EmailField(_("email"))
    oncall_email = models.EmailField(
        _("on-call email"),
        blank=True,
        help_text=_("Urgent call-back requests are announced here (no patient details are sent)."),
    )
    address = models.TextField(_("postal address"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    hours_es = models.CharField(
        _("opening hours in Spanish"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the Spanish pages; without it they show the English hours."),
    )
    logo = models.FileField(
        _("logo"),
        upload_to="clinic",
        blank=True,
        validators=[FileExtensionValidator(LOGO_EXTENSIONS)],
        help_text=_("PNG, JPEG, WebP or SVG."),
    )
    is_current = models.BooleanField(_("shown on the site"), default=True)

    # Booking policy: staff edit these; appointments already booked keep what was agreed.
    min_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"),
        default=12,
        help_text=_("Online booking offers no time sooner than this."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booking horizon (days)"),
        default=42,
        help_text=_("Online booking offers no time further ahead than this."),
    )
    change_notice_hours = models.PositiveSmallIntegerField(
        _("notice for online changes (hours)"),
        default=24,
        help_text=_(
            "Closer to the appointment than this, patients cannot reschedule or cancel online; "
            "the page gives the clinic's phone number instead."
        ),
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        _("slot spacing (minutes)"),
        default=30,
        help_text=_("Offered start times are this far apart within each block of availability."),
    )
    video_link_base = models.URLField(
        _("video link base"),
        blank=True,
        help_text=_(
            "Each video consultation gets its own room: this address followed by a random name."
        ),
    )
    # Coordination with the OB
    ob_reminder_days = models.PositiveSmallIntegerField(
        _("days to wait for an OB's answer"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A care-plan letter with no answer from the OB this many days after it was sent "
            "goes to the work queue, and staff get one reminder email."
        ),
    )

    objects = ClinicQuerySet.as_manager()

    class Meta:
        verbose_name = _("clinic")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_clinic"
            ),
            models.CheckConstraint(
                condition=Q(slot_step_minutes__gte=5), name="clinic_slot_step_at_least_5"
            ),
            models.CheckConstraint(
                condition=Q(horizon_days__gte=1), name="clinic_horizon_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def wording(self, field: str, language: str) -> Wording:
        """A text staff edit in both languages: the Spanish one on Spanish pages when staff
        gave it, else the English one."""
        spanish = getattr(self, f"{field}_es") if language == "es" else ""
        return Wording(spanish, "es") if spanish else Wording(getattr(self, field), "en")

    @property
    def shown_hours(self) -> Wording:
        """The opening hours in the language of the page being rendered."""
        return self.wording("hours", get_language())


class Location(PhoneNormalised):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=120)
    address = models.TextField(_("address"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="unique_location_name")
        ]

    def __str__(self) -> str:
        return self.name


for _model in (Clinic, Location):
    models.signals.post_save.connect(forget_current_clinic, sender=_model)
    models.signals.post_delete.connect(forget_current_clinic, sender=_model)
