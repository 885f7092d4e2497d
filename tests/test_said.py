"""Issue 41 (4): netprov's words keyed by id, English and Indonesian side by side in one
catalogue (netprov/texts.toml), the report rendering by id instead of parsing stored English
prose back. Every id the code names has both texts with the same parameters; the ids the
code can emit are read from the code; the Indonesian report of a failed and then
rolled-back change on the twin says every check and reason in Indonesian, by id."""

from __future__ import annotations

import ast
import html
import re
import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.checks.results import Check
from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.phases import Role
from netprov.reports.managers import render_html, report_data
from netprov.said import KINDS, CheckId, PhraseId, ReasonId, Said, catalogue, role, value
from netprov.state.journal import Journal
from netprov.state.journal_rows import Step
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import REPO, SAMPLE, TODAY, twin_cli_args


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_catalogue_holds_every_id_with_both_texts() -> None:
    texts = catalogue()
    assert set(texts) == set(KINDS)
    every = [member.value for ids in KINDS.values() for member in ids]
    assert len(every) == len(set(every)), "an id's value names one id of one kind"
    for kind, ids in KINDS.items():
        assert set(texts[kind]) == {member.value for member in ids}, kind
        for key, both in texts[kind].items():
            assert set(both) == {"en", "id"}, (kind, key)
            assert all(both[lang].strip() for lang in both), (kind, key)
            # the Indonesian may leave a value out (one word for "dropped" and "refused"),
            # never name one the English does not have
            assert _fields(both["id"]) <= _fields(both["en"]), (kind, key)
            assert _fields(both["en"]) - _fields(both["id"]) <= {"done"}, (kind, key)


def _named_ids() -> set[str]:
    """Every id netprov's code names (``CheckId.X``, ``ReasonId.X``, ``PhraseId.X``)."""
    named: set[str] = set()
    for path in (REPO / "netprov").rglob("*.py"):
        if path.name == "said.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in {"CheckId", "ReasonId", "PhraseId"}
            ):
                named.add(getattr(KINDS_BY_ENUM[node.value.id], node.attr).value)
    return named


KINDS_BY_ENUM = {"CheckId": CheckId, "ReasonId": ReasonId, "PhraseId": PhraseId}


def test_every_id_is_emitted_by_the_code_and_every_emitted_id_is_in_the_catalogue() -> None:
    named = _named_ids() | {role(r.value).id.value for r in Role}  # said.role(...)
    named |= {PhraseId.VALUE.value, PhraseId.AND_THEN.value, PhraseId.BUT.value}  # helpers
    named.add(ReasonId.ERROR.value)  # said.error_reason
    every = {member.value for ids in KINDS.values() for member in ids}
    assert every - named == set(), "ids no code emits: remove them from the catalogue"
    assert named <= every


def test_every_check_the_code_builds_is_said_by_id() -> None:
    """A check built from English strings (``Check(name, ...)``) would show in English on
    the Indonesian page, marked untranslated: netprov builds each with ``Check.of``."""
    built = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for path in (REPO / "netprov").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Check"
    ]
    assert built == []


def test_said_renders_in_both_languages_and_survives_the_journal() -> None:
    hop = Said(PhraseId.HOP_GATEWAY, {"interface": "ether1", "gateway": "172.30.0.1"})
    replies = Said(PhraseId.REPLIES, {"received": "0", "sent": "5"})
    gone = Said(PhraseId.BUT, {"seen": replies, "why": Said(PhraseId.LEAVES_BY, {"hop": hop})})
    assert str(gone) == "0/5 replies, but leaves by ether1 (172.30.0.1)"
    assert (
        gone.text("id") == "0 dari 5 ping dibalas, tetapi keluar lewat ether1, gateway 172.30.0.1"
    )
    assert Said.from_dict(gone.as_dict()) == gone
    assert Said.from_dict({"id": "no_such_id", "params": {}}) is None  # a newer netprov's
    assert Said.from_dict({"id": "replies", "params": {}}) is None  # its values missing
    name = Said(CheckId.INTERNET_PROBE_VIA, {"probe": "199.7.83.42", "role": role("central")})
    check = Check.of(name, value("x"), gone, False)
    assert check.name == "ping internet probe 199.7.83.42 from LAN via central"
    assert Check.from_dict(check.as_dict()) == check
    legacy = {"name": "n", "expected": "e", "observed": "o", "ok": False}
    assert Check.from_dict(legacy) == Check("n", "e", "o", False)  # stored before ids


