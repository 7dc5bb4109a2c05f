"""Consent forms: the texts the medical director publishes, the requests staff send, and what
each patient signed.

A ``ConsentTemplate`` is one version of one form in one language. Once published it never
changes: a new wording is a new version, copied from the last one. A ``ConsentRequest`` asks one
patient to sign one template version, through a private link or on a clinic tablet. A
``SignedConsent`` keeps the exact title and text she was shown, who typed her name, when and from
where; neither the model nor the database lets it change (migration 0002). Withdrawing consent
adds a ``ConsentWithdrawal``; the signature it withdraws stays as it was.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perinatal.lib.records import AppendOnly, Locked

# The label the shipped texts carry until the medical director has reviewed and replaced them.
DEFAULT_NOTE = "Default — the medical director must review"


class Kind(models.TextChoices):
    TREATMENT = "treatment", _("Off-label IV ketamine treatment")
    OB_SHARING = "ob_sharing", _("Sharing information with your OB")
    TELEHEALTH = "telehealth", _("Telehealth (video) visits")


class Method(models.TextChoices):
    LINK = "link", _("Private link")
    TABLET = "tablet", _("Clinic tablet")


class ConsentTemplateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def active(self, kind: str, language: str) -> "ConsentTemplate | None":
        """The newest published version of ``kind`` in ``language``, else in English."""
        found = self.published().filter(kind=kind, language=language).order_by("-version").first()
        if found is None and language != settings.LANGUAGE_CODE:
            return self.active(kind, settings.LANGUAGE_CODE)
        return found

    def active_for(self, language: str) -> dict[str, "ConsentTemplate"]:
        """``active()`` for every kind at once, in one query."""
        languages = {language, settings.LANGUAGE_CODE}
        newest: dict[tuple[str, str], ConsentTemplate] = {}
        for template in self.published().filter(language__in=languages).order_by("version"):
            newest[template.kind, template.language] = template
        found = {}
        for kind in Kind.values:
            template = newest.get((kind, language)) or newest.get((kind, settings.LANGUAGE_CODE))
            if template is not None:
                found[kind] = template
        return found


class ConsentTemplate(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField(
        editable=False, help_text="Numbered 1, 2, 3 … per form and language when saved."
    )
    title = models.CharField(max_length=160)
    body = models.TextField(
        help_text=(
            "Plain text, no HTML. An empty line between paragraphs; a short first line with no "
            "full stop is shown as the paragraph's heading; lines starting with “- ” as a list."
        )
    )
    confirmation = models.CharField(
        max_length=300,
        help_text="What she ticks to agree, e.g. “I have read this form and I agree to it.”",
    )
    is_default = models.BooleanField(
        "shipped default",
        default=False,
        help_text=f"{DEFAULT_NOTE}. Untick once your own reviewed wording is in place.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Once published a version can no longer be changed; copy it to make the next.",
    )

    objects = ConsentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "version"], name="consent_template_version"
            )
        ]
        verbose_name = "consent form version"

    def __str__(self):
        label = f"{self.get_kind_display()} ({self.language}) v{self.version}"
        if self.published_at is None:
            label += " — draft"
        if self.is_default:
            label += f" — {DEFAULT_NOTE.lower()}"
        return label

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = ConsentTemplate.objects.filter(pk=self.pk).values_list(
                "published_at", flat=True
            )
            if stored and stored[0] is not None:
                raise Locked("A published consent form is never changed; copy it.")
        if self.version is None:
            highest = ConsentTemplate.objects.filter(
                kind=self.kind, language=self.language
            ).aggregate(v=Max("version"))["v"]
            self.version = (highest or 0) + 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise Locked("A published consent form is never deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def publish(self) -> None:
        """Lock this draft and make it the form sent from now on.

        A draft older than the newest published version would not become the active one, so it
        is refused rather than published to no effect.
        """
        if self.is_published:
            return
        newer = ConsentTemplate.objects.published().filter(
            kind=self.kind, language=self.language, version__gt=self.version
        )
        if newer.exists():
            raise Locked("A newer version is already published; copy that one instead.")
        now = timezone.now()
        updated = ConsentTemplate.objects.filter(pk=self.pk, published_at__isnull=True).update(
            published_at=now
        )
        if updated:
            self.published_at = now

    def new_draft(self) -> "ConsentTemplate":
        """A copy of this text as the next draft version, for the director to edit."""
        return ConsentTemplate.objects.create(
            kind=self.kind,
            language=self.language,
            title=self.title,
            body=self.body,
            confirmation=self.confirmation,
            is_default=self.is_default,
        )


class ConsentRequestQuerySet(models.QuerySet):
    def open(self, now=None):
        """Sent, not signed, and still within their time."""
        return self.filter(status=ConsentRequest.Status.SENT, expires_at__gt=now or timezone.now())

    def for_token(self, token_digest: str):
        return self.filter(token_digest=token_digest)


class ConsentRequest(models.Model):
    """One form sent to one patient. Forms sent together share one link (the same digest)."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        SIGNED = "signed", "Signed"
        EXPIRED = "expired", "Expired or replaced"
        WITHDRAWN = "withdrawn", "Withdrawn"

    LINK_DAYS = 7

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consent_requests"
    )
    template = models.ForeignKey(ConsentTemplate, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, choices=Method.choices)
    token_digest = models.CharField(max_length=64, db_index=True, editable=False)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)

    objects = ConsentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The work queue: unsigned requests by age.
            models.Index(fields=["status", "created_at"], name="consent_request_queue_idx"),
            models.Index(fields=["patient", "-created_at"], name="consent_request_patient_idx"),
        ]

    def __str__(self):
        return f"{self.template.get_kind_display()} request #{self.pk}"

    @property
    def kind(self) -> str:
        return self.template.kind

    def is_open(self, now=None) -> bool:
        return self.status == self.Status.SENT and self.expires_at > (now or timezone.now())

    @staticmethod
    def lifetime(channel: str) -> timedelta:
        if channel == Method.TABLET:
            return timedelta(minutes=settings.PERINATAL_CONSENT_TABLET_MINUTES)
        return timedelta(days=settings.PERINATAL_CONSENT_LINK_DAYS)


