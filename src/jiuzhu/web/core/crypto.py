"""Encryption at rest of personal data (ID numbers, bank accounts, health) and the keyed hash
that lets the platform find a record by its ID without storing the ID in clear.

A value is sealed with AES-256-GCM (``cryptography``'s ``AESGCM``: a random 96-bit nonce per
value, the 128-bit tag authenticates it) under the *current data key* and stored as text::

    enc1$<key id>$<urlsafe base64 of nonce ‖ ciphertext ‖ tag>

The key id travels with the value (and is authenticated as associated data), so a value sealed
under an older key still opens while the old key is configured, and ``rotate_keys`` knows which
values to re-seal. Lookups never touch the ciphertext: a companion column holds
``search_hash(value)``, an HMAC-SHA256 of the normalised value under the *search key*.

Keys come from the environment only (never the database nor its backups; docs/keys.md):

- ``JIUZHU_DATA_KEYS``: ``id:base64key[,id:base64key…]`` — 32-byte keys; the first seals, all
  open (a retired key is removed once ``rotate_keys`` has re-sealed everything);
- ``JIUZHU_SEARCH_KEY``: ``base64key`` — the HMAC key (32 bytes);
- ``JIUZHU_SEARCH_KEY_PREVIOUS``: the search key being replaced, while ``rotate_keys``
  recomputes the hashes (lookups try both meanwhile).

With DEBUG (the demo, tests) and no key set, fixed development keys are used (and the system
check ``core.W001`` says so); without DEBUG a missing key stops the start.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks

PREFIX = "enc1$"
NONCE_BYTES = 12
KEY_BYTES = 32
# Only for DEBUG (demo, tests): public, so anything sealed with them is not protected.
DEVELOPMENT_DATA_KEYS = "dev:" + base64.b64encode(b"jiuzhu-development-data-key-0001").decode()
DEVELOPMENT_SEARCH_KEY = base64.b64encode(b"jiuzhu-development-search-key-01").decode()


class KeyConfigError(RuntimeError):
    """A key in the environment is missing or malformed (the message names the variable)."""


class SealError(ValueError):
    """A stored value cannot be opened: not sealed, sealed under a key no longer configured,
    or altered (the GCM tag does not verify)."""


@dataclass(frozen=True)
class Keyring:
    """The data keys (id → 32 bytes, the first one current) and the search keys."""

    data_keys: dict[str, bytes]
    search_key: bytes
    previous_search_key: bytes | None = None
    development: bool = False
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    @property
    def current(self) -> str:
        """The id of the key that seals new values."""
        return next(iter(self.data_keys))

    def cipher(self, key_id: str) -> AESGCM:
        if key_id not in self._ciphers:
            try:
                self._ciphers[key_id] = AESGCM(self.data_keys[key_id])
            except KeyError:
                raise SealError(f"data key {key_id!r} is not configured") from None
        return self._ciphers[key_id]


def _key(text: str, variable: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{variable}: a key is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyConfigError(
            f"{variable}: a key must be {KEY_BYTES} bytes (base64 of 32 random bytes)"
        )
    return key


def parse_data_keys(text: str) -> dict[str, bytes]:
    """``id:base64[,id:base64…]`` → {id: key}, in order (the first is current).

    Raises:
        KeyConfigError: empty, an id not alphanumeric, a repeated id or a bad key.
    """
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, _, encoded = item.partition(":")
        if not key_id.isalnum() or not key_id.isascii() or key_id in keys:
            raise KeyConfigError("JIUZHU_DATA_KEYS: each key is id:base64key, ids distinct, a-z0-9")
        keys[key_id] = _key(encoded, "JIUZHU_DATA_KEYS")
    if not keys:
        raise KeyConfigError("JIUZHU_DATA_KEYS is empty")
    return keys


def keyring_from_environment(environ: Mapping[str, str], *, debug: bool) -> Keyring:
    """The keys from ``environ``; development keys when DEBUG and none is set.

    Raises:
        KeyConfigError: without DEBUG, ``JIUZHU_DATA_KEYS`` or ``JIUZHU_SEARCH_KEY`` unset; any
            key malformed.
    """
    data, search = environ.get("JIUZHU_DATA_KEYS", ""), environ.get("JIUZHU_SEARCH_KEY", "")
    development = not data and not search
    if development and not debug:
        raise KeyConfigError(
            "JIUZHU_DATA_KEYS and JIUZHU_SEARCH_KEY must be set when JIUZHU_DEBUG=0 (docs/keys.md)"
        )
    if development:
        return development_keyring()
    if not data or not search:
        raise KeyConfigError(
            "set both JIUZHU_DATA_KEYS and JIUZHU_SEARCH_KEY, or neither (demo only)"
        )
    previous = environ.get("JIUZHU_SEARCH_KEY_PREVIOUS", "")
    return Keyring(
        parse_data_keys(data),
        _key(search, "JIUZHU_SEARCH_KEY"),
        _key(previous, "JIUZHU_SEARCH_KEY_PREVIOUS") if previous else None,
        development=False,
    )


def development_keyring() -> Keyring:
    """The public keys of the demo and the tests."""
    return Keyring(
        parse_data_keys(DEVELOPMENT_DATA_KEYS),
        _key(DEVELOPMENT_SEARCH_KEY, "JIUZHU_SEARCH_KEY"),
        development=True,
    )


def keyring() -> Keyring:
    """The configured keys (``settings.JIUZHU_KEYRING``)."""
    ring: Keyring = settings.JIUZHU_KEYRING
    return ring


def new_key() -> str:
    """A fresh 32-byte key, base64 (for ``jiuzhu-web rotate_keys --new-key``)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def key_id_of(stored: str) -> str:
    """The id of the key a stored value was sealed under ("" for an unsealed value)."""
    return stored[len(PREFIX) :].partition("$")[0] if is_sealed(stored) else ""


