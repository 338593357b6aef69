"""Who may use the desk: sessions, CSRF tokens and, off the loopback address, a password.

On 127.0.0.1 only the clerk's own machine can reach the desk, so it asks no password; every
browser still gets a session (an unguessable cookie) that carries the CSRF token each form
posts back. Bound to another address (a colleague on the office LAN), the desk needs the
password set when it was first started there: stored as a salted scrypt hash in
DIR/.desk-password, never in clear. Sessions live in memory and expire after a while idle
and after a working day in any case.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PASSWORD_FILE", "is_loopback", "hash_password", "check_password", "store_password", "stored_password",
           "Session", "Sessions", "COOKIE"]

PASSWORD_FILE = ".desk-password"
COOKIE = "toolkit_desk"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def hash_password(password: str, salt: bytes | None = None) -> dict:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return {"algorithm": "scrypt", **_SCRYPT, "salt": salt.hex(), "hash": digest.hex()}


def check_password(password: str, stored: dict) -> bool:
    try:
        digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(stored["salt"]), dklen=32,
                                n=int(stored["n"]), r=int(stored["r"]), p=int(stored["p"]))
    except (KeyError, ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), str(stored.get("hash", "")))


def stored_password(campaign_dir: Path) -> dict | None:
    path = Path(campaign_dir) / PASSWORD_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("algorithm") == "scrypt" else None


def store_password(campaign_dir: Path, password: str) -> Path:
    """Write the salted hash, readable by its owner only."""
    path = Path(campaign_dir) / PASSWORD_FILE
    tmp = path.with_suffix(".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(hash_password(password), fh)
    os.replace(tmp, path)
    return path


@dataclass
class Session:
    token: str
    csrf: str
    signed_in: bool
    created: float = field(default_factory=time.time)
    seen: float = field(default_factory=time.time)


class Sessions:
    """Server-side sessions by an unguessable token; expired ones are dropped when met."""

    def __init__(self, idle_seconds: float = 2 * 3600, max_seconds: float = 12 * 3600):
        self.idle, self.max = idle_seconds, max_seconds
        self._by_token: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = time.time()
        with self._lock:
            s = self._by_token.get(token)
            if s is None:
                return None
            if now - s.seen > self.idle or now - s.created > self.max:
                self._by_token.pop(token, None)
                return None
            s.seen = now
            return s

    def new(self, signed_in: bool) -> Session:
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), signed_in)
        with self._lock:
            self._sweep()
            self._by_token[s.token] = s
        return s

    def drop(self, token: str) -> None:
        with self._lock:
            self._by_token.pop(token, None)

    def _sweep(self) -> None:
        now = time.time()
        for token, s in list(self._by_token.items()):
            if now - s.seen > self.idle or now - s.created > self.max:
                del self._by_token[token]