class SignedConsentQuerySet(models.QuerySet):
    def in_force(self):
        """Signed and not withdrawn."""
        return self.filter(withdrawal__isnull=True)


class SignedConsent(AppendOnly):
    """What she signed, word for word. Written once; the database refuses any change."""

    request = models.OneToOneField(ConsentRequest, on_delete=models.PROTECT, related_name="signed")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="signed_consents"
    )
    template = models.ForeignKey(ConsentTemplate, on_delete=models.PROTECT, related_name="+")
    # Copies, so the record reads the same whatever happens to the template rows.
    kind = models.CharField(max_length=16, choices=Kind.choices)
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=160)
    body = models.TextField()
    confirmation = models.CharField(max_length=300, help_text="The statement she ticked.")
    signer_name = models.CharField(max_length=120, help_text="Her full name, as she typed it.")
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=8, choices=Method.choices)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who handed her the clinic tablet.",
    )

    objects = SignedConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "kind"], name="signed_consent_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(method=Method.LINK) | Q(witnessed_by__isnull=False),
                name="signed_consent_tablet_witnessed",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version} signed #{self.pk}"

    @property
    def is_withdrawn(self) -> bool:
        return hasattr(self, "withdrawal")


class ConsentWithdrawal(AppendOnly):
    """She took back a consent. Recorded by staff from what she told them; never edited."""

    class How(models.TextChoices):
        PHONE = "phone", "By phone"
        IN_PERSON = "in_person", "In person"
        WRITING = "writing", "In writing (email or letter)"

    signed = models.OneToOneField(
        SignedConsent, on_delete=models.PROTECT, related_name="withdrawal"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consent_withdrawals"
    )
    withdrawn_at = models.DateTimeField(default=timezone.now)
    how = models.CharField(max_length=10, choices=How.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-withdrawn_at", "-id"]

    def __str__(self):
        return f"withdrawal of consent #{self.signed_id}"
