"""Time the feed readers alone, on a district already written by ``jiuzhu synth``.

``bench/synth.py`` times generation and reading together; this script reads the same files
again, so two versions of the readers can be compared on identical input in one session
(issue 10: the ID module and numeric-cell checks must keep reading within 10 % of before):

    jiuzhu synth --out /tmp/district
    python bench/feed_read.py /tmp/district --repeat 3

Each repeat reads every feed in ``FOLDER/feeds`` with its reader
(``jiuzhu.feeds.base.read_feed``, known IDs from ``persons.parquet``) and prints the total in
seconds; the minimum and median of the repeats are printed last.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import polars as pl

from jiuzhu.feeds.base import read_feed, sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a district written by jiuzhu synth")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    known = pl.read_parquet(args.folder / "persons.parquet", columns=["resident_id"])
    known_ids = known["resident_id"]
    files = {path.stem: path for path in sorted((args.folder / "feeds").iterdir())}
    specs = [spec for spec in sources() if spec.source in files]
    totals = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        rows = 0
        for spec in specs:
            rows += read_feed(files[spec.source], spec, known_ids=known_ids).report.accepted
        totals.append(time.perf_counter() - started)
        print(f"  {len(specs)} feeds, {rows:,} rows accepted in {totals[-1]:.2f} s")
    print(f"min {min(totals):.2f} s, median {statistics.median(totals):.2f} s")


if __name__ == "__main__":
    main()
