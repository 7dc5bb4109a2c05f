"""System checks that stop an unsafe production start-up.

``manage.py check --deploy`` does not notice a missing Content-Security-Policy, and a published
default secret key passes it too; these checks close both gaps. They are errors, so
``perinatal serve`` and ``wsgi.py`` refuse to start in production when one fails.

``check --deploy --database default`` also looks in the database for demo staff accounts left
active (a database seeded as a demo, then switched to production). Sign-in refuses them anyway;
the check makes someone remove them.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

REQUIRED_CSP_DIRECTIVES = ("default-src", "script-src", "object-src", "frame-ancestors", "base-uri")


@register(Tags.security, deploy=False)
def production_is_safe(app_configs=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    errors = []
    key = settings.SECRET_KEY or ""
    if (
        key == settings.INSECURE_SECRET_KEY_MARKER
        or key.startswith("django-insecure")
        or len(key) < 50
    ):
        errors.append(
            Error(
                "DJANGO_SECRET_KEY is unset, a default, or shorter than 50 characters.",
                hint="Generate one with `perinatal secret` and set DJANGO_SECRET_KEY.",
                id="perinatal.E001",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error("DEBUG is on in production.", hint="Unset DJANGO_DEBUG.", id="perinatal.E002")
        )
    csp = getattr(settings, "SECURE_CSP", None) or {}
    missing = [d for d in REQUIRED_CSP_DIRECTIVES if d not in csp]
    unsafe = any("'unsafe-inline'" in str(v) for v in csp.get("script-src", []))
    if missing or unsafe:
        errors.append(
            Error(
                "No strict Content-Security-Policy is configured"
                + (f" (missing {', '.join(missing)})" if missing else " (unsafe-inline scripts)"),
                hint="Keep SECURE_CSP from perinatal/settings.py.",
                id="perinatal.E003",
            )
        )
    if "django.middleware.csp.ContentSecurityPolicyMiddleware" not in settings.MIDDLEWARE:
        errors.append(Error("The CSP middleware is not installed.", id="perinatal.E004"))
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "DJANGO_ALLOWED_HOSTS is empty.",
                hint="List the host names the clinic is served under.",
                id="perinatal.E005",
            )
        )
    if not settings.REDIS_URL and not settings.PERINATAL_ONE_PROCESS:
        errors.append(
            Error(
                "REDIS_URL is unset: each web process would count rate limits alone, so "
                "several processes multiply every limit.",
                hint="Set REDIS_URL, or PERINATAL_ONE_PROCESS=1 if exactly one web process "
                "serves the clinic.",
                id="perinatal.E010",
            )
        )
    return errors


@register(Tags.security, Tags.database, deploy=True)
def no_demo_accounts(app_configs=None, databases=None, **kwargs):
    if not settings.PRODUCTION or not databases:
        return []
    from perinatal.accounts.demo_key import demo_accounts

    usernames = sorted(demo_accounts().values_list("username", flat=True))
    if not usernames:
        return []
    return [
        Error(
            f"Demo staff accounts are active in production: {', '.join(usernames)}.",
            hint="Their authenticator key is published. Deactivate or delete them in the admin.",
            id="perinatal.E006",
        )
    ]
