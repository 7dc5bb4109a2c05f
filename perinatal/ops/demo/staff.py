"""Demo staff: one account per role, for trying the back office. Never in production.

Every demo account has the same password (random per checkout, kept in ``var/``, the file the
demo clinic's staff account already uses) and the same authenticator secret, ``DEMO_TOTP_SECRET``,
published in ``perinatal.accounts.demo_key`` on purpose: whoever tries the demo adds it once to an
authenticator app (``otpauth_url()`` as a QR code or the key typed in) and signs in as any role
with its codes. A deployment with ``PERINATAL_PRODUCTION=1`` refuses to create them, and since a
database seeded as a demo may later be switched to production, it also refuses to sign them in
(``perinatal.accounts.backends``) and ``check --deploy`` fails while one is active. What marks a
demo account is the published key on its authenticator: with it, anyone can compute its codes.
"""

import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from perinatal.accounts.demo_key import DEMO_KEY, DEMO_TOTP_SECRET
from perinatal.accounts.roles import Role

DEMO_DEVICE_NAME = "demo authenticator (published secret)"
DEMO_ACCOUNTS = [
    ("director", Role.MEDICAL_DIRECTOR, "Dana", "Director"),
    ("clinician", Role.CLINICIAN, "Carmen", "Clinician"),
    ("nurse", Role.NURSE, "Nora", "Nurse"),
    ("frontdesk", Role.FRONT_DESK, "Frank", "Desk"),
    ("admin", Role.ADMIN, "Ada", "Admin"),
]


@dataclass
class DemoStaff:
    usernames: list[str]
    password: str
    secret: str
    otpauth_url: str

    def lines(self) -> list[str]:
        """What ``perinatal serve`` and ``perinatal demo`` print."""
        return [
            "Demo staff sign-in (DEMO ONLY, refused in production) at /staff/sign-in/:",
            f"  usernames: {', '.join(self.usernames)}",
            f"  password:  {self.password}",
            f"  authenticator key (published, the same for all): {self.secret}",
            f"  or add this to your authenticator app: {self.otpauth_url}",
        ]


def demo_password(path: Path | None = None) -> str:
    """The checkout's demo password, created on first use and readable only by its owner."""
    path = path or settings.VAR_DIR / "demo-staff-password"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def otpauth_url() -> str:
    label = quote(f"{settings.OTP_TOTP_ISSUER} demo:staff")
    query = urlencode({"secret": DEMO_TOTP_SECRET, "issuer": f"{settings.OTP_TOTP_ISSUER} demo"})
    return f"otpauth://totp/{label}?{query}"


def load_demo(password_file: Path | None = None) -> DemoStaff:
    """Create (or bring back to the documented state) one demo account per role. Idempotent."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo staff accounts are never created in production.")
    password = demo_password(password_file)
    User = get_user_model()
    with transaction.atomic():
        for username, role, first_name, last_name in DEMO_ACCOUNTS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "role": role,
                    "first_name": first_name,
                    "last_name": last_name,
                    "is_active": True,
                },
            )
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            # Only the published device: a demo account never keeps another second factor.
            TOTPDevice.objects.filter(user=user).exclude(name=DEMO_DEVICE_NAME).delete()
            TOTPDevice.objects.update_or_create(
                user=user, name=DEMO_DEVICE_NAME, defaults={"key": DEMO_KEY, "confirmed": True}
            )
    return DemoStaff(
        usernames=[username for username, *_ in DEMO_ACCOUNTS],
        password=password,
        secret=DEMO_TOTP_SECRET,
        otpauth_url=otpauth_url(),
    )
