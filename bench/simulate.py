"""Benchmark of scenario simulation (issue 14): a scenario over 1e6 synthetic households against
one all-program assessment of the same households, measured in the same run.

Target: simulating takes at most 2.5 × one assessment. Each measurement runs in a fresh process,
the two alternating (assess, simulate, assess, simulate, …); the best of each is kept.

- **assess**: ``jiuzhu.batch.pipelines.assess.assess`` end to end — read Parquet, validate, every
  program, write the results with reasons and trace (as ``bench/assess.py``);
- **simulate**: read and validate the same input, give each household one of Baodi's 24
  townships, run ``simulate`` with the dibao standard raised from 1,045 to 1,100 yuan (the rules
  engine twice: baseline and scenario, every program), compare every decision and summarise per
  program, per township and by the households' gains and losses.

Run ``python bench/simulate.py`` (data under bench/data, made by bench/synthetic.py as for
bench/assess.py). Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))


def child(task: str, folder: Path) -> dict[str, float]:
    """One measurement in its own process; returns wall and CPU seconds and peak memory."""
    import datetime as dt  # noqa: PLC0415

    import polars as pl  # noqa: PLC0415

    from jiuzhu.batch.inputs import read_input  # noqa: PLC0415
    from jiuzhu.batch.pipelines.assess import assess  # noqa: PLC0415
    from jiuzhu.batch.pipelines.simulate import TOWNSHIP, Scenario, simulate  # noqa: PLC0415
    from jiuzhu.reference import baodi_divisions  # noqa: PLC0415
    from jiuzhu.rules import load_system  # noqa: PLC0415

    found: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    if task == "assess":
        summary = assess(folder, None, folder / "out-simulate-bench.parquet", trace=True)
        found["households"] = summary.households
    else:
        system = load_system("tianjin")
        effective = dt.date(2025, 10, 15)
        data = read_input(folder, system, None)
        townships = sorted(code for code in baodi_divisions() if len(code) == 9)
        households = data.frames["household"].with_columns(
            pl.col("household_id")
            .mod(len(townships))
            .replace_strict(dict(enumerate(townships)), return_dtype=pl.String)
            .alias(TOWNSHIP)
        )
        frames = {**data.frames, "household": households}
        scenario = Scenario({"dibao.standard": {"urban": 1100, "rural": 1100}}, effective)
        result = simulate(system, scenario, frames)
        dibao = result.summary.filter(pl.col("program") == "dibao").row(0, named=True)
        found["households"] = households.height
        found["newly_eligible"] = dibao["newly_eligible"]
        found["cost_difference"] = dibao["cost_difference"]
        found["township_rows"] = result.by_township.height if result.by_township is not None else 0
    found["wall"] = time.perf_counter() - started
    found["cpu"] = time.process_time() - cpu
    found["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for leftover in folder.glob("out-simulate-bench*"):
        leftover.unlink()
    return found


def run(task: str, folder: Path) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", task, "--folder", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{task} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="pairs run (best of each kept)")
    parser.add_argument("--child")
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.folder)))
        return

    import platform  # noqa: PLC0415

    import synthetic  # noqa: PLC0415

    folder = synthetic.write(DATA / f"h{args.size}", args.size)
    print(
        f"Jiuzhu simulate benchmark — {args.size:,} households ({folder}), "
        f"{platform.machine()}, {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}"
    )
    best: dict[str, dict[str, float]] = {}
    for pair in range(args.repeat):
        for task in ("assess", "simulate"):
            measured = run(task, folder)
            print(
                f"  pair {pair + 1} {task:8}: wall {measured['wall']:.2f} s, "
                f"CPU {measured['cpu']:.2f} s, peak {measured['peak_mb']:.0f} MB"
            )
            if task not in best or measured["wall"] < best[task]["wall"]:
                best[task] = measured
    assessed, simulated = best["assess"], best["simulate"]
    print(
        f"best: assess {assessed['wall']:.2f} s (CPU {assessed['cpu']:.2f} s); simulate "
        f"{simulated['wall']:.2f} s (CPU {simulated['cpu']:.2f} s), "
        f"{int(simulated['newly_eligible']):,} households newly eligible for dibao, "
        f"+{simulated['cost_difference'] / 100:,.2f} yuan a month, "
        f"{int(simulated['township_rows'])} program × township rows"
    )
    print(
        f"ratio simulate / assess = {simulated['wall'] / assessed['wall']:.2f} wall, "
        f"{simulated['cpu'] / assessed['cpu']:.2f} CPU (target ≤ 2.5)"
    )


if __name__ == "__main__":
    main()
