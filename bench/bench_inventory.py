"""Validate and render throughput on a synthetic inventory, against the raw Jinja floor.

    python bench/bench_inventory.py --sites 10000

Three runs, each in a fresh process (so its time and peak memory are its own):
- validate: ``load_inventory`` alone;
- netprov: ``netprov render --phase all --out ...`` as a user runs it: start-up, validate,
  render every site x 4 phases through Nornir, write 40,000 files;
- floor: the same templates with plain Jinja (a FileSystemLoader, includes as written),
  the same data and filters, every config rendered in one process and written to the same
  files (the time spent writing them is measured apart: the ratio is printed with and
  without it). Both write to memory (``/dev/shm``) where there is one: on this VM's disk,
  creating 40,000 files costs anything from 1 to 20 CPU-s from one run to the next (ext4
  with ``discard``), which would measure the disk rather than the software.

Targets (issue 14): netprov <= 15 s wall (goal 10 s) and <= 1.2x the floor's CPU
(validation plus the raw render, writing the same files). netprov and the floor run in
turn, ``--runs`` times (3 by default): on a shared 2-core VM the same run can take up to
twice as long from one minute to the next, so each pair is compared and the median printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.measure import Measured, run_measured  # noqa: E402 - after the path set-up above
from bench.synthetic import write_inventory  # noqa: E402

STAGE = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from netprov.inventory.loader import load_inventory
loaded = load_inventory(Path(sys.argv[1]))
t1 = time.perf_counter()
figures = {"sites": len(loaded.sites), "validate_s": t1 - t0}
if sys.argv[2] == "floor":
    import jinja2
    from netprov.syntax.filters import FILTERS
    from netprov.models import Phase
    from netprov.render.config import entry_template, template_context
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(sys.argv[3]), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    org = loaded.organisation
    out = Path(sys.argv[4])
    for phase in Phase:
        (out / phase.value).mkdir(parents=True)
    c0 = time.process_time()
    configs, files_s = 0, 0.0
    for site in loaded.sites:
        template = env.get_template(entry_template(site.router.platform))
        for phase in Phase:
            context = template_context(site, org, phase, loaded.allocations.get(site.id))
            text = template.render(context)
            configs += bool(text)
            w0 = time.process_time()
            (out / phase.value / f"{site.id}.cfg").write_text(text, encoding="utf-8")
            files_s += time.process_time() - w0
    figures["render_s"] = time.perf_counter() - t1
    figures["render_cpu_s"] = time.process_time() - c0 - files_s
    figures["files_cpu_s"] = files_s
    figures["configs"] = configs
figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(figures))
"""


def run_stage(inventory: Path, stage: str, out: Path | None = None) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-c", STAGE, str(inventory), stage, str(REPO / "templates"), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


def run_netprov(inventory: Path, out: Path) -> tuple[Measured, int]:
    """``netprov render`` end to end; CPU and peak memory of it and its workers."""
    command = [sys.executable, "-m", "netprov", "render", "--inventory", str(inventory)]
    command += ["--templates", str(REPO / "templates"), "--phase", "all", "--out", str(out)]
    measured = run_measured([*command, "--json"], REPO, out.parent / "render.json")
    files = int(json.loads(measured.stdout)["files"])
    written = sum(1 for _ in out.rglob("*.cfg"))
    assert files == written, (files, written)
    return measured, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument(
        "--runs", type=int, default=3, help="netprov and floor runs, taken in turn (median shown)"
    )
    args = parser.parse_args()
    runs: list[tuple[Measured, dict[str, float]]] = []
    memory = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108 - Linux tmpfs
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory(dir=memory) as outs:
        root = Path(tmp)
        started = time.perf_counter()
        inventory = write_inventory(root / "inventory", args.sites)
        print(f"generated {args.sites} sites in {time.perf_counter() - started:.1f} s")
        validate = run_stage(inventory, "validate")
        for run in range(args.runs):
            out = Path(outs) / f"out-{run}"
            netprov, files = run_netprov(inventory, out)
            shutil.rmtree(out)
            runs.append((netprov, run_stage(inventory, "floor", out)))
            shutil.rmtree(out)
    print(f"configs written to {'memory (tmpfs)' if memory else 'disk'}")
    print(
        f"validate: {validate['validate_s']:.2f} s "
        f"({validate['sites'] / validate['validate_s']:,.0f} sites/s), "
        f"peak RSS {validate['peak_rss_mib']:.0f} MiB"
    )
    wall_ratios, cpus, same_output = [], [], []
    for run, (netprov, floor) in enumerate(runs, 1):
        floor_wall = floor["validate_s"] + floor["render_s"]
        floor_cpu = floor["validate_s"] + floor["render_cpu_s"]  # validation is CPU-bound
        wall_ratios.append(netprov.wall_s / floor_wall)
        cpus.append(netprov.cpu_s / floor_cpu)
        same_output.append(netprov.cpu_s / (floor_cpu + floor["files_cpu_s"]))
        print(
            f"run {run}: netprov render {files:,} configs ({args.sites} sites x 4 phases) "
            f"written in {netprov.wall_s:.2f} s wall, {netprov.cpu_s:.1f} CPU-s, peak RSS "
            f"{netprov.peak_rss_mib:.0f} MiB | raw Jinja floor {floor['configs']:,.0f} configs: "
            f"validate {floor['validate_s']:.2f} s, render {floor['render_cpu_s']:.1f} CPU-s, "
            f"write the files {floor['files_cpu_s']:.1f} CPU-s | {wall_ratios[-1]:.2f}x wall, "
            f"{same_output[-1]:.2f}x CPU ({cpus[-1]:.2f}x without the floor's files)"
        )
    wall = statistics.median(n.wall_s for n, _ in runs)
    print(
        f"netprov render (start-up, validate, render over {os.cpu_count()} cores, files), "
        f"median of {len(runs)}: {wall:.2f} s wall; vs the floor (validate + render in one "
        f"process, writing the same files): {statistics.median(wall_ratios):.2f}x wall, "
        f"{statistics.median(same_output):.2f}x CPU; {statistics.median(cpus):.2f}x CPU against "
        "the floor's validate + render alone"
    )


if __name__ == "__main__":
    main()
