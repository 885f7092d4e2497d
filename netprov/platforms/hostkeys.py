"""SSH host keys: fetch a router's key (no login) and record it in a known_hosts file, the
explicit trust-on-first-use step (``netprov trust``). Sessions then refuse any other key."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from netprov.errors import DeviceError
from netprov.platforms import Target
from netprov.platforms.known_hosts import known_hosts_entry


@dataclass(frozen=True)
class HostKey:
    """A router's SSH host key, as a known_hosts line names it."""

    entry: str  # ``[host]:port`` or ``host``
    key_type: str
    base64: str
    fingerprint: str  # SHA256:..., as ssh-keygen -l prints it

    @property
    def line(self) -> str:
        """The known_hosts line: ``entry key-type base64``."""
        return f"{self.entry} {self.key_type} {self.base64}"


def fetch_host_key(target: Target, timeout: float = 10) -> HostKey:
    """The key the SSH server at ``target`` presents (the key exchange only: no login)."""
    import base64
    import hashlib

    import paramiko

    from netprov.platforms.connection_cause import likely_cause

    def failed(exc: BaseException, what: str) -> DeviceError:
        where = f"{target.host}:{target.port}"
        cause = likely_cause(exc, connect_seconds=timeout, banner_seconds=timeout)
        return DeviceError(f"{target.site_id}: {what} {where}: {cause or exc}")

    try:
        sock = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError as exc:
        raise failed(exc, "cannot connect to") from exc
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=timeout)
        key = transport.get_remote_server_key()
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise failed(exc, "no host key from") from exc
    finally:
        transport.close()
    blob = key.asbytes()
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return HostKey(
        known_hosts_entry(target.host, target.port),
        key.get_name(),
        base64.b64encode(blob).decode(),
        f"SHA256:{digest}",
    )


def record(path: Path, key: HostKey) -> str:
    """Add or replace ``key``'s host in ``path``; returns "added", "replaced" or "known"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    others = [line for line in lines if line.split(" ", 1)[0] != key.entry]
    status = "known" if key.line in lines else ("replaced" if len(others) < len(lines) else "added")
    path.write_text("\n".join([*others, key.line]) + "\n", encoding="utf-8")
    return status