def _failures(page: str) -> str:
    section = page.split('id="failures"')[1].split("</table>", maxsplit=1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())


def test_a_run_stored_before_ids_shows_its_english_said_to_be_untranslated(
    tmp_path: Path,
) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    run = journal.start_run("apply")
    checks = [
        {"name": "DNS resolves google.com", "expected": "an address", "observed": "no answer"}
        | {"ok": False}
    ]
    journal.step(run, "kel-hegarsari", Step.VERIFIED, ok=False, data=checks)
    journal.step(run, "kel-hegarsari", Step.REVERTED, detail="failed checks")
    refused = journal.start_run("apply")
    reason = "would cut the management path at: /ip route remove 0"
    journal.step(
        refused, "setda", Step.FAILED, ok=False, detail=reason, data={"outcome": "refused"}
    )
    skipped = journal.start_run("cutover")
    outside = "outside its maintenance window (site time 2026-12-08 14:00 WIB)"
    journal.step(skipped, "pkm-cibeureum", Step.SKIPPED, detail=outside)
    loaded = load_inventory(SAMPLE, today=TODAY)
    data = report_data(loaded, journal, TODAY)
    page = render_html(loaded, data, "id")
    skip = page.split('id="skipped"')[1].split("</table>")[0]
    assert f"{outside} (belum diterjemahkan" in html.unescape(skip)
    indonesian = _failures(page)
    assert "DNS resolves google.com: no answer; seharusnya an address (belum diterjemahkan" in (
        indonesian
    )
    assert "would cut the management path at: /ip route remove 0 (belum diterjemahkan" in (
        indonesian
    )
    english = _failures(render_html(loaded, data, "en"))
    assert "DNS resolves google.com: no answer; expected an address" in english
    assert "diterjemahkan" not in english


@pytest.mark.twin
def test_the_indonesian_report_of_a_failed_then_rolled_back_change_on_the_twin(
    cli: CliRunner, twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """kel-hegarsari at dual, its central line down: the change to central fails its checks
    and is reverted; then it is rolled back on purpose. The Indonesian page says both in
    Indonesian, every failed check rendered from its id."""
    from tests.test_pipeline import make_pipeline

    site = "kel-hegarsari"
    down = SiteFaults.model_validate({"uplinks": {"central": {"state": "down"}}})
    twin = twin_factory([site], scenario=Scenario(sites={site: down}), start_phase=Phase.DUAL)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(site), Phase.CENTRAL)
    assert outcome.status == "rolled_back"
    verified = [s for s in journal.steps_for(site) if s.step is Step.VERIFIED][-1]
    failed = [c for c in verified.data if not c["ok"]]
    assert failed
    assert all("id" in c and "observed_said" in c for c in failed)  # by id
    rolled = cli.invoke(app, ["rollback", *twin_cli_args(twin, tmp_path, site), "--yes"])
    assert rolled.exit_code == 0, rolled.output
    loaded = load_inventory(SAMPLE, today=TODAY)
    data = report_data(loaded, journal, TODAY)
    assert [(f.site, f.kind, f.before.kind if f.before else None) for f in data.failures] == [
        (site, "rolled_back", "reverted")
    ]
    text = _failures(render_html(loaded, data, "id"))
    assert "Sengaja dikembalikan" in text
    assert "Pemeriksaan setelah perubahan gagal" in text
    for stored in failed:
        check = Check.from_dict(stored)
        assert check.words is not None
        name = check.words.name.text("id")
        assert re.sub(r"[()]", "", name) in re.sub(r"[()]", "", text), name
    assert "diterjemahkan" not in text
    for english in ("replies", "loss", "expected", "leaves by", "from LAN", " but "):
        assert english not in text, english
