"""A run's secret values and the references shown in their place (``SECRET-<name>``).

Plans (shown, saved, journaled) carry each site's references; only a push resolves them.
Every value the run resolved is masked from what it journals or shows, with whatever the
platform's secret patterns find (:mod:`netprov.secrets` has the pieces).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netprov.models import Organisation, Site
from netprov.platforms import Driver
from netprov.secrets import SecretResolver, masked, redact, site_secret_refs


@dataclass
class SecretLabels:
    resolve: SecretResolver  # a reference's value (the environment, a file, the twin's)
    org: Organisation
    seen: set[str] = field(default_factory=set)  # every value this run resolved
    # per site: secret value -> reference, resolved once per run (files are read once)
    _labels: dict[str, dict[str, str]] = field(default_factory=dict, init=False, repr=False)

    def references(self, site: Site) -> dict[str, str]:
        """Each of the site's secret values -> its reference (``SECRET-<name>``)."""
        if site.id not in self._labels:
            labels = {}
            for ref in site_secret_refs(site, self.org):
                value = self.resolve(ref)
                self.seen.add(value)
                labels[value] = masked(ref)
            self._labels[site.id] = labels
        return self._labels[site.id]

    def values(self, site: Site) -> dict[str, str]:
        """Each of the site's references -> its value: what a push sends."""
        return {reference: value for value, reference in self.references(site).items()}

    def masked(self, driver: Driver, text: str) -> str:
        """``text`` about to be journaled or shown: the values this run resolved and
        anything ``driver``'s secret patterns find are masked."""
        return driver.mask_secrets(redact(text, self.seen))
