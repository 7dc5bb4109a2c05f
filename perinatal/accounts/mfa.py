"""The second factor: an authenticator app (TOTP), with one-time recovery codes for when the phone
is not at hand. Devices and codes are django-otp's; this module says how the back office uses them.

Every code is checked against one device through ``django_otp.verify_token``, which locks the
device row for the check: two requests racing with the same code cannot both pass, and a TOTP
code once used is refused for the rest of its time step (``TOTPDevice.last_t``).
"""

from base64 import b32encode

import django_otp
import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator app"
RECOVERY_NAME = "recovery codes"


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed, so reloading the
    page does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as authenticator apps accept it typed."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code: markup only, no inline style, no data:
    address, so the strict Content-Security-Policy lets it show."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, svgclass="qr-code", lineclass="qr-code-modules", dark="#000"
    )
    return svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code to scan with your authenticator app" ',
        1,
    )


def normalise(code: str) -> str:
    return "".join(code.split()).lower()


def verify(user, code: str):
    """The device that accepts ``code`` for ``user``, or None. Six digits are tried against the
    authenticator; anything else against the recovery codes (each works once)."""
    code = normalise(code)
    if not code:
        return None
    model = TOTPDevice if code.isdigit() else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True):
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def confirm_enrolment(device: TOTPDevice, code: str) -> bool:
    """Confirm a new authenticator with a code it shows, inside a row lock like any check."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed or not device.verify_token(normalise(code)):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    # Any other half-finished set-up is now stale.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


def issue_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with ten new ones and return them, to show once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def throttled(user) -> bool:
    """True while django-otp makes the person wait after wrong codes."""
    return any(
        not device.verify_is_allowed()[0]
        for model in (TOTPDevice, StaticDevice)
        for device in model.objects.devices_for_user(user, confirmed=True)
    )


def remove_all(user) -> int:
    """Forget every authenticator and recovery code; the next sign-in sets up a new one."""
    totp, _ = TOTPDevice.objects.filter(user=user).delete()
    static, _ = StaticDevice.objects.filter(user=user).delete()
    return totp + static
