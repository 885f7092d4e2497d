"""Render a host's intended config for a phase (and optionally write it to a folder)."""

from __future__ import annotations

from pathlib import Path

from nornir.core.task import Result, Task

from netprov.models import Phase
from netprov.render import Renderer
from netprov.secrets import SecretResolver, masked


def render_config(
    task: Task,
    *,
    phase: Phase,
    renderer: Renderer,
    out_dir: Path | None = None,
    secret: SecretResolver = masked,
) -> Result:
    """Render ``phase`` for the host's site.

    With ``out_dir`` the config is written to ``out_dir/<phase>/<site>.cfg`` and the result
    holds its path (so a 10,000-site run does not keep every text in memory); otherwise the
    result holds the text.
    """
    site = task.host.data["site"]
    allocation = task.host["allocations"].get(site.id)
    rendered = renderer.render(site, task.host["organisation"], phase, allocation, secret)
    if out_dir is None:
        return Result(host=task.host, result=rendered.text)
    path = out_dir / phase.value / f"{site.id}.cfg"
    path.write_text(rendered.text, encoding="utf-8")
    return Result(host=task.host, result=str(path))
