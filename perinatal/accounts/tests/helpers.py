"""What the accounts and audit tests share: typing the right code, and signing in for real."""

import time
from datetime import UTC, datetime

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a long test password 1"  # what tests.harness.make_staff gives everyone


def soon() -> datetime:
    """A moment a minute ahead, five seconds into a 30-second step: codes typed while time is
    frozen there all belong to one step, and sessions saved then have not yet expired now."""
    moment = int(time.time()) + 60
    return datetime.fromtimestamp(moment - moment % 30 + 5, UTC)


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """The code the person's authenticator app shows at ``at`` (now by default)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def type_password(client, username: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/staff/sign-in/", data)


def type_code(client, code: str, next_url: str = ""):
    data = {"code": code}
    if next_url:
        data["next"] = next_url
    return client.post("/staff/sign-in/code/", data)


def sign_in_for_real(client, user, password: str = PASSWORD, next_url: str = ""):
    """Both steps through the pages, as a person does; returns the response to the code."""
    response = type_password(client, user.get_username(), password, next_url)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith("/staff/sign-in/code/")
    return type_code(client, code_for(authenticator(user)), next_url)
