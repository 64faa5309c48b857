"""Pseudonymization keys: where the key comes from, and ``evaluation key`` that makes one.

Firm ids become keyed pseudonyms, ``HMAC-SHA256(key, firm_id)`` truncated to 16 hex characters
(RFC 2104 HMAC; 64 bits): without the key nobody can recompute them from a tax registry, and
with it the data holder can link back. The key is read from ``EVALUATION_PSEUDONYM_KEY`` or
from ``<root>/.pseudonym_key`` (git-ignored) and must be at least :data:`MIN_KEY_BYTES` bytes
of UTF-8: a short key can be brute-forced against known ids. The published
:data:`SIMULATION_KEY` applies only to a raw folder that verifiably holds the simulator's
output (:func:`evaluation.data.ingest.is_simulated`: every table file's sha256 as
``evaluation simulate`` recorded it), so real data never get a public key by accident.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from evaluation.config import Settings
from evaluation.data.ingest import is_simulated

# The simulator's published key (simulated data have no real people behind them, and a fixed
# key lets anyone regenerate the committed example byte for byte); used only for data with a
# verified simulator marker (:func:`evaluation.data.ingest.is_simulated`).
from evaluation.data.simulation_design import SIMULATION_KEY

KEY_ENV = "EVALUATION_PSEUDONYM_KEY"
KEY_FILE = ".pseudonym_key"
MIN_KEY_BYTES = 16
FINGERPRINT_LABEL = b"pseudonym key fingerprint"  # neutral: names no programme


class MissingKeyError(RuntimeError):
    """No usable pseudonymization key (the message says how to provide one)."""


@dataclass(frozen=True)
class PseudonymKey:
    """The HMAC key and where it came from (the manifest records the source, not the key)."""

    key: bytes
    source: str

    @property
    def fingerprint(self) -> str:
        """A short tag that tells two keys apart without revealing either."""
        return hmac.new(self.key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:12]


def _how(path: Path) -> str:
    return (
        f"set {KEY_ENV} or write a random secret of at least {MIN_KEY_BYTES} bytes to {path} "
        "(git-ignored); `evaluation key` prints a new one"
    )


def _checked(key: bytes, where: str, path: Path) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise MissingKeyError(
            f"the pseudonymization key in {where} is {len(key)} bytes long; at least "
            f"{MIN_KEY_BYTES} are required (a short key can be guessed); {_how(path)}"
        )
    return key


def resolve_key(root: Path, raw: Path) -> PseudonymKey:
    """The pseudonymization key: environment, then ``<root>/.pseudonym_key``, then (verified
    simulator output only) the documented public default; otherwise stop with instructions."""
    path = Path(root) / KEY_FILE
    env = os.environ.get(KEY_ENV, "")
    if env.strip():
        key = _checked(env.strip().encode("utf-8"), f"environment variable {KEY_ENV}", path)
        return PseudonymKey(key, f"environment variable {KEY_ENV}")
    if path.is_file():
        key = path.read_bytes().strip()
        if not key:
            raise MissingKeyError(f"{path} is empty; {_how(path)}")
        return PseudonymKey(_checked(key, str(path), path), f"file {KEY_FILE}")
    if is_simulated(raw):
        return PseudonymKey(SIMULATION_KEY, "public default for simulated data")
    raise MissingKeyError(
        f"no pseudonymization key for {raw}: firm ids are replaced by keyed pseudonyms, and the "
        f"public key of the simulated example applies only to unedited simulator output; "
        f"{_how(path)}"
    )


def pseudonym(key: bytes, firm_id: str) -> str:
    """``HMAC-SHA256(key, firm_id)``, first 16 hex characters (64 bits)."""
    return hmac.new(key, firm_id.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def new_key() -> str:
    """A fresh random key: 32 bytes from the operating system's CSPRNG, as 64 hex digits."""
    return secrets.token_hex(32)


def command(args: argparse.Namespace, settings: Settings) -> int:
    """``evaluation key``: print a new random key and how to store it (nothing is written)."""
    key = new_key()
    path = settings.root / KEY_FILE
    print(key)
    print(
        f"\nStore it outside version control, either\n  export {KEY_ENV}={key}\nor\n"
        f"  printf '%s' '{key}' > {path}   (git-ignored)\n"
        "Keep a copy in a safe place: the same key gives the same pseudonyms, so a lost key "
        "means processed data can no longer be linked back to the records."
    )
    return 0


__all__ = [
    "FINGERPRINT_LABEL",
    "KEY_ENV",
    "KEY_FILE",
    "MIN_KEY_BYTES",
    "SIMULATION_KEY",
    "MissingKeyError",
    "PseudonymKey",
    "command",
    "new_key",
    "pseudonym",
    "resolve_key",
]
