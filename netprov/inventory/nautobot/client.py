"""Talking to Nautobot: the ``nautobot+https://HOST`` spec, its token by reference, and a
small typed client over pynautobot (Nautobot's maintained client) whose every failure is
one :class:`~netprov.errors.SourceError` line.

Sessions time out (pynautobot sets none): a Nautobot that hangs must stop a run before any
router is touched, not hold it forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from netprov.errors import SecretError, SourceError
from netprov.models import SecretRef
from netprov.secrets import SecretResolver

if TYPE_CHECKING:  # requests (pynautobot's client) is imported when Nautobot is asked
    from requests import PreparedRequest, Response

SCHEME = "nautobot+"
# the token's reference when the URL alone names Nautobot (pynautobot's and
# nornir-nautobot's convention)
DEFAULT_TOKEN = SecretRef(env="NAUTOBOT_TOKEN")
TIMEOUT_SECONDS = 60.0
PAGE_SIZE = 1000  # Nautobot's default MAX_PAGE_SIZE
# objects written per request: Nautobot takes 0.1-0.2 s an object (validation, change
# log), so a request stays well inside the timeout
WRITE_CHUNK = 25
WRITERS = 4  # bulk requests at once
# the query string of one request: uWSGI, which Nautobot runs on, takes 4 KB of request
# line and headers by default (Nautobot's Docker image keeps that: NAUTOBOT_UWSGI_BUFFER_SIZE)
QUERY_BYTES = 1200


def is_nautobot(spec: str) -> bool:
    """Whether an ``--inventory`` value names Nautobot rather than a folder.

    Examples:
        >>> is_nautobot("nautobot+https://nautobot.example"), is_nautobot("inventory")
        (True, False)
    """
    return spec.startswith(SCHEME)


@dataclass(frozen=True, slots=True)
class NautobotSpec:
    """Where Nautobot is and the reference of its API token."""

    url: str  # http(s)://host[:port][/path], without a trailing slash
    token: SecretRef = DEFAULT_TOKEN

    @classmethod
    def parse(cls, spec: str, token: SecretRef = DEFAULT_TOKEN) -> NautobotSpec:
        """``nautobot+https://HOST[:PORT][/PATH]``; a ValueError names what is wrong.

        Examples:
            >>> NautobotSpec.parse("nautobot+https://nb.example:8443/").url
            'https://nb.example:8443'
            >>> NautobotSpec.parse("nautobot+ftp://nb")
            Traceback (most recent call last):
            ...
            ValueError: 'nautobot+ftp://nb' is not nautobot+https://HOST (or nautobot+http://)
        """
        url = spec.removeprefix(SCHEME)
        parts = urlsplit(url)
        if (
            not is_nautobot(spec)
            or parts.scheme not in {"http", "https"}
            or not parts.hostname
            or parts.query
            or parts.fragment
            or parts.username
        ):
            raise ValueError(f"{spec!r} is not nautobot+https://HOST (or nautobot+http://)")
        return cls(url.rstrip("/"), token)

    def __str__(self) -> str:
        return SCHEME + self.url


class NautobotClient:
    """The calls netprov makes: GraphQL queries, and lists, creates, updates and deletes of
    one endpoint (``"dcim.locations"``), each with plain dicts in and out."""

    def __init__(self, spec: NautobotSpec, secret: SecretResolver) -> None:
        import pynautobot
        from requests.adapters import HTTPAdapter

        try:
            token = secret(spec.token)
        except SecretError as exc:
            raise SourceError(f"Nautobot {spec}: the API token: {exc}") from None

        class _Timeout(HTTPAdapter):
            def send(
                self,
                request: PreparedRequest,
                stream: bool = False,
                timeout: float | tuple[float | None, float | None] | None = None,
                verify: bool | str = True,
                cert: str | tuple[str, str] | None = None,
                proxies: dict[str, str] | None = None,
            ) -> Response:
                return super().send(
                    request, stream, timeout or TIMEOUT_SECONDS, verify, cert, proxies
                )

        self.spec = spec
        self.api = pynautobot.api(spec.url, token=token)
        for prefix in ("http://", "https://"):
            self.api.http_session.mount(prefix, _Timeout())

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a GraphQL query; its errors as one SourceError."""
        from pynautobot.core.graphql import GraphQLException

        try:
            response = self._call(
                lambda: self.api.graphql.query(query=query, variables=dict(variables or {}))
            )
        except GraphQLException as exc:
            errors = exc.errors if isinstance(exc.errors, list) else [exc.errors]
            messages = "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict))
            raise SourceError(f"Nautobot {self.spec}: GraphQL: {messages or exc}") from None
        data: dict[str, Any] = response.json.get("data") or {}
        return data

    def objects(self, endpoint: str, **filters: Any) -> list[dict[str, Any]]:
        """Every object of an endpoint matching ``filters`` (all pages). A long list of
        values is asked for a part at a time: a URL stays within what web servers take
        (nginx's 8 KB, uWSGI's 4 KB by default)."""
        target = self._endpoint(endpoint)
        lists = [name for name, value in filters.items() if isinstance(value, list)]
        longest = max(lists, key=lambda name: len(filters[name]), default=None)
        if longest is not None and not filters[longest]:
            return []  # matching none of no values: nothing (an empty filter would match all)
        parts = (
            [filters]
            if longest is None
            else [filters | {longest: part} for part in _by_bytes(longest, filters[longest])]
        )
        records: list[Any] = []
        for part in parts:
            records += self._call(lambda f=part: list(target.filter(limit=PAGE_SIZE, **f)))
        return [dict(record) for record in records]

    def create(self, endpoint: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Create objects (bulk requests); the created objects come back, in order."""
        target = self._endpoint(endpoint)
        created = self._in_parallel(target.create, _chunks(items))
        return [dict(record) for chunk in created for record in chunk]

    def update(self, endpoint: str, items: list[dict[str, Any]]) -> None:
        """Change objects (each dict has its ``id``), in bulk requests."""
        self._in_parallel(self._endpoint(endpoint).update, _chunks(items))

    def delete(self, endpoint: str, ids: Iterable[str]) -> None:
        """Delete objects by id, in bulk requests."""
        self._in_parallel(self._endpoint(endpoint).delete, _chunks(list(ids)))

    def _in_parallel(self, write: Any, chunks: list[list[Any]]) -> list[Any]:
        """Each chunk's write, WRITERS at a time (the objects of one bulk write do not
        depend on each other; a Nautobot serves requests with several workers); results
        in order, the first failure raised once the others are done."""
        from concurrent.futures import ThreadPoolExecutor

        if len(chunks) <= 1:
            return [self._call(lambda c=chunk: write(c)) for chunk in chunks]
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            futures = [pool.submit(self._call, lambda c=chunk: write(c)) for chunk in chunks]
        return [future.result() for future in futures]

    def _endpoint(self, name: str) -> Any:
        app, endpoint = name.split(".")
        return getattr(getattr(self.api, app), endpoint)

    def _call(self, call: Any) -> Any:
        import pynautobot
        import requests

        try:
            return call()
        except pynautobot.RequestError as exc:
            raise self._refused(exc.req.status_code, str(exc.error)) from None
        except requests.HTTPError as exc:  # GraphQL's non-400 answers
            status = exc.response.status_code if exc.response is not None else 0
            raise self._refused(status, str(exc)) from None
        except requests.Timeout:
            raise SourceError(
                f"Nautobot {self.spec} did not answer within {TIMEOUT_SECONDS:g} s"
            ) from None
        except requests.ConnectionError as exc:
            raise SourceError(f"Nautobot {self.spec} cannot be reached: {_reason(exc)}") from None
        except requests.RequestException as exc:
            raise SourceError(f"Nautobot {self.spec}: {exc}") from None
        except ValueError as exc:  # a reply that is not JSON: not Nautobot's API there
            raise SourceError(f"Nautobot {self.spec}: not a Nautobot API reply ({exc})") from None

    def _refused(self, status: int, error: str) -> SourceError:
        if status in (401, 403):
            return SourceError(
                f"Nautobot {self.spec} refused the API token ({status}): check "
                f"{self.spec.token.describe()}"
            )
        return SourceError(f"Nautobot {self.spec} ({status}): {_summary(error)}")


def _chunks(items: list[Any], size: int = WRITE_CHUNK) -> list[list[Any]]:
    """
    Examples:
        >>> [len(c) for c in _chunks(list(range(120)))]
        [25, 25, 25, 25, 20]
    """
    return [items[start : start + size] for start in range(0, len(items), size)]


def _by_bytes(name: str, values: list[Any]) -> list[list[Any]]:
    """``values`` of filter ``name`` in parts whose query string stays within QUERY_BYTES.

    Examples:
        >>> [len(part) for part in _by_bytes("location", ["x" * 36] * 60)]
        [26, 26, 8]
    """
    from urllib.parse import quote_plus

    parts: list[list[Any]] = [[]]
    size = 0
    for value in values:
        cost = len(name) + 2 + len(quote_plus(str(value)))
        if parts[-1] and size + cost > QUERY_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(value)
        size += cost
    return parts


def _summary(error: str) -> str:
    """A bulk request's errors, each different one once (a refusal of 82 objects for one
    reason is one reason).

    Examples:
        >>> _summary('[{"time_zone": ["blank"]}, {"time_zone": ["blank"]}, {}]')
        '{"time_zone": ["blank"]} (x2)'
    """
    import json

    try:
        entries = json.loads(error)
    except ValueError:
        return error[:500]
    if not isinstance(entries, list):
        return json.dumps(entries)[:500]
    counted: dict[str, int] = {}
    for entry in entries:
        if entry:
            text = json.dumps(entry)
            counted[text] = counted.get(text, 0) + 1
    return "; ".join(f"{t} (x{n})" if n > 1 else t for t, n in counted.items())[:500]


def _reason(exc: Exception) -> str:
    """What a connection error comes down to (``Connection refused``), not urllib3's chain
    of wrappers.

    Examples:
        >>> _reason(OSError("... [Errno 111] Connection refused'))"))
        'Connection refused'
    """
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "No route to host"):
        if marker in text:
            return marker
    return text.splitlines()[0][:200] if text else type(exc).__name__
