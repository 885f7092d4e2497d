"""One site's fixed facts for a command's work on it, resolved once: its platform driver,
its uplinks in every phase (as its platform names them) and its intended config.

Built once per site where a command starts the site's work (:meth:`Pipeline.context`,
``netprov check``'s per-site check) and handed to verify, the management lockout guard
and lint, which then look nothing up again. What changes while the site is worked on (its
router's running config, the phase it is in) is never in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from netprov.allocation import Allocation
from netprov.models import Organisation, Phase, Site
from netprov.phases import Role, UplinkView
from netprov.platforms import Driver, driver_for
from netprov.platforms.uplinks import uplink_views, uplinks_in
from netprov.render.config import Renderer


@dataclass(frozen=True)
class SiteContext:
    site: Site
    org: Organisation
    allocation: Allocation | None
    driver: Driver
    views: MappingProxyType[Phase, tuple[UplinkView, ...]]  # each phase's, primary first
    renderer: Renderer = field(repr=False, compare=False)
    # the intended config of a phase for the running config last asked about (its
    # software version decides the forms): one render per phase for each config read
    _intended: dict[tuple[Phase, str | None], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def build(
        cls,
        site: Site,
        org: Organisation,
        allocation: Allocation | None = None,
        renderer: Renderer | None = None,
    ) -> SiteContext:
        """The context of ``site``: its driver looked up, its uplinks named, once."""
        driver = driver_for(site.router.platform)
        views = {phase: tuple(uplink_views(site, org, phase, driver=driver)) for phase in Phase}
        return cls(site, org, allocation, driver, MappingProxyType(views), renderer or Renderer())

    def uplinks(self, phase: Phase) -> list[UplinkView]:
        """The uplinks present in ``phase``, primary first."""
        return list(self.views[phase])

    def primary(self, phase: Phase) -> UplinkView:
        """The line that carries ``phase``'s default route."""
        return self.views[phase][0]

    def uplinks_in(self, text: str) -> set[Role]:
        """Which of the site's uplinks the config ``text`` has."""
        return uplinks_in(text, self.driver, self.views[Phase.CENTRAL])

    def intended(self, phase: Phase, running: str | None = None) -> str:
        """The site's intended config for ``phase`` with secrets as references, for the
        software version the inventory names, else the one ``running`` names."""
        key = (phase, running)
        if key not in self._intended:
            if any(seen != running for _, seen in self._intended):
                self._intended.clear()  # another config read: keep one router's worth
            rendered = self.renderer.render(
                self.site, self.org, phase, self.allocation, running=running
            )
            self._intended[key] = rendered.text
        return self._intended[key]
