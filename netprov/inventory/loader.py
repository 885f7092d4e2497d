"""Load the inventory: documents -> validated models, or every problem at once.

From a folder::

    inventory/organisation.yaml   organisation-wide settings (one mapping)
    inventory/sites/*.yaml        each a mapping with a ``sites:`` list

or from Nautobot (``nautobot+https://HOST``: the organisation's config context and the
sites), or both: an ``organisation.yaml`` whose ``source_of_truth`` names the Nautobot the
sites are read from (docs/source-of-truth.md). The same models and cross-checks apply to
every source; a problem names the file and line, or the Nautobot object and field.

Nothing is written and nothing is half-loaded: either a complete, cross-checked
:class:`LoadedInventory` comes back, or :class:`InventoryError` lists every problem.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from netprov.allocation import Allocation, allocate
from netprov.errors import InventoryError, Problem, Severity
from netprov.inventory.crosscheck import cross_check
from netprov.inventory.explain import explain
from netprov.inventory.gcpause import collector_paused
from netprov.inventory.nautobot.client import NautobotClient, NautobotSpec, is_nautobot
from netprov.inventory.nautobot.read import Snapshot, fetch, organisation_document, site_documents
from netprov.inventory.placed import Finding, PlacedSite
from netprov.inventory.salvage import salvage
from netprov.inventory.sourcemap import Loc, Source, SourceFile, load_yaml
from netprov.models import Inventory, Organisation, Site, SourceOfTruth
from netprov.secrets import EnvironmentSecrets
from netprov.suggest import closest, did_you_mean

M = TypeVar("M", bound=BaseModel)

ORGANISATION_FILE = "organisation.yaml"
SITES_DIR = "sites"


@dataclass(frozen=True)
class InventoryParts:
    """What loaded of an inventory with errors: the organisation if it is valid, every
    site with its valid parts (``PlacedSite.complete`` False for one that failed its
    schema), for the checks of the same round that need more than the schema."""

    root: Path
    organisation: Organisation | None
    organisation_source: Source | None
    placed: list[PlacedSite]


@dataclass
class LoadedInventory:
    """A complete, cross-checked inventory and where it was read from."""

    inventory: Inventory
    # the folder references are relative to (secret files, known_hosts): the inventory
    # folder, or the working directory for an inventory read from Nautobot alone
    root: Path
    placed: list[PlacedSite]
    warnings: list[Problem] = field(default_factory=list)
    _allocations: dict[str, Allocation] | None = field(default=None, repr=False)
    # the Nautobot the sites were read from (None: sites/*.yaml)
    nautobot: NautobotSpec | None = None
    organisation_source: Source | None = field(default=None, repr=False)

    @property
    def source(self) -> str:
        """Where the sites came from: the folder, or ``nautobot+https://HOST``."""
        return str(self.nautobot) if self.nautobot is not None else str(self.root)

    @property
    def organisation(self) -> Organisation:
        return self.inventory.organisation

    @property
    def sites(self) -> list[Site]:
        return self.inventory.sites

    @property
    def allocations(self) -> dict[str, Allocation]:
        if self._allocations is None:
            org = self.organisation
            self._allocations = allocate(org.central_providers, self.sites, org.bandwidth)
        return self._allocations

    def site(self, site_id: str) -> Site:
        for placed in self.placed:
            if placed.site.id == site_id:
                return placed.site
        raise KeyError(site_id)


