"""Validate and render throughput on a synthetic inventory; prints its figures.

    python bench/bench_inventory.py --sites 10000

Each stage runs in a fresh subprocess so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synthetic import write_inventory  # noqa: E402 - after the path set-up above

STAGE = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from netprov.inventory import load_inventory
loaded = load_inventory(Path(sys.argv[1]))
t1 = time.perf_counter()
figures = {"sites": len(loaded.sites), "validate_s": t1 - t0}
if sys.argv[2] == "render":
    from netprov.models import Phase
    from netprov.nornir_inventory import make_nornir
    from netprov.render import Renderer
    from netprov.tasks.render import render_config
    out = Path(sys.argv[3])
    nornir = make_nornir(loaded, workers=4)
    renderer = Renderer(Path(sys.argv[4]))
    t2 = time.perf_counter()
    for phase in Phase:
        (out / phase.value).mkdir(parents=True, exist_ok=True)
    result = nornir.run(task=render_config, phases=list(Phase), renderer=renderer, out_dir=out)
    assert not result.failed, result.failed_hosts
    figures["render_s"] = time.perf_counter() - t2
    figures["configs"] = len(loaded.sites) * len(Phase)
figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(figures))
"""


def run_stage(inventory: Path, stage: str, out: Path) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-c", STAGE, str(inventory), stage, str(out), str(REPO / "templates")],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        inventory = write_inventory(root / "inventory", args.sites)
        print(f"generated {args.sites} sites in {time.perf_counter() - started:.1f} s")
        validate = run_stage(inventory, "validate", root / "out")
        render = run_stage(inventory, "render", root / "out")
        print(
            f"validate: {validate['validate_s']:.2f} s "
            f"({validate['sites'] / validate['validate_s']:,.0f} sites/s), "
            f"peak RSS {validate['peak_rss_mib']:.0f} MiB"
        )
        print(
            f"render:   {render['configs']:,.0f} configs in {render['render_s']:.2f} s "
            f"({render['configs'] / render['render_s']:,.0f} configs/s, "
            f"{render['sites'] / render['render_s']:,.0f} sites/s x 4 phases) through Nornir, "
            f"peak RSS {render['peak_rss_mib']:.0f} MiB (validate + render)"
        )


if __name__ == "__main__":
    main()
