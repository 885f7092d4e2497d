"""``netprov check`` on a backup from every real config of the corpus
(tests/fixtures/real-configs, RouterOS and IOS) gives a result, never a traceback: the CI
gate stopped on the first office router whose export it could not model (issue 37 item 8:
a route without ``dst-address``, a DHCP client or list member without an interface)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from tests.conftest import TODAY
from tests.corpus_offices import IOS_SITE, ROS_SITE
from tests.test_real_configs import IOS, ROUTEROS


@pytest.mark.parametrize("path", ROUTEROS + IOS, ids=lambda p: p.name)
def test_check_plans_a_site_whose_backup_is_a_real_config(
    path: Path, inventory_copy: Path, tmp_path: Path, cli: CliRunner
) -> None:
    # an office of the sample city on the config's platform
    site_id = IOS_SITE if path.suffix == ".cfg" else ROS_SITE
    for sites in (inventory_copy / "sites").glob("*.yaml"):  # the site's own file is enough
        if site_id not in sites.read_text(encoding="utf-8"):
            sites.unlink()
    backups = tmp_path / "backups"
    backups.mkdir()
    shutil.copyfile(path, backups / f"{site_id}.cfg")
    args = ["check", "--inventory", str(inventory_copy), "--backups", str(backups)]
    result = cli.invoke(app, [*args, "--json", "--today", TODAY.isoformat()])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2)
    report = json.loads(result.stdout)
    (site,) = [entry for entry in report["sites"] if entry["site"] == site_id]
    # a result: what the plan would send, or the findings that stop it (refusals, clashes)
    assert site["planned_commands"] or site["findings"]