def seal(plaintext: str, ring: Keyring | None = None) -> str:
    """``plaintext`` sealed under the current data key ("" stays "": nothing to hide)."""
    if plaintext == "":
        return ""
    ring = ring or keyring()
    key_id = ring.current
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.cipher(key_id).encrypt(nonce, plaintext.encode(), key_id.encode())
    return f"{PREFIX}{key_id}${base64.urlsafe_b64encode(nonce + sealed).decode()}"


def open_sealed(stored: str, ring: Keyring | None = None) -> str:
    """The plaintext of a stored value.

    Raises:
        SealError: not sealed, an unknown key, or the value was altered.
    """
    if stored == "":
        return ""
    if not is_sealed(stored):
        raise SealError("a stored value is not sealed (run the migrations)")
    key_id, _, body = stored[len(PREFIX) :].partition("$")
    cipher = (ring or keyring()).cipher(key_id)
    try:
        raw = base64.urlsafe_b64decode(body)
        plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode())
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise SealError(f"a value sealed under key {key_id!r} does not open") from exc
    return plain.decode()


def normalise(value: str) -> str:
    """The form hashed: no surrounding spaces, upper case (an ID's check digit X)."""
    return value.strip().upper()


def search_hash(value: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the normalised value under the search key, hex (64 characters); "" for
    an empty value. Equal values hash equal, so the hash column is indexed (unique where the
    value is)."""
    if not value:
        return ""
    key = key if key is not None else keyring().search_key
    return hmac.new(key, normalise(value).encode(), hashlib.sha256).hexdigest()


def search_hashes(value: str) -> list[str]:
    """The hashes to look ``value`` up by: under the search key and, during a rotation, the
    previous one (rows ``rotate_keys`` has not reached yet)."""
    ring = keyring()
    found = [search_hash(value, ring.search_key)]
    if ring.previous_search_key is not None:
        found.append(search_hash(value, ring.previous_search_key))
    return found


def check_keys(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """System check ``core.W001``: the development keys are in use (the demo and tests only)."""
    if not keyring().development:
        return []
    return [
        checks.Warning(
            "personal data is sealed with the public development keys (DEBUG, no JIUZHU_DATA_KEYS)",
            hint="production sets JIUZHU_DATA_KEYS and JIUZHU_SEARCH_KEY (docs/keys.md)",
            id="core.W001",
        )
    ]
