"""One router's view of a known_hosts file: only the lines that name it.

paramiko parses the whole known_hosts file on every connection, and its parse is quadratic
in the file's length (paramiko issues #2251 and #437: each line is checked against every
line before it). A fleet's file holds a line per router, so a run over n routers costs
O(n^3): 45 % of a 300-site cutover's CPU went there. A session therefore hands netmiko a
file holding only its router's lines; paramiko's check is unchanged (it looks a server up
by exact or hashed name only, so the other routers' lines can never match).

Views live in a private (0700) folder of this process and are keyed by the file's content,
so an edit (``netprov trust``, a key replaced by hand) takes effect on the next session.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import os
import shutil
import tempfile
import threading
from base64 import b64decode
from binascii import Error as Base64Error
from pathlib import Path

_LOCK = threading.Lock()
_VIEWS: dict[tuple[str, str], Path] = {}  # (content digest, host entry) -> its view
_FOLDER: list[Path] = []  # this process's private folder, made on first use


def known_hosts_entry(host: str, port: int) -> str:
    """How OpenSSH names a host in known_hosts.

    Examples:
        >>> known_hosts_entry("10.251.0.44", 22), known_hosts_entry("127.0.0.1", 2201)
        ('10.251.0.44', '[127.0.0.1]:2201')
    """
    return host if port == 22 else f"[{host}]:{port}"


def router_view(known_hosts: Path, entry: str) -> Path:
    """A file of ``known_hosts``'s lines that name ``entry`` (``host`` or ``[host]:port``,
    as OpenSSH writes it), plus its ``@``-marker lines; ``known_hosts`` itself when it does
    not exist (the client then refuses every key, naming that file)."""
    try:
        content = known_hosts.read_bytes()
    except OSError:
        return known_hosts
    key = (hashlib.sha256(content).hexdigest(), entry)
    with _LOCK:
        view = _VIEWS.get(key)
        if view is None or not view.exists():
            lines = [
                line
                for line in content.decode("utf-8", "replace").splitlines()
                if names(line, entry)
            ]
            view = _folder() / f"{key[0][:16]}-{hashlib.sha256(entry.encode()).hexdigest()[:16]}"
            view.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
            _VIEWS[key] = view
    return view


def names(line: str, entry: str) -> bool:
    """Whether a known_hosts line applies to ``entry``: one of its comma-separated host
    names is ``entry`` itself or OpenSSH's salted hash of it (``|1|salt|hmac``, RFC 2104
    HMAC-SHA1); a marker line (``@cert-authority``, ``@revoked``) is kept for every host.

    Examples:
        >>> names("[127.0.0.1]:2201,10.0.0.1 ssh-ed25519 AAAA", "[127.0.0.1]:2201")
        True
        >>> names("[127.0.0.1]:22011 ssh-ed25519 AAAA", "[127.0.0.1]:2201")
        False
        >>> names("# a comment", "10.0.0.1"), names("@revoked * ssh-rsa AAAA", "10.0.0.1")
        (False, True)
    """
    text = line.strip()
    if not text or text.startswith("#"):
        return False
    if text.startswith("@"):
        return True
    return any(_matches(name, entry) for name in text.split(None, 1)[0].split(","))


def _matches(name: str, entry: str) -> bool:
    if not name.startswith("|1|"):
        return name == entry
    try:
        _, _, salt, digest = name.split("|", 3)
        expected = hmac.new(b64decode(salt), entry.encode(), hashlib.sha1).digest()
        return hmac.compare_digest(expected, b64decode(digest))
    except (ValueError, Base64Error):
        return False


def _folder() -> Path:
    if not _FOLDER:
        folder = Path(tempfile.mkdtemp(prefix="netprov-known-hosts-"))  # mode 0700
        atexit.register(_remove, folder, os.getpid())
        _FOLDER.append(folder)
    if not _FOLDER[0].is_dir():  # removed under us (a tmp cleaner): made afresh
        _FOLDER[0].mkdir(mode=0o700, parents=True)
    return _FOLDER[0]


def _remove(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # never a forked child's exit: the folder is its parent's
        shutil.rmtree(folder, ignore_errors=True)


def forget() -> None:
    """Drop every view (a forked child starts its own folder)."""
    with _LOCK:
        _VIEWS.clear()
        _FOLDER.clear()


os.register_at_fork(after_in_child=forget)
