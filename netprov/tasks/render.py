"""Render a host's intended config for one or more phases (optionally into a folder)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nornir.core.task import Result, Task

from netprov.models import Phase
from netprov.render.config import Renderer
from netprov.secrets import SecretResolver, masked


def render_config(
    task: Task,
    *,
    phases: Sequence[Phase],
    renderer: Renderer,
    out_dir: Path | None = None,
    secret: SecretResolver = masked,
) -> Result:
    """Render each of ``phases`` for the host's site; result maps phase to text or path.

    With ``out_dir`` each config is written to ``out_dir/<phase>/<site>.cfg`` and the result
    holds paths, so a 10,000-site run does not keep every text in memory. One task renders
    all phases: Nornir's per-task cost then counts once per host, not once per config.
    """
    site = task.host.data["site"]
    organisation = task.host["organisation"]
    allocation = task.host["allocations"].get(site.id)
    rendered: dict[Phase, str] = {}
    for phase in phases:
        text = renderer.render(site, organisation, phase, allocation, secret).text
        if out_dir is None:
            rendered[phase] = text
        else:
            path = out_dir / phase.value / f"{site.id}.cfg"
            path.write_text(text, encoding="utf-8")
            rendered[phase] = str(path)
    return Result(host=task.host, result=rendered)
