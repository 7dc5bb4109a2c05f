"""What marks a demo account: the published authenticator key it signs in with.

The demo's staff accounts (loaded by ``perinatal.ops.demo.staff``) all use ``DEMO_TOTP_SECRET``,
published there on purpose, so anyone can compute their codes. A database seeded as a demo may
later be switched to production; there this app refuses to sign them in
(``perinatal.accounts.backends``) and ``check --deploy`` fails while one is active.
"""

from base64 import b32decode

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

# Published, so never secret: demo accounts only. Base32, as authenticator apps take it.
DEMO_TOTP_SECRET = "PERINATALDEMOONLYDONOTUSEINPROD2"  # noqa: S105
DEMO_KEY = b32decode(DEMO_TOTP_SECRET).hex()  # as TOTPDevice stores it


def demo_accounts():
    """Active accounts whose authenticator holds the published demo key."""
    with_published_key = TOTPDevice.objects.filter(key=DEMO_KEY).values("user_id")
    return get_user_model().objects.filter(is_active=True, pk__in=with_published_key)


def is_demo_account(user) -> bool:
    return TOTPDevice.objects.filter(user=user, key=DEMO_KEY).exists()
