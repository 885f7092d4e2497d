"""Why an SSH connection to a router failed, in words an engineer acts on.

netmiko and napalm wrap what went wrong (netmiko's "TCP connection to device failed", a
dozen lines of advice; napalm's "Cannot connect to HOST") around the error that says it:
the socket's, or paramiko's. The cause is read from that chain, as a real router gives it:

- refused: nothing listens on the port (RouterOS ``/ip service set ssh disabled=yes``, IOS
  without SSH on its vty lines), or a firewall answers with a reset;
- no SSH banner: the TCP connection stands but the server never sends its identification
  line, which it sends first (RFC 4253, section 4.2): a firewall that drops, or a router too
  busy to start a session;
- closed before the banner: the router took the connection and closed it (RouterOS drops a
  service's connections from addresses outside its ``address`` list: "IP Services");
- authentication failed: the router's SSH server refused the user name and password.
"""

from __future__ import annotations

import errno
import logging
import socket

from paramiko.ssh_exception import AuthenticationException, NoValidConnectionsError

# paramiko's transport thread logs a failed handshake with its traceback (ERROR, logger
# "paramiko.transport"); with no handler anywhere, Python's last resort prints it on
# stderr beside netprov's one line. The error reaches netprov as an exception anyway.
_PARAMIKO_LOG = logging.getLogger("paramiko")
_PARAMIKO_LOG.addHandler(logging.NullHandler())
_PARAMIKO_LOG.propagate = False


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from or while handling (napalm wraps netmiko, which
    wraps paramiko or the socket), with the per-address errors of paramiko's connect."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        if isinstance(cause, NoValidConnectionsError):
            chain.extend(cause.errors.values())
        cause = cause.__cause__ or cause.__context__
    return chain


def _refused(error: BaseException) -> bool:
    return isinstance(error, ConnectionRefusedError) or (
        isinstance(error, OSError) and error.errno == errno.ECONNREFUSED
    )


def likely_cause(
    exc: BaseException, *, connect_seconds: float, banner_seconds: float
) -> str | None:
    """The likely cause of a failed connection, or None when the chain does not tell
    (the client's own message is then the best there is). The seconds are how long the
    client waited for the TCP connection and for the server's banner.

    Examples:
        >>> refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        >>> likely_cause(refused, connect_seconds=30, banner_seconds=15)
        'connection refused (SSH is off on the router, or a firewall rejects the port)'
        >>> likely_cause(ValueError("else"), connect_seconds=30, banner_seconds=15) is None
        True
    """
    chain = _chain(exc)
    texts = " | ".join(str(error) for error in chain)
    causes = (  # the first that holds, most telling first
        (
            any(isinstance(error, AuthenticationException) for error in chain),
            "authentication failed (the router refused this user name and password)",
        ),
        (
            any(_refused(error) for error in chain),
            "connection refused (SSH is off on the router, or a firewall rejects the port)",
        ),
        (
            any(isinstance(error, socket.gaierror) for error in chain),
            "the host name does not resolve (check the hosts file)",
        ),
        (
            any(
                isinstance(error, OSError) and error.errno == errno.EHOSTUNREACH for error in chain
            ),
            "no route to the host (the router or the path to it is down)",
        ),
        (
            any(isinstance(error, ConnectionResetError | EOFError) for error in chain),
            "the router closed the connection before SSH began (SSH is limited to other "
            "addresses, or it takes no more sessions)",
        ),
        (
            "protocol banner" in texts or "No existing session" in texts,
            f"no SSH banner in {banner_seconds:g} s "
            "(a firewall filters the port, or the router is overloaded)",
        ),
        (
            "TCP connection to device failed" in texts
            or any(isinstance(error, TimeoutError) for error in chain),
            f"no answer in {connect_seconds:g} s "
            "(a firewall drops SSH on the way, or the router is down)",
        ),
    )
    return next((cause for holds, cause in causes if holds), None)
