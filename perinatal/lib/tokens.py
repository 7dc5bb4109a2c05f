"""Private links: a random token goes in the link, only its SHA-256 digest is stored.

A copy of the database (a backup, a leaked dump) then holds nothing that opens a link.
"""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A 256-bit URL-safe token and the digest to store for it."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
