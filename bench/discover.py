"""Benchmark of the discovery batch (issue 6): 10 million normalised feed records matched against
the full synthetic district and every signal evaluated.

1. Once, cached under ``bench/data/discover/``: the district at scale 1.0 (``jiuzhu synth``'s
   frames and register, ≈ 722,000 persons) and 10,000,000 normalised feed records as Parquet, one
   file per source, in the columns and dtypes ``jiuzhu.feeds`` produces. Nine in ten records are
   of registry people, the rest of people elsewhere; dates and periods spread over the twelve
   months to the discovery month, so about one record in twelve falls in it; amounts, codes and
   statuses are drawn so that every signal's condition sees records on both sides.
2. Timed, best of ``--repeat`` runs in this process: read the frames, the register and the feeds
   (Parquet), then ``discover(inputs, "2025-10")`` — normalise, match every feed to the registry and
   the register, evaluate every signal (including the rules engine over the register's
   households), render and route the alerts. Target: ≤ 5 s for matching and evaluation.

Run ``python bench/discover.py``; figures go to docs/performance.md ("Issue 6 — discovery").
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np
import polars as pl

from jiuzhu.batch.pipelines.discover import DiscoveryInputs, discover
from jiuzhu.batch.pipelines.discover.catalogue import catalogue
from jiuzhu.batch.pipelines.discover.conditions import CONDITIONS
from jiuzhu.batch.pipelines.discover.context import build_context
from jiuzhu.batch.pipelines.discover.files import FEED_SOURCES
from jiuzhu.batch.pipelines.discover.pipeline import _alerts
from jiuzhu.synth.run import synthesise

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "discover"
MONTH = "2025-10"
TOTAL = 10_000_000
SHARES = {
    "social_insurance": 0.47,
    "medical_insurance": 0.25,
    "real_estate": 0.10,
    "vehicles": 0.06,
    "market_entities": 0.04,
    "unemployment": 0.03,
    "disability": 0.03,
    "deaths": 0.01,
    "custody": 0.01,
}
"""Records by source (the monthly volumes' rough proportions); they add up to ``TOTAL``."""


def _district(folder: Path) -> None:
    if (folder / "register.parquet").exists():
        return
    print("  generating the district at scale 1.0 (once) …")
    synthesise(folder, 1.0, feeds=False)


def _dates(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days from 2024-11-01 to 2025-10-31: one in twelve in the discovery month."""
    return np.datetime64("2024-11-01") + rng.integers(0, 365, n).astype("timedelta64[D]")


def _ids(rng: np.random.Generator, registry: np.ndarray, n: int) -> pl.Series:
    """Nine in ten of the registry, the rest valid-looking numbers of another province."""
    own = registry[rng.integers(0, registry.shape[0], n)]
    outside = np.char.add("410184", np.char.zfill(rng.integers(0, 10**12, n).astype(str), 12))
    return pl.Series("resident_id", np.where(rng.random(n) < 0.9, own, outside), dtype=pl.String)


def _feeds(folder: Path, persons: pl.DataFrame) -> None:
    feeds = folder / "feeds"
    if all((feeds / f"{s}.parquet").exists() for s in SHARES):
        return
    print(f"  generating {TOTAL:,} feed records (once) …")
    feeds.mkdir(parents=True, exist_ok=True)
    registry = persons["resident_id"].to_numpy().astype(str)
    illness = np.array(["uremia", "leukaemia", "malignant_tumour", "epilepsy", "cirrhosis"])
    for index, (source, share) in enumerate(SHARES.items()):
        rng = np.random.default_rng([6, index])
        n = round(TOTAL * share)
        ids = _ids(rng, registry, n)
        day = pl.Series(_dates(rng, n))
        if source == "social_insurance":
            months = np.array(
                [f"2024-{m:02d}" for m in (11, 12)] + [f"2025-{m:02d}" for m in range(1, 10)]
            )
            frame = pl.DataFrame(
                {
                    "resident_id": ids,
                    "scheme": rng.choice(
                        np.array(["employee_pension_insurance", "employee_medical_insurance"]), n
                    ),
                    "period": rng.choice(months, n),
                    "contribution": rng.integers(0, 60_000, n),
                    "benefit_type": np.full(n, "none"),
                    "benefit": np.zeros(n, dtype=np.int64),
                    "status": np.full(n, "active"),
                }
            )
        elif source == "medical_insurance":
            own = rng.integers(10_000, 3_000_000, n)
            frame = pl.DataFrame(
                {
                    "resident_id": ids,
                    "settled_on": day,
                    "visit_type": rng.choice(
                        np.array(["outpatient", "inpatient", "special_outpatient"]), n
                    ),
                    "total_cost": own * 3,
                    "fund_paid": own * 2,
                    "critical_illness_paid": np.zeros(n, dtype=np.int64),
                    "assistance_paid": np.zeros(n, dtype=np.int64),
                    "out_of_pocket": own,
                    "diagnosis": pl.Series(rng.choice(illness, n)).set(
                        pl.Series(rng.random(n) < 0.9), None
                    ),
                }
            )
        elif source == "real_estate":
            frame = pl.DataFrame(
                {
                    "resident_id": ids,
                    "certificate": pl.Series(np.arange(n)).cast(pl.String),
                    "use": rng.choice(np.array(["residential", "commercial"]), n),
                    "floor_area": rng.integers(3_000, 15_000, n),
                    "registered_on": day,
                }
            )
        elif source == "vehicles":
            frame = pl.DataFrame(
                {
                    "resident_id": ids,
                    "plate": pl.Series(np.arange(n)).cast(pl.String),
                    "vehicle_type": np.full(n, "car"),
                    "use": rng.choice(np.array(["private", "commercial", "disability"]), n),
                    "first_registered": day,
                    "deregistered": pl.Series([None] * n, dtype=pl.Date),
                }
            )
        elif source == "market_entities":
            frame = pl.DataFrame(
                {
                    "resident_id": ids,
                    "credit_code": pl.Series(np.arange(n)).cast(pl.String),
                    "entity_name": np.full(n, "便民店"),
                    "subscribed_capital": rng.integers(0, 10_000_000, n),
                    "established_on": day,
                    "status": rng.choice(np.array(["active", "closed"]), n),
                }
            )
        elif source == "unemployment":
            frame = pl.DataFrame(
                {
                    "resident_id": ids,
                    "registered_on": day,
                    "status": rng.choice(np.array(["registered", "employed"]), n),
                }
            )
        elif source == "disability":
            category = rng.choice(np.array(["physical", "mental", "visual"]), n)
            grade = rng.integers(1, 5, n).astype(str)
            frame = pl.DataFrame(
                {
                    "resident_id": ids,
                    "certificate": pl.Series(np.arange(n)).cast(pl.String),
                    "category": category,
                    "grade": grade,
                    "issued_on": day,
                }
            )
        elif source == "deaths":
            frame = pl.DataFrame({"resident_id": ids, "died_on": day})
        else:
            frame = pl.DataFrame(
                {
                    "resident_id": ids,
                    "kind": rng.choice(np.array(["prison", "detention"]), n),
                    "institution": np.full(n, "天津市监狱"),
                    "started_on": day,
                    "expected_release": pl.Series(_dates(rng, n) + np.timedelta64(400, "D")),
                    "released_on": pl.Series([None] * n, dtype=pl.Date),
                }
            )
        frame.with_columns(
            pl.lit(source).alias("source"),
            pl.lit(MONTH).alias("period") if "period" not in frame.columns else pl.col("period"),
        ).write_parquet(feeds / f"{source}.parquet")


def _read(folder: Path) -> DiscoveryInputs:
    feeds = {s: pl.read_parquet(folder / "feeds" / f"{s}.parquet") for s in FEED_SOURCES}
    return DiscoveryInputs(
        households=pl.read_parquet(folder / "households.parquet"),
        persons=pl.read_parquet(folder / "persons.parquet"),
        register=pl.read_parquet(folder / "register.parquet"),
        feeds=feeds,
        obligors=pl.read_parquet(folder / "obligors.parquet"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"jiuzhu discover benchmark — {os.cpu_count()} CPUs, Polars {pl.__version__}")
    DATA.mkdir(parents=True, exist_ok=True)
    _district(DATA)
    _feeds(DATA, pl.read_parquet(DATA / "persons.parquet", columns=["resident_id"]))
    best_read = best_run = float("inf")
    alerts = pl.DataFrame()
    for _ in range(args.repeat):
        mark = time.perf_counter()
        inputs = _read(DATA)
        read = time.perf_counter() - mark
        mark = time.perf_counter()
        alerts = discover(inputs, MONTH)
        run = time.perf_counter() - mark
        best_read, best_run = min(best_read, read), min(best_run, run)
        print(f"  run: read {read:.2f} s, match and evaluate {run:.2f} s")
    records = sum(f.height for f in inputs.feeds.values())
    print(
        f"district: {inputs.households.height:,} households, {inputs.persons.height:,} persons, "
        f"register {inputs.register.height:,} persons; feeds {records:,} records"
    )
    print(
        f"best: read {best_read:.2f} s; match and evaluate every signal {best_run:.2f} s "
        f"(target ≤ 5 s); {alerts.height:,} alerts"
    )
    counts = dict(alerts.group_by("signal").len().iter_rows())
    # Where the time goes: the shared normalisation, then each signal (condition and alerts).
    mark = time.perf_counter()
    ctx = build_context(
        inputs.households, inputs.persons, inputs.register, inputs.feeds, inputs.obligors, MONTH
    )
    print(f"  normalise the registry and the register {time.perf_counter() - mark:.2f} s")
    for code, signal in catalogue().items():
        mark = time.perf_counter()
        _alerts(ctx, signal, CONDITIONS[code](ctx, signal, signal.thresholds(ctx.start)))
        print(
            f"    {code:<28} {counts.get(code, 0):>9,} alerts {time.perf_counter() - mark:6.2f} s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