class _Collector:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def display(self, path: Path) -> str:
        try:
            return (
                str(path.relative_to(self.root.parent)) if self.root.parent != Path() else str(path)
            )
        except ValueError:
            return str(path)

    def add(
        self, source: Source, loc: Loc, message: str, severity: Severity = Severity.ERROR
    ) -> None:
        self.problems.append(Problem(severity, *source.where(loc), message))

    def add_plain(self, name: str, message: str, line: int | None = None, field_: str = "") -> None:
        self.problems.append(Problem(Severity.ERROR, name, line, field_, message))

    def add_validation(
        self, source: Source, prefix: Loc, exc: ValidationError, model: type[BaseModel]
    ) -> None:
        for item in explain(exc.errors(include_url=False), model):
            self.problems.append(
                Problem(
                    Severity.ERROR,
                    *source.where((*prefix, *item.loc)),
                    item.message,
                    item.suggestion,
                )
            )

    def add_finding(self, finding: Finding) -> None:
        where = finding.source.where(finding.loc)
        self.problems.append(Problem(finding.severity, *where, finding.message, finding.suggestion))


# Inventory files are text a person or CI wrote: far below this. A file above it (or a
# device, a FIFO, a link to /dev/zero) is refused before it is read.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_NESTING = 64


def _read_bounded(path: Path) -> str:
    """The text of a regular inventory file; OSError naming why anything else is refused."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError("not a regular file (a device, FIFO or socket): refused")
    too_large = OSError(f"larger than {MAX_FILE_BYTES // 2**20} MiB: refused")
    if info.st_size > MAX_FILE_BYTES:
        raise too_large
    with path.open("rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise too_large  # it grew while it was read
    return raw.decode("utf-8")


def _read(collector: _Collector, path: Path) -> tuple[SourceFile, object] | None:
    name = collector.display(path)
    try:
        text = _read_bounded(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.args[0] if isinstance(exc, OSError) and len(exc.args) == 1 else exc
        collector.add_plain(name, f"cannot read file: {reason}")
        return None
    depth, deepest_line = nesting_depth(text)
    if depth > MAX_NESTING:
        message = f"nested more than {MAX_NESTING} levels deep: refused"
        collector.add_plain(name, message, deepest_line)
        return None
    source = SourceFile(name, text)
    try:
        return source, load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        collector.add_plain(name, f"malformed YAML: {exc.problem or exc}", line)
    except yaml.YAMLError as exc:
        collector.add_plain(name, f"malformed YAML: {exc}")
    return None


# characters the scan below passes over in every state (dropped first: 10,000 sites)
_INERT = re.compile(r"[^\"'#\[\]{}]+")


def nesting_depth(text: str) -> tuple[int, int]:
    """An upper bound of a YAML text's nesting and the line where it peaks, found without
    parsing (a parser recursing 100,000 levels deep crashes the process).

    Counts block indentation, ``- `` sequence markers that open a level on one line, and
    flow brackets outside quotes.

    Examples:
        >>> nesting_depth(chr(10).join(["a:", "  b:", "    - - [1, [2]]"]))
        (6, 3)
    """
    deepest, where, flow = 0, 1, 0
    for number, line in enumerate(text.splitlines(), start=1):
        body = line.lstrip(" ")
        level = (len(line) - len(body)) // 2
        while body.startswith("- "):
            level += 1
            body = body[2:].lstrip(" ")
        quote = ""
        peak = flow
        scan = _INERT.sub("", body) if flow or "[" in body or "{" in body else ""
        for char in scan:
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                flow += 1
                peak = max(peak, flow)
            elif char in "]}":
                flow = max(0, flow - 1)
        if level + peak > deepest:
            deepest, where = level + peak, number
    return deepest, where


def _validate(
    collector: _Collector, model: type[M], data: object, source: Source, prefix: Loc
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        collector.add_validation(source, prefix, exc, model)
        return None


def inventory_digest(root: Path | str) -> str:
    """The sha256 of what :func:`load_inventory` reads (file names and contents, and what
    Nautobot answered): two hosts whose digests agree load the same desired state (a region
    worker and its coordinator)."""
    digest = hashlib.sha256()
    if is_nautobot(str(root)):
        digest.update(_snapshot_digest(NautobotSpec.parse(str(root)), Path.cwd(), True))
        return digest.hexdigest()
    root = Path(root)
    files = [root / ORGANISATION_FILE, *_site_files(root / SITES_DIR)]
    for path in files:
        try:
            content = path.read_bytes()
        except OSError:
            content = b"\0missing"
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    wanted = _source_of_truth(root / ORGANISATION_FILE)
    if wanted is not None:
        nautobot = NautobotSpec.parse(wanted.nautobot, wanted.token)
        digest.update(_snapshot_digest(nautobot, root, False))
    return digest.hexdigest()


def _source_of_truth(path: Path) -> SourceOfTruth | None:
    """The ``source_of_truth`` an organisation file names, if it is readable and names one."""
    try:
        data = load_yaml(_read_bounded(path))
        wanted = data.get("source_of_truth") if isinstance(data, dict) else None
        return SourceOfTruth.model_validate(wanted) if wanted is not None else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError):
        return None


def _snapshot_digest(nautobot: NautobotSpec, base: Path, organisation: bool) -> bytes:
    snapshot = fetch(NautobotClient(nautobot, EnvironmentSecrets(base)), organisation=organisation)
    return json.dumps(dataclasses.asdict(snapshot), sort_keys=True, default=str).encode()


def load_inventory(root: Path | str, *, today: dt.date | None = None) -> LoadedInventory:
    """Load and cross-check the inventory in folder ``root`` or at ``nautobot+https://HOST``;
    raise :class:`InventoryError` with every problem (:class:`~netprov.errors.SourceError`
    when Nautobot cannot be read)."""
    with collector_paused():
        if is_nautobot(str(root)):
            return _load_nautobot(str(root), today or dt.date.today())
        return _load(Path(root), today or dt.date.today())


def _load(root: Path, today: dt.date) -> LoadedInventory:
    collector = _Collector(root)
    if not root.is_dir():
        raise InventoryError(
            [Problem(Severity.ERROR, str(root), None, "", "inventory folder not found")]
        )

    organisation: Organisation | None = None
    org_source: SourceFile | None = None
    org_path = root / ORGANISATION_FILE
    if not org_path.is_file():
        collector.add_plain(
            collector.display(org_path), "file not found: the organisation settings"
        )
    elif (read := _read(collector, org_path)) is not None:
        org_source, data = read
        organisation = _validate(collector, Organisation, data, org_source, ())

    nautobot = None
    if organisation is not None and organisation.source_of_truth is not None:
        wanted = organisation.source_of_truth
        nautobot = NautobotSpec.parse(wanted.nautobot, wanted.token)
        ignored = _site_files(root / SITES_DIR)
        for path in ignored:
            collector.add_plain(
                collector.display(path),
                f"the sites are read from {nautobot} (organisation.yaml: source_of_truth): "
                "this file would be ignored; remove it, or the source_of_truth",
            )
        placed = []
        if not ignored:  # an ambiguous folder is refused before Nautobot is asked
            client = NautobotClient(nautobot, EnvironmentSecrets(root))
            placed = _nautobot_sites(collector, fetch(client, organisation=False), organisation)
    else:
        placed = _load_sites(collector, root / SITES_DIR)
    return _checked(collector, organisation, org_source, placed, today, root, nautobot)


def _load_nautobot(spec: str, today: dt.date) -> LoadedInventory:
    """Everything from Nautobot: the organisation's config context and the sites."""
    try:
        nautobot = NautobotSpec.parse(spec)
    except ValueError as exc:
        raise InventoryError([Problem(Severity.ERROR, spec, None, "", str(exc))]) from None
    base = Path.cwd()
    collector = _Collector(base)
    snapshot = fetch(NautobotClient(nautobot, EnvironmentSecrets(base)), organisation=True)
    documents = organisation_document(snapshot)
    collector.problems += documents.problems
    organisation = None
    if documents.data is not None:
        organisation = _validate(collector, Organisation, documents.data, documents.source, ())
    if organisation is not None and organisation.source_of_truth is not None:
        collector.add(
            documents.source,
            ("source_of_truth",),
            "names where the sites are read from: it belongs in an organisation.yaml",
        )
    placed = _nautobot_sites(collector, snapshot, organisation)
    return _checked(collector, organisation, documents.source, placed, today, base, nautobot)


