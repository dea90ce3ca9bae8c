"""Benchmark of ``jiuzhu assess`` (issue 2): synthetic 1e5 and 1e6 households, about 2.5 persons each.

Measures, each in a fresh process (so peak memory is the run's own):

1. **All programs end to end**: read Parquet → validate → every program of the registry (five
   when issue 2 set its target, twelve by issue 14) → write the results with reason codes and
   trace columns (``jiuzhu.batch.pipelines.assess``). Wall time, peak RSS.
2. **The identical minimal dibao rule** (``bench/dibao_minimal.py``):
   - Jiuzhu's engine, end to end (read Parquet, compute, write Parquet) and compute only;
   - a hand-written NumPy kernel (the practical floor), compute only;
   - openfisca-core with float64, end to end and compute only, when the ``bench`` extra is
     installed.

Run ``make bench`` (or ``python bench/assess.py``). Figures go to docs/performance.md.
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
SITUATION_SIZE = 10_000
"""Size at which OpenFisca is also run from a situation dict: its build time grows faster than
linearly (5,000 households take about 2 s, 100,000 did not finish in 12 minutes)."""
DATA = HERE / "data"
sys.path.insert(0, str(HERE))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(task: str, folder: Path, repeat: int) -> dict[str, float]:
    """One measurement, run in its own process; prints JSON."""
    import numpy as np  # noqa: PLC0415
    import polars as pl  # noqa: PLC0415

    import dibao_minimal  # noqa: PLC0415
    from jiuzhu.batch.pipelines.assess import assess  # noqa: PLC0415

    out = folder / f"out-{task}.parquet"
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    for _ in range(repeat):
        if task == "all-programs":
            started, cpu = time.perf_counter(), time.process_time()
            summary = assess(folder, None, out, trace=True)
            keep("end_to_end", time.perf_counter() - started)
            # CPU seconds (all threads): steadier than wall time when other work shares the CPUs.
            keep("cpu", time.process_time() - cpu)
            best["households"] = summary.households
            best["persons"] = summary.persons
            best["dibao_eligible"] = next(p.eligible for p in summary.programs if p.name == "dibao")
            best["programs"] = len(summary.programs)
        elif task == "jiuzhu-dibao":
            system = dibao_minimal.jiuzhu_system()
            started = time.perf_counter()
            households = pl.read_parquet(
                folder / "households.parquet",
                columns=["household_id", "assessment_date", "area_type"],
            )
            persons = pl.read_parquet(
                folder / "persons.parquet",
                columns=["person_id", "household_id", *dibao_minimal.INCOME_COLUMNS],
            )
            loaded = time.perf_counter()
            dibao_minimal.jiuzhu_validate(system, households, persons)
            validated = time.perf_counter()
            result = dibao_minimal.jiuzhu_compute(system, households, persons)
            computed = time.perf_counter()
            result.write_parquet(out)
            keep("end_to_end", time.perf_counter() - started)
            keep("validate", validated - loaded)
            keep("compute", computed - validated)
            best["checksum"] = int(result["minimal_dibao_amount"].sum())
        elif task in ("numpy-dibao", "openfisca-dibao", "openfisca-situation-dibao"):
            started = time.perf_counter()
            persons = pl.read_parquet(
                folder / "persons.parquet", columns=["household_id", *dibao_minimal.INCOME_COLUMNS]
            )
            households = pl.read_parquet(
                folder / "households.parquet", columns=["household_id"]
            ).height
            household_of = persons["household_id"].to_numpy()
            columns = [persons[c].to_numpy() for c in dibao_minimal.INCOME_COLUMNS]
            loaded = time.perf_counter()
            # Summing the four income columns is part of the rule, as in the engine's run.
            incomes = columns[0] + columns[1] + columns[2] + columns[3]
            if task == "numpy-dibao":
                amounts = dibao_minimal.numpy_compute(household_of, incomes, households)
            elif task == "openfisca-dibao":
                amounts = np.rint(
                    dibao_minimal.openfisca_compute(household_of, incomes, households) * 100
                )
            else:
                amounts = np.rint(
                    dibao_minimal.openfisca_situation_compute(household_of, incomes, households)
                    * 100
                )
            computed = time.perf_counter()
            pl.DataFrame(
                {"household_id": np.arange(households), "amount": amounts.astype(np.int64)}
            ).write_parquet(out)
            keep("end_to_end", time.perf_counter() - started)
            keep("compute", computed - loaded)
            best["checksum"] = int(amounts.sum())
    best["peak_mb"] = peak_mb()
    # The persons' table is written beside the households' (``out-….persons.parquet``).
    for written in (out, out.with_name(f"{out.stem}.persons{out.suffix}")):
        written.unlink(missing_ok=True)
    return best


def run(task: str, folder: Path, repeat: int) -> dict[str, float]:
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            task,
            "--folder",
            str(folder),
            "--repeat",
            str(repeat),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        return {
            "error": completed.stderr.strip().splitlines()[-1] if completed.stderr else "failed"
        }  # type: ignore[dict-item]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    parser.add_argument("--child")
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.folder, args.repeat)))
        return

    import platform  # noqa: PLC0415

    import polars as pl  # noqa: PLC0415

    import synthetic  # noqa: PLC0415

    print(
        f"Jiuzhu assess benchmark — {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, Polars {pl.__version__}; "
        f"load average {os.getloadavg()[0]:.1f} (wall times grow when others share the CPUs)"
    )
    for size in args.sizes:
        folder = synthetic.write(DATA / f"h{size}", size)
        print(f"\n== {size:,} households ({folder}) ==")
        everything = run("all-programs", folder, args.repeat)
        print(
            f"all programs end to end (read, validate, {int(everything.get('programs', 0))} programs, "
            f"write with reasons and trace): "
            f"{everything.get('end_to_end', float('nan')):.2f} s (CPU {everything.get('cpu', float('nan')):.2f} s), "
            f"peak {everything.get('peak_mb', 0):.0f} MB"
            f"  [{int(everything.get('persons', 0)):,} persons, "
            f"{int(everything.get('dibao_eligible', 0)):,} dibao households]"
        )
        ours = run("jiuzhu-dibao", folder, args.repeat)
        floor = run("numpy-dibao", folder, args.repeat)
        print(
            f"minimal dibao, Jiuzhu engine : end to end {ours['end_to_end']:.3f} s, compute {ours['compute']:.3f} s"
            f" (+ input validation {ours['validate']:.3f} s)"
        )
        print(
            f"minimal dibao, NumPy kernel  : end to end {floor['end_to_end']:.3f} s, compute {floor['compute']:.3f} s"
        )
        print(
            f"  compute ratio Jiuzhu / NumPy = {ours['compute'] / floor['compute']:.2f} (target ≤ 2)"
        )
        fisca = run("openfisca-dibao", folder, args.repeat)
        if "error" in fisca:
            print(
                f"minimal dibao, openfisca-core: not run ({fisca['error']}; pip install -e '.[bench]')"
            )
        else:
            print(
                f"minimal dibao, openfisca-core: end to end {fisca['end_to_end']:.3f} s, compute {fisca['compute']:.3f} s"
            )
            print(
                f"  end-to-end ratio OpenFisca / Jiuzhu = {fisca['end_to_end'] / ours['end_to_end']:.1f} (target ≥ 8)"
            )
            same = fisca["checksum"] == ours["checksum"] == floor["checksum"]
            print(f"  identical totals in all three: {same} ({int(ours['checksum']):,} fen)")
    if not args.child:
        situation_comparison()


def situation_comparison() -> None:
    """OpenFisca's documented input path (a situation dict), at a size it can finish."""
    import synthetic  # noqa: PLC0415

    folder = synthetic.write(DATA / f"h{SITUATION_SIZE}", SITUATION_SIZE)
    print(f"\n== {SITUATION_SIZE:,} households: openfisca-core from a situation dict ==")
    ours = run("jiuzhu-dibao", folder, 3)
    dicts = run("openfisca-situation-dibao", folder, 1)
    if "error" in dicts:
        print(f"not run ({dicts['error']})")
        return
    print(f"minimal dibao, Jiuzhu engine : end to end {ours['end_to_end']:.3f} s")
    print(
        f"minimal dibao, openfisca-core (build_from_entities): end to end {dicts['end_to_end']:.2f} s"
    )
    print(
        f"  end-to-end ratio OpenFisca / Jiuzhu = {dicts['end_to_end'] / ours['end_to_end']:.0f}"
        f" (same totals: {dicts['checksum'] == ours['checksum']})"
    )


if __name__ == "__main__":
    main()
