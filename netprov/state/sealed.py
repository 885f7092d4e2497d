"""Stored backups encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, from ``cryptography``).

A backup in the journal must hold the router's secrets to restore it exactly, so the journal
keeps it sealed. The key is a secret reference like any other: ``NETPROV_BACKUP_KEY`` (the
key itself) or ``NETPROV_BACKUP_KEY_FILE`` (a file holding it); a team sharing a PostgreSQL
journal shares that key. Without either, the embedded SQLite journal gets a key file of its
own beside it (``backup.key``, mode 0600), made on first use. The ``backups/<site>.cfg`` files
for git are not sealed: their secrets are masked instead.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from netprov.errors import JournalError
from netprov.state.statedir import prepare

PREFIX = "fernet:"  # content without it is an older, unsealed backup: read as it is


def _key_from_file(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except OSError as exc:
        raise JournalError(f"backup key file {path}: {exc.strerror}") from None


def load_key(default_file: Path) -> bytes:
    """The backup key: from the environment's references, else ``default_file`` (created)."""
    if value := os.environ.get("NETPROV_BACKUP_KEY"):
        return value.strip().encode()
    if named := os.environ.get("NETPROV_BACKUP_KEY_FILE"):
        return _key_from_file(Path(named))
    prepare(default_file.parent)  # .netprov/: kept out of git, the key with it
    if not default_file.exists():
        _publish_new_key(default_file)
    return _key_from_file(default_file)


def _publish_new_key(path: Path) -> None:
    """Write a new key beside ``path``, then link it into place: atomic, so workers and
    processes opening one journal together all end up with the same, complete key."""
    draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(Fernet.generate_key() + b"\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another worker published first: its key is the key
    finally:
        draft.unlink()


class Sealer:
    """Seals and opens backup contents with one key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise JournalError(
                "the backup key is not a Fernet key (32 url-safe base64-encoded bytes; "
                'make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())")'
            ) from None

    def seal(self, content: str) -> str:
        return PREFIX + self._fernet.encrypt(content.encode()).decode()

    def open(self, stored: str, *, what: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise JournalError(
                f"{what} cannot be decrypted with this backup key "
                "(NETPROV_BACKUP_KEY / NETPROV_BACKUP_KEY_FILE must be the key it was sealed with)"
            ) from None
