"""An IOS config's sections as ``show running-config`` prints them: a top-level line and
its indented children. Pure."""

from __future__ import annotations


def section(config: str, header: str) -> list[str]:
    """The lines of one top-level section (``header`` and its indented children)."""
    lines = config.splitlines()
    for index, line in enumerate(lines):
        if line.rstrip() == header:
            children = []
            for child in lines[index + 1 :]:
                if not child.startswith(" "):
                    break
                children.append(child)
            return [line, *children]
    return []


def sections(config: str) -> list[tuple[str, str]]:
    """(top-level line, the section's text) of each top-level line with its children."""
    found: list[tuple[str, list[str]]] = []
    for line in config.splitlines():
        if line.startswith(" ") and found:
            found[-1][1].append(line)
        elif line.strip():
            found.append((line, [line]))
    return [(header, "\n".join(lines)) for header, lines in found]
