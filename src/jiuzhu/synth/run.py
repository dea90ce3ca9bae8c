"""``jiuzhu synth``: generate the district, write its frames and department feeds, and check its
caseloads against the estimate bands.

The output folder holds what ``jiuzhu assess`` reads (``households.parquet``,
``persons.parquet``, ``obligors.parquet``: money in integer fen, codes as in
docs/input-format.md, plus registry columns such as names and ID numbers that the rules ignore),
``register.parquet`` (the low-income population register, ``jiuzhu.synth.register``) and a
``feeds/`` folder with the thirteen department files. Everything is written under a
temporary name first, so an interrupted run leaves no half-written district.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jiuzhu.synth.feeds import write_feeds
from jiuzhu.synth.population import District, generate
from jiuzhu.synth.register import build_register
from jiuzhu.synth.summary import Figure, district_figures

FRAMES = ("households", "persons", "obligors")

Progress = Callable[[str], None]
"""Told each stage as it starts: ``generate``, ``frames``, ``register``, ``feeds``, ``check``."""


@dataclass
class SynthSummary:
    """What ``synthesise`` made."""

    out: Path
    scale: float
    seed: int
    on: dt.date
    households: int
    persons: int
    obligors: int
    figures: list[Figure]
    files: dict[str, Path] = field(default_factory=dict)
    """Every file written, by name (``households``, …, and each feed's source)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of each stage."""


def synthesise(
    out: Path,
    scale: float = 1.0,
    seed: int = 20251015,
    on: dt.date = dt.date(2025, 10, 15),
    feeds: bool = True,
    progress: Progress | None = None,
) -> SynthSummary:
    """Generate Baodi at ``scale`` and write it to ``out``.

    Files already in ``out`` with the same names are replaced; other files are left alone.

    Raises:
        ValueError: ``scale`` not in (0, 2].
    """
    tell = progress or (lambda stage: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    tell("generate")
    district = generate(scale, seed, on)
    seconds["generate"] = time.perf_counter() - started
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".synth-", dir=out))
    try:
        tell("frames")
        mark = time.perf_counter()
        files = _write_frames(district, staging)
        seconds["frames"] = time.perf_counter() - mark
        tell("register")
        mark = time.perf_counter()
        register = build_register(district, seed)
        register.write_parquet(staging / "register.parquet", compression="zstd", statistics=False)
        files["register"] = Path("register.parquet")
        seconds["register"] = time.perf_counter() - mark
        if feeds:
            tell("feeds")
            mark = time.perf_counter()
            written = write_feeds(district, staging / "feeds", seed, register)
            files |= {source: Path("feeds") / path.name for source, path in written.items()}
            seconds["feeds"] = time.perf_counter() - mark
        for relative in files.values():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    tell("check")
    mark = time.perf_counter()
    figures = district_figures(district)
    seconds["check"] = time.perf_counter() - mark
    return SynthSummary(
        out=out,
        scale=scale,
        seed=seed,
        on=on,
        households=district.households.height,
        persons=district.persons.height,
        obligors=district.obligors.height,
        figures=figures,
        files={name: out / relative for name, relative in files.items()},
        seconds=seconds,
    )


def _write_frames(district: District, folder: Path) -> dict[str, Path]:
    """The three frames as Parquet (deterministic: no timestamps, fixed compression)."""
    paths = {}
    for name in FRAMES:
        path = Path(f"{name}.parquet")
        frame = getattr(district, name)
        frame.write_parquet(folder / path, compression="zstd", statistics=False)
        paths[name] = path
    return paths
