"""Personal data protection: keyed tokens for joins, masked forms for display, redaction of
numbers inside free text, encryption of raw payloads kept as evidence.

Tokens are HMAC-SHA256 of the normalised value under the PII key, computed inside DuckDB so
that ingestion stays vectorised (the SQL is the RFC 2104 construction; a test checks it against
Python's ``hmac``). The key comes from ``WORKPHONE_PII_KEY`` or is generated once into
``WORKPHONE_HOME/keys/pii.key``; the payload key is derived from it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workphone.settings import Settings

BLOCK = 64
# Order matters: longest digit runs first, so an ID number is not read as a phone number.
TEXT_PATTERNS = [
    (r"[0-9]{19}", "[银行卡]"),
    (r"[0-9]{17}[0-9Xx]", "[身份证]"),
    (r"[0-9]{16}", "[银行卡]"),
    (r"(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}", "[手机号]"),
]


class PiiKeyError(ValueError):
    """A PII key that cannot be used."""


@dataclass(frozen=True)
class PiiKey:
    key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> PiiKey:
        if settings.pii_key_hex:
            try:
                key = bytes.fromhex(settings.pii_key_hex)
            except ValueError as exc:
                raise PiiKeyError("WORKPHONE_PII_KEY must be hex (e.g. 64 hex characters)") from exc
            if len(key) < 16:
                raise PiiKeyError("WORKPHONE_PII_KEY must be at least 16 bytes (32 hex chars)")
            return cls(key)
        path = settings.keys_dir / "pii.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return cls(bytes.fromhex(Path(path).read_text().strip()))

    @property
    def fingerprint(self) -> str:
        """Short, non-reversible id of the key, recorded with tokens so a key change shows."""
        return hashlib.sha256(b"fingerprint" + self.key).hexdigest()[:12]

    def token_sql(self, expr: str) -> str:
        """SQL: HMAC-SHA256 hex token of a VARCHAR expression (NULL stays NULL)."""
        key = self.key if len(self.key) <= BLOCK else hashlib.sha256(self.key).digest()
        key = key.ljust(BLOCK, b"\0")
        ipad = bytes(b ^ 0x36 for b in key).hex()
        opad = bytes(b ^ 0x5C for b in key).hex()
        return (f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || "
                f"encode({expr}))))")

    def token(self, value: str) -> str:
        import hmac

        return hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()

    def payload_cipher(self) -> AESGCM:
        return AESGCM(hashlib.sha256(b"workphone-payload" + self.key).digest())

    def encrypt(self, payload: bytes) -> str:
        """AES-GCM, base64 of nonce + ciphertext."""
        nonce = secrets.token_bytes(12)
        sealed = self.payload_cipher().encrypt(nonce, payload, None)
        return base64.b64encode(nonce + sealed).decode()

    def decrypt(self, blob: str) -> bytes:
        raw = base64.b64decode(blob)
        return self.payload_cipher().decrypt(raw[:12], raw[12:], None)


def normalise_sql(pii: str, expr: str) -> str:
    """SQL normalising a value before tokenising, so formatting never splits a person."""
    if pii == "phone":
        digits = f"regexp_replace({expr}, '[^0-9]', '', 'g')"
        return (f"(case when length({digits}) = 13 and left({digits}, 2) = '86' "
                f"then right({digits}, 11) else {digits} end)")
    if pii in ("id_number", "bank_card"):
        return f"upper(regexp_replace({expr}, '[^0-9Xx]', '', 'g'))"
    return f"trim({expr})"


def mask_sql(pii: str, expr: str) -> str:
    """SQL display form: 138****5678, 张*, 110101********1234, **** **** **** 1234."""
    if pii == "phone":
        return f"left({expr}, 3) || '****' || right({expr}, 4)"
    if pii == "name":
        return f"left({expr}, 1) || repeat('*', greatest(length({expr}) - 1, 1))"
    if pii == "id_number":
        return f"left({expr}, 6) || '********' || right({expr}, 4)"
    if pii == "bank_card":
        return f"'**** **** **** ' || right({expr}, 4)"
    if pii == "chat_id":
        return f"left({expr}, 5) || '****' || right({expr}, 4)"
    raise ValueError(f"no mask for pii class {pii!r}")


def redact_text(text: str) -> str:
    """Python twin of :func:`redact_sql`, for text made after ingestion (transcripts)."""
    for pattern, placeholder in TEXT_PATTERNS:
        text = re.sub(pattern, placeholder, text)
    return text


def redact_sql(expr: str) -> str:
    """SQL replacing personal numbers inside free text with a placeholder."""
    for pattern, placeholder in TEXT_PATTERNS:
        expr = f"regexp_replace({expr}, '{pattern}', '{placeholder}', 'g')"
    return expr
