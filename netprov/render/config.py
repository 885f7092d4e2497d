"""Render one site's complete intended config for a phase from the platform's templates.

``templates/<platform>/main.j2`` only includes one fragment per concern. Jinja runs with
StrictUndefined: a missing value is an error naming the template and line, never an
empty string in a router config.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from netprov.allocation import Allocation
from netprov.errors import NetprovError, RenderError
from netprov.models import Organisation, Phase, Platform, Site
from netprov.phases import Role, central_view
from netprov.platforms import driver_for
from netprov.platforms.base import PolicyMigration
from netprov.platforms.uplinks import uplink_views
from netprov.render.inlining import InliningLoader
from netprov.secrets import SecretResolver, masked
from netprov.syntax.filters import FILTERS

ENTRY_TEMPLATE = "main.j2"


def default_templates_dir() -> Path:
    """``./templates`` when run from a checkout, else the folder beside the package."""
    local = Path("templates")
    if local.is_dir():
        return local
    return Path(__file__).resolve().parents[2] / "templates"


def entry_template(platform: Platform) -> str:
    """The platform's entry template, relative to the templates folder."""
    return f"{platform.value}/{ENTRY_TEMPLATE}"


def template_context(
    site: Site,
    org: Organisation,
    phase: Phase,
    allocation: Allocation | None,
    secret: SecretResolver = masked,
    version: object = None,
    office: PolicyMigration | None = None,
) -> dict[str, object]:
    """Everything a template sees: the site, the organisation, the phase's uplinks, the
    software ``version`` the router runs (each platform's reading of it) and, where the
    router's config is known, what the phase does with its own policy routing
    (``office``: netprov.platforms.base.PolicyMigration; None: not known)."""
    views = uplink_views(site, org, phase)
    return {
        "site": site,
        "org": org,
        "phase": phase.value,
        "alloc": allocation,
        "uplinks": views,
        "central": central_view(views),
        "roles": {view.role.value: view for view in views},
        "Role": Role,
        "secret": secret,
        "version": version,
        "office": office,
    }


@dataclass(frozen=True, slots=True)
class RenderedConfig:
    site_id: str
    platform: Platform
    phase: Phase
    text: str


class Renderer:
    """Holds one Jinja environment: each platform's ``main.j2`` is compiled once, its
    fragments spliced in (:mod:`netprov.render.inlining`), and reused for every site."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        self.templates_dir = templates_dir or default_templates_dir()
        self.loader = InliningLoader(str(self.templates_dir))
        self.env = jinja2.Environment(
            loader=self.loader,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,  # noqa: S701 - router configs, not HTML
            auto_reload=False,
        )
        self.env.filters.update(FILTERS)

    def compile(self, platforms: Iterable[Platform]) -> None:
        """Each platform's entry template compiled now: before a fork, once rather than in
        every worker. A template that does not compile is left to :meth:`render` to report,
        with the site it was rendering."""
        for platform in platforms:
            with contextlib.suppress(jinja2.TemplateError):
                self.env.get_template(entry_template(platform))

    def render(
        self,
        site: Site,
        org: Organisation,
        phase: Phase,
        allocation: Allocation | None,
        secret: SecretResolver = masked,
        *,
        os_version: str | None = None,
        running: str | None = None,
    ) -> RenderedConfig:
        """The site's config for ``phase``, in the forms the router's software takes: the
        inventory's ``router.os_version``, else ``os_version``, else the version the
        router's config ``running`` (its backup or running config) names, else the
        platform's default (RouterOS 7); with ``running``, for the router as it stands
        (its own policy routing: the city's bypass of its marks)."""
        template_name = entry_template(site.router.platform)
        driver = driver_for(site.router.platform)
        found = os_version or (driver.config_version(running) if running else None)
        version = driver.template_version(site.router.os_version or found, running)
        office = (
            driver.policy_migration(running, site, phase, org.central_services)
            if running is not None
            else None
        )
        context = template_context(site, org, phase, allocation, secret, version, office)
        try:
            text = self.env.get_template(template_name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            filename, lineno = self.loader.origin(
                str(exc.filename or exc.name or template_name), exc.lineno
            )
            raise RenderError(
                site.id, _relative(filename, self.templates_dir), lineno, exc.message or str(exc)
            ) from exc
        except jinja2.TemplateNotFound as exc:
            raise RenderError(
                site.id, str(exc.name or template_name), None, "template not found"
            ) from exc
        except NetprovError as exc:
            template, line = self._template_frame(exc)
            raise RenderError(site.id, template or template_name, line, str(exc)) from exc
        except Exception as exc:
            template, line = self._template_frame(exc)
            raise RenderError(
                site.id, template or template_name, line, f"{type(exc).__name__}: {exc}"
            ) from exc
        return RenderedConfig(site.id, site.router.platform, phase, text)

    def _template_frame(self, exc: BaseException) -> tuple[str | None, int | None]:
        """The innermost traceback frame that is a template (Jinja maps frames to .j2 lines)."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".j2"):
                filename, line = self.loader.origin(frame.filename, frame.lineno or 0)
                return _relative(filename, self.templates_dir), line
        return None, None


def version_conflicts(
    renderer: Renderer,
    site: Site,
    org: Organisation,
    phase: Phase,
    allocation: Allocation | None,
    running: str | None,
) -> list[str]:
    """Why the inventory's ``router.os_version`` cannot be believed: the router's config
    ``running`` names another version, for which the site renders otherwise (lines one of
    them refuses); nothing when they agree, or either is not known."""
    said = site.router.os_version
    found = driver_for(site.router.platform).config_version(running) if running else None
    if not said or not found or said == found:
        return []
    theirs = site.model_copy(
        update={"router": site.router.model_copy(update={"os_version": found})}
    )
    ours = renderer.render(site, org, phase, allocation, running=running).text
    if renderer.render(theirs, org, phase, allocation, running=running).text == ours:
        return []
    return [
        f"the router runs version {found}, the inventory says router.os_version {said}: "
        "what netprov writes for one, the other refuses; correct router.os_version (or "
        "leave it out: netprov then reads the version from the router)"
    ]


def _relative(filename: str, base: Path) -> str:
    path = Path(filename)
    try:
        return str(Path("templates") / path.resolve().relative_to(base.resolve()))
    except ValueError:
        return filename
