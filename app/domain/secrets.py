"""Bearer tokens and one-time codes: random, shown once, stored only as a hash."""
import hashlib
import secrets


def new_token() -> str:
    """A kiosk or link token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 is enough here: the tokens are long random strings, not passwords."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_enrollment_code() -> str:
    """Eight characters a guard can type: no 0/O or 1/I/L to confuse."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))
