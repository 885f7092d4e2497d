"""What the README and the code point at exists in a clone (issue 12, item 9)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_readme_points_only_at_files_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme
    paths = set(
        re.findall(r"`((?:docs|interop|scenarios|tests|bench|templates)/[\w./-]+)`", readme)
    )
    assert paths, "the README names files"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []


def test_no_module_cites_a_file_outside_the_repository() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("netprov", "tests", "bench", "interop")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"\bshared/", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
