"""The keys that sign the audit chain and its anchors (HMAC-SHA-256), kept outside the database.

Production sets `TRIALDESK_AUDIT_KEYS="k2:<base64>,k1:<base64>"` (setting AUDIT_KEYS): the first key signs
new events, every listed key still verifies the events it signed, so a key is rotated by putting a new
one first and keeping the old ones after it. With no keys configured (development, a fresh checkout), a
key is generated on first use into `DATA_DIR/audit-keys` (0600, outside the database and its backups) and
a warning says that production must set the variable.
"""

import base64
import binascii
import functools
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("trialdesk.audit")

KEY_FILE_NAME = "audit-keys"
MIN_KEY_BYTES = 16
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")


class UnknownKey(Exception):
    """An event or anchor names a key that is not configured here."""

    def __init__(self, key_id: str):
        super().__init__(f"key {key_id!r} unknown")
        self.key_id = key_id


@dataclass(frozen=True)
class KeyRing:
    """The configured keys, newest first, and where they came from (for messages)."""

    keys: tuple[tuple[str, bytes], ...]
    source: str

    @property
    def signing_key_id(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes:
        for known, secret in self.keys:
            if known == key_id:
                return secret
        raise UnknownKey(key_id)

    def ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.keys)

    def mac(self, key_id: str, message: str) -> str:
        """Hex HMAC-SHA-256 of `message` under the key `key_id` (UnknownKey if it is not configured)."""
        keyed = _keyed(self.key(key_id)).copy()  # the key's inner and outer pads are hashed once
        keyed.update(message.encode("utf-8"))
        return keyed.hexdigest()


@functools.lru_cache(maxsize=16)
def _keyed(secret: bytes) -> "hmac.HMAC":
    return hmac.new(secret, digestmod=sha256)


def parse_keys(text: str, *, source: str) -> KeyRing:
    """`id:base64` entries separated by commas or new lines, newest (the signing key) first."""
    keys: list[tuple[str, bytes]] = []
    for entry in re.split(r"[,\n]", text):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, _, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(f"{source}: {key_id!r} is not a key id (letters, digits, . _ -; 1-32)")
        try:
            secret = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            raise ImproperlyConfigured(f"{source}: key {key_id!r} is not valid base64") from None
        if len(secret) < MIN_KEY_BYTES:
            raise ImproperlyConfigured(f"{source}: key {key_id!r} is shorter than {MIN_KEY_BYTES} bytes")
        if key_id in dict(keys):
            raise ImproperlyConfigured(f"{source}: key id {key_id!r} is listed twice")
        keys.append((key_id, secret))
    return KeyRing(tuple(keys), source)


def new_key_entry(key_id: str) -> str:
    """A fresh `id:base64` entry holding 32 random bytes."""
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode('ascii')}"


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


_cache: dict[tuple[str, str], KeyRing] = {}


def keyring(*, create: bool = False) -> KeyRing:
    """The configured key ring: AUDIT_KEYS if set, else the data directory's key file.

    With `create`, a missing key file is generated (signing needs a key; verifying never makes one, so a
    restore without the right key says which key is unknown instead of inventing another).
    """
    # The setting (settings.AUDIT_KEYS, from TRIALDESK_AUDIT_KEYS); a settings module of a deployment's
    # own that does not define it still gets the environment's keys.
    configured = getattr(settings, "AUDIT_KEYS", None)
    if configured is None:
        configured = os.environ.get("TRIALDESK_AUDIT_KEYS", "")
    configured = configured.strip()
    cache_key = (configured, str(key_file()))
    ring = _cache.get(cache_key)
    if ring is not None:
        return ring
    if configured:
        ring = parse_keys(configured, source="TRIALDESK_AUDIT_KEYS")
        if not ring.keys:
            raise ImproperlyConfigured("TRIALDESK_AUDIT_KEYS holds no key")
    else:
        path = key_file()
        if not path.exists():
            if not create:
                return KeyRing((), str(path))
            _generate_key_file(path)
        ring = parse_keys(path.read_text(encoding="ascii"), source=str(path))
        if not ring.keys:
            raise ImproperlyConfigured(f"{path} holds no key")
    _cache[cache_key] = ring
    return ring


def _generate_key_file(path: Path) -> None:
    """Write a new key file atomically with mode 0600; another process doing the same at once wins or
    loses as a whole (the file appears complete, through a hard link, or not at all)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = new_key_entry(f"local-{secrets.token_hex(3)}")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(entry + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        return
    finally:
        temporary.unlink()
    logger.warning(
        "TRIALDESK_AUDIT_KEYS is not set: the audit trail is signed with a key generated in %s. "
        "Production must set TRIALDESK_AUDIT_KEYS (keep the key outside the database and its backups).",
        path,
    )