def _nautobot_sites(
    collector: _Collector, snapshot: Snapshot, organisation: Organisation | None
) -> list[PlacedSite]:
    """The sites of a Nautobot snapshot, validated as YAML sites are."""
    names: dict[str, str] = {}
    if organisation is not None:
        for central in organisation.central_providers:
            names[central.name] = names[central.id] = central.id
        for provider in organisation.providers:
            names[provider.name] = names[provider.id] = provider.id
    documents = site_documents(snapshot, names)
    collector.problems += documents.problems
    placed: list[PlacedSite] = []
    for index, raw in enumerate(documents.data["sites"]):
        _place(collector, placed, raw, documents.source, index)
    return placed


def _checked(
    collector: _Collector,
    organisation: Organisation | None,
    org_source: Source | None,
    placed: list[PlacedSite],
    today: dt.date,
    root: Path,
    nautobot: NautobotSpec | None,
) -> LoadedInventory:
    """Cross-check what loaded; every problem at once, or the inventory."""
    checked = cross_check(organisation, org_source, placed, today)
    for finding in checked.findings:
        collector.add_finding(finding)

    collector.problems.sort(key=lambda p: (p.file, p.line or 0))
    errors = [p for p in collector.problems if p.severity is Severity.ERROR]
    if errors or organisation is None:
        parts = InventoryParts(root, organisation, org_source, placed)
        raise InventoryError(collector.problems, parts)
    sites = [p.site for p in placed]  # all complete: a partial site is an error
    inventory = Inventory.model_construct(organisation=organisation, sites=sites)
    return LoadedInventory(
        inventory,
        root,
        placed,
        warnings=collector.problems,
        _allocations=checked.allocations,
        nautobot=nautobot,
        organisation_source=org_source,
    )


