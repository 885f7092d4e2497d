"""ntc-templates (TextFSM) parses, with each template compiled once per process.

ntc-templates is the community's catalogue of parsers for real device output; where it has
a template for a command netprov reads, netprov uses it rather than a regex of its own.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

import textfsm

from netprov.errors import DeviceError


@lru_cache(maxsize=64)
def _template(name: str) -> str:
    path = resources.files("ntc_templates").joinpath("templates", f"{name}.textfsm")
    return path.read_text(encoding="utf-8")


def parse(template: str, text: str) -> list[dict[str, str | list[str]]]:
    """Records of ``text`` parsed by ntc-templates' ``template`` (keys in lower case).

    Raises :class:`DeviceError` when the output does not fit the template (a router that
    printed something unexpected must not pass for one that printed nothing).
    """
    fsm = textfsm.TextFSM(io.StringIO(_template(template)))
    try:
        rows = fsm.ParseText(text)
    except textfsm.TextFSMError as exc:
        raise DeviceError(f"unexpected output for {template}: {exc}") from exc
    header = [name.lower() for name in fsm.header]
    return [dict(zip(header, row, strict=True)) for row in rows]
