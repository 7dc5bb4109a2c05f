"""What several test modules share that is not a fixture: imported, so it lives in the package
(``conftest`` modules shadow each other by name and cannot be imported reliably)."""

# Every page a visitor can reach without signing in, in the default language (Spanish adds /es).
PUBLIC_PAGES = [
    "/",
    "/ketamine-for-postpartum-depression/",
    "/check/",
    "/help-now/",
    "/call-back/",
    "/call-back/thanks/",
    "/book/",
    # A times page; with its zone in the address, booking.js has no reason to reload it.
    "/book/free-video-consultation/?tz=America/New_York",
]


def database_url_for_subprocesses() -> str:
    """The test database as a DATABASE_URL, so real worker or server processes share it."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