def _site_files(sites_dir: Path) -> list[Path]:
    return sorted(sites_dir.glob("*.yaml")) + sorted(sites_dir.glob("*.yml"))


def _load_sites(collector: _Collector, sites_dir: Path) -> list[PlacedSite]:
    placed: list[PlacedSite] = []
    site_files = _site_files(sites_dir)
    if not site_files:
        collector.add_plain(collector.display(sites_dir), "no site files (sites/*.yaml)")
    for path in site_files:
        read = _read(collector, path)
        if read is None:
            continue
        source, data = read
        if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
            _no_sites_list(collector, source, data)
            continue
        for key in sorted(str(k) for k in data if k != "sites"):
            collector.add(source, (key,), "unknown top-level key (only 'sites' is allowed)")
        for index, raw in enumerate(data["sites"]):
            _place(collector, placed, raw, source, index)
    return placed


def _place(
    collector: _Collector, placed: list[PlacedSite], raw: object, source: Source, index: int
) -> None:
    """Validate one site; one that fails its schema still takes part in the cross-checks
    with its valid parts (when its id is one of them), so one round shows every problem."""
    site = _validate(collector, Site, raw, source, ("sites", index))
    if site is not None:
        placed.append(PlacedSite(site, source, index))
    elif (partial := salvage(Site, raw)) is not None and hasattr(partial, "id"):
        placed.append(PlacedSite(partial, source, index, complete=False))


def _no_sites_list(collector: _Collector, source: SourceFile, data: object) -> None:
    """A site file without its ``sites:`` list: where a key is probably it, named there."""
    keys = [str(k) for k in data] if isinstance(data, dict) else []
    near = next((k for k in keys if closest(k, ["sites"])), None)
    if near is None or "sites" in keys:
        collector.add_plain(source.name, "expected a mapping with a 'sites:' list", 1, "sites")
        return
    message = f"expected a 'sites:' list, found {near!r}: {did_you_mean('sites')}"
    collector.problems.append(Problem(Severity.ERROR, *source.where((near,)), message, "sites"))
