"""Hostile inventories are refused with a located problem, never a crash, a hang or a
memory blow-up (issue 13, item 7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from netprov.errors import InventoryError
from netprov.inventory.loader import load_inventory
from tests.conftest import TODAY, Edit


def problems(root: Path) -> list[str]:
    with pytest.raises(InventoryError) as caught:
        load_inventory(root, today=TODAY)
    return [f"{p.file}:{p.line}: {p.message}" for p in caught.value.problems]


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deep_nesting_is_refused_in_a_fresh_process(inventory_copy: Path, depth: int) -> None:
    """100,000 levels crashed the YAML parser (SIGSEGV): run it where a crash would show."""
    (inventory_copy / "sites" / "deep.yaml").write_text("sites: " + "[" * depth + "]" * depth)
    code = (
        "from pathlib import Path; from netprov.inventory.loader import load_inventory;"
        "from netprov.errors import InventoryError\n"
        "try:\n"
        f"    load_inventory(Path({str(inventory_copy)!r}))\n"
        "except InventoryError as exc:\n"
        "    print([p.message for p in exc.problems])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert "nested more than 64 levels deep: refused" in done.stdout


def test_block_nesting_counts_too(inventory_copy: Path) -> None:
    (inventory_copy / "sites" / "deep.yaml").write_text("sites:\n" + "- " * 200 + "x\n")
    assert any("deep.yaml:2: nested more than 64" in p for p in problems(inventory_copy))


def test_a_fifo_is_refused_without_hanging(inventory_copy: Path) -> None:
    os.mkfifo(inventory_copy / "sites" / "pipe.yaml")
    assert any("pipe.yaml" in p and "not a regular file" in p for p in problems(inventory_copy))


def test_a_link_to_a_device_is_refused(inventory_copy: Path) -> None:
    (inventory_copy / "sites" / "zero.yaml").symlink_to("/dev/zero")
    assert any("zero.yaml" in p and "not a regular file" in p for p in problems(inventory_copy))


def test_an_oversized_file_is_refused_unread(inventory_copy: Path) -> None:
    big = inventory_copy / "sites" / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(33 * 1024 * 1024)  # sparse: costs no disk
    assert any("big.yaml" in p and "larger than 32 MiB" in p for p in problems(inventory_copy))


def test_a_lan_equal_to_the_management_network_is_an_error(
    inventory_copy: Path, edit: Edit
) -> None:
    edit("sites/desa.yaml", "address: 10.31.44.1/24", "address: 10.250.10.1/24")
    found = problems(inventory_copy)
    assert any(
        "sites/desa.yaml:14:" in p and "overlaps the management network 10.250.10.0/24" in p
        for p in found
    ), found
