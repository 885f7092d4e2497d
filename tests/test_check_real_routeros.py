"""``netprov check`` on a backup from every real RouterOS config of the corpus
(tests/fixtures/real-configs) gives a result, never a traceback: the CI gate stopped on the
first office router whose export it could not model (issue 37 item 8: a route without
``dst-address``, a DHCP client or list member without an interface)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from tests.conftest import TODAY
from tests.test_real_configs import ROUTEROS

SITE = "kec-sukamaju"  # a RouterOS office of the sample city (PPPoE line, DHCP backup line)


@pytest.mark.parametrize("path", ROUTEROS, ids=lambda p: p.name)
def test_check_plans_a_site_whose_backup_is_a_real_config(
    path: Path, inventory_copy: Path, tmp_path: Path, cli: CliRunner
) -> None:
    for sites in (inventory_copy / "sites").glob("*.yaml"):  # the site's own file is enough
        if SITE not in sites.read_text(encoding="utf-8"):
            sites.unlink()
    backups = tmp_path / "backups"
    backups.mkdir()
    shutil.copyfile(path, backups / f"{SITE}.cfg")
    args = ["check", "--inventory", str(inventory_copy), "--backups", str(backups)]
    result = cli.invoke(app, [*args, "--json", "--today", TODAY.isoformat()])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2)
    report = json.loads(result.stdout)
    (site,) = [entry for entry in report["sites"] if entry["site"] == SITE]
    # a result: what the plan would send, or the findings that stop it (refusals, clashes)
    assert site["planned_commands"] or site["findings"]
