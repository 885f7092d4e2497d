"""Git at the edge: the few commands netprov runs on the repository that holds the
inventory and the stored backups (``check --changed-since``, ``backup --commit``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from netprov.errors import NetprovError


class GitError(NetprovError):
    """A git command failed (not a repository, no such revision, no committer identity)."""


def git(args: list[str], cwd: Path) -> bytes:
    """``git ARGS`` in ``cwd``: its stdout, or GitError with git's own message."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)  # noqa: S607
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {done.stderr.decode().strip()}")
    return done.stdout


def commit_backups(backups: Path, message: str) -> tuple[str, list[str]] | None:
    """Commit what changed under ``backups`` (new, changed and removed files; nothing else,
    whatever else is staged), as Oxidized keeps each router's config in git.

    Returns the commit id and the files it changed, or None when nothing had changed.
    """
    folder = backups.resolve()
    git(["add", "--all", "--", "."], folder)
    changed = git(["diff", "--cached", "--name-only", "--", "."], folder)
    files = changed.decode().split()
    if not files:
        return None
    git(["commit", "--quiet", "--message", message, "--", "."], folder)
    return git(["rev-parse", "HEAD"], folder).decode().strip(), files
