"""Benchmark of ``jiuzhu synth`` and the feed readers (issue 3), at scale 1.0 by default.

1. Generate the full district (≈ 722,000 residents), write its frames, the low-income register
   (the rules engine over the district, ``jiuzhu.synth.register``) and the thirteen department
   feeds (``jiuzhu.synth.run.synthesise``, without its caseload check): target ≤ 90 s.
2. Read every feed back with its reader (``jiuzhu.feeds.base.read_feed``: decode, map headers,
   validate every row, deduplicate, normalise): target ≤ 15 s.
3. The caseload check (the rules engine over the district) and its figures against the bands.

Run ``python bench/synth.py [--scale 1.0]``; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import polars as pl

from jiuzhu.feeds.base import SPECS, read_feed, sources
from jiuzhu.synth.feeds import write_feeds
from jiuzhu.synth.population import generate
from jiuzhu.synth.register import build_register
from jiuzhu.synth.run import _write_frames
from jiuzhu.synth.summary import district_figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20251015)
    args = parser.parse_args()
    print(f"jiuzhu synth benchmark — {os.cpu_count()} CPUs, Polars {pl.__version__}")
    folder = Path(tempfile.mkdtemp(prefix="jiuzhu-synth-bench-"))
    try:
        started = time.perf_counter()
        district = generate(args.scale, args.seed)
        generated = time.perf_counter()
        _write_frames(district, folder)
        build_register(district, args.seed).write_parquet(folder / "register.parquet")
        framed = time.perf_counter()
        paths = write_feeds(district, folder / "feeds", args.seed)
        written = time.perf_counter()
        print(
            f"scale {args.scale:g}: {district.households.height:,} households, "
            f"{district.persons.height:,} persons, {district.obligors.height:,} obligors"
        )
        print(
            f"  generate {generated - started:.1f} s, frames and register "
            f"{framed - generated:.1f} s, "
            f"feeds {written - framed:.1f} s → total {written - started:.1f} s (target ≤ 90 s)"
        )
        sources()
        known = district.persons["resident_id"]
        rows = 0
        read_started = time.perf_counter()
        for source, path in paths.items():
            mark = time.perf_counter()
            result = read_feed(path, SPECS[source], known_ids=known)
            rows += result.report.accepted
            size = path.stat().st_size / 1e6
            print(
                f"    {path.name:<26} {size:7.1f} MB {result.report.rows:>9,} rows "
                f"{result.report.duplicates:>6,} dup {result.report.unknown_ids:>6,} unknown "
                f"{time.perf_counter() - mark:6.2f} s"
            )
        print(
            f"  read all feeds back: {rows:,} rows in {time.perf_counter() - read_started:.1f} s "
            f"(target ≤ 15 s)"
        )
        mark = time.perf_counter()
        figures = district_figures(district)
        print(f"  caseload check {time.perf_counter() - mark:.1f} s")
        for figure in figures:
            value = f"{figure.value:.1%}" if figure.share else f"{figure.value:,.0f}"
            band = (
                f"{figure.low:.0%}–{figure.high:.0%}"
                if figure.share
                else f"{figure.low:,.0f}–{figure.high:,.0f}"
            )
            print(
                f"    {figure.label:<40} {value:>9}  band {band:<15} {'✔' if figure.inside else '✘'}"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory {peak:,.0f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
