"""The audit pack for one office: readable without netprov (plain text, diff, JSON, HTML)."""

from __future__ import annotations

import difflib
import html
import json
from collections.abc import Callable
from pathlib import Path

from netprov.state.journal import Journal
from netprov.state.journal_rows import Step


def write_evidence(journal: Journal, site: str, out_dir: Path, mask: Callable[[str], str]) -> Path:
    """Before/after configs, their diff, check results, and every journal step with the
    run's change id, user and time. ``mask`` hides secrets by what the stored text says
    (the platform's secret patterns), never by what this machine's environment holds.
    Returns the pack's folder."""
    run_id = journal.last_change_run(site, restores=True)
    if run_id is None:
        raise LookupError(f"no change of site {site!r} in the journal")
    run, steps = journal.run(run_id)
    assert run is not None
    # a restore journaled before restores took a backup first: the last one before it
    before = journal.backup(site, run_id=run_id) or journal.backup(site, before_run=run_id)
    after = journal.backup(site)
    if before is None or after is None:
        raise LookupError(f"no backups of site {site!r} in the journal")
    pack = out_dir / site
    pack.mkdir(parents=True, exist_ok=True)
    before_text = mask(before.content)
    after_text = mask(after.content)
    (pack / "before.cfg").write_text(before_text, encoding="utf-8")
    (pack / "after.cfg").write_text(after_text, encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            before_text.splitlines(keepends=True),
            after_text.splitlines(keepends=True),
            f"before ({before.taken_at:%Y-%m-%d %H:%M})",
            f"after ({after.taken_at:%Y-%m-%d %H:%M})",
        )
    )
    (pack / "changes.diff").write_text(diff, encoding="utf-8")
    site_steps = [s for s in steps if s.site == site]
    checks = [s.data for s in site_steps if s.step is Step.VERIFIED and s.data is not None]
    (pack / "checks.json").write_text(json.dumps(checks, indent=2), encoding="utf-8")
    header = (
        f"site {site}\nrun {run.id} ({run.command} {run.phase or ''})\nchange id {run.change_id or '-'}\n"
        f"by {run.user}\nstarted {run.started_at:%Y-%m-%d %H:%M:%S}\ninventory commit {run.git_commit or '-'}\n"
        f"{_router_phase(journal, site)}\n"
    )
    lines = [
        f"{s.at:%Y-%m-%d %H:%M:%S} {s.step:<12} {'ok' if s.ok else 'FAILED'} {s.detail[:200]}"
        for s in site_steps
    ]
    (pack / "journal.txt").write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    esc = html.escape
    (pack / "index.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>Evidence {esc(site)}</title></head><body>"
        f"<h1>Evidence: {esc(site)}</h1><pre>{esc(header)}</pre><h2>Journal</h2><pre>{esc(chr(10).join(lines))}</pre>"
        f"<h2>Checks</h2><pre>{esc(json.dumps(checks, indent=2))}</pre><h2>Changes</h2><pre>{esc(diff)}</pre>"
        "</body></html>\n",
        encoding="utf-8",
    )
    return pack


def _router_phase(journal: Journal, site: str) -> str:
    """The phase the journal last recorded the router in, and what recorded it."""
    record = journal.phase_record(site)
    if record is None:
        return "router phase legacy (no change recorded)"
    phase = record.phase.value if record.phase is not None else "none (matches no phase)"
    return (
        f"router phase {phase} (journal: {record.step.value} in run {record.run_id}, "
        f"{record.at:%Y-%m-%d %H:%M:%S})"
    )
