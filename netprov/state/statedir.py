"""netprov's state folder, ``.netprov/`` in the working folder: the default journal
(``state.db``), the key sealing the backups in it (``backup.key``) and the twin's host key.

It ignores itself in the team's git repository, as ``.pytest_cache`` does (a
``.gitignore`` holding ``*``), so ``git add -A`` never commits the journal or the key.
"""

from __future__ import annotations

from pathlib import Path

NAME = ".netprov"
IGNORE = "# Made by netprov: its state (journal, backup key) stays out of git.\n*\n"


def prepare(folder: Path) -> None:
    """Make ``folder`` (owner only) and, when it is or sits inside a ``.netprov`` folder,
    that folder's ``.gitignore`` (also for a folder an earlier netprov made without one)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for candidate in (folder, *folder.parents):
        if candidate.name == NAME:
            ignore = candidate / ".gitignore"
            if not ignore.exists():
                ignore.write_text(IGNORE, encoding="utf-8")
            return
