"""Small helpers the feed modules share: the export time, interleaving copied rows, ranking and
splitting amounts within groups, random dates and numbers, and ID numbers with their check
characters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from jiuzhu.feeds.ids import check_character_series

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _written_at(on: dt.date) -> dt.datetime:
    """When the departments export: 09:00 on the assessment date, Beijing time."""
    return dt.datetime.combine(on, dt.time(9, 0), tzinfo=SHANGHAI)


def _interleave(frame: pl.DataFrame, copies: pl.DataFrame, after: np.ndarray) -> pl.DataFrame:
    """``frame`` with each row of ``copies`` placed right after row ``after[i]``."""
    key = "__position"
    return (
        pl.concat(
            [
                frame.with_columns(pl.Series(key, np.arange(frame.height) * 2)),
                copies.with_columns(pl.Series(key, np.asarray(after, dtype=np.int64) * 2 + 1)),
            ]
        )
        .sort(key)
        .drop(key)
    )


def _rank_in_group(group: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal, contiguous ``group`` values."""
    if group.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    index = np.arange(group.shape[0])
    start = np.r_[True, group[1:] != group[:-1]]
    return index - np.maximum.accumulate(np.where(start, index, 0))


def _split(amount: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split ``amount[g]`` over the rows of each group ``g`` by ``weights``, exactly (the
    remainder of the rounding goes to the group's first row)."""
    if group.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    groups = amount.shape[0]
    weight_sum = np.bincount(group, weights=weights, minlength=groups)
    share = np.floor(amount[group] * weights / weight_sum[group]).astype(np.int64)
    remainder = amount - np.bincount(group, weights=share, minlength=groups).astype(np.int64)
    first = np.r_[True, group[1:] != group[:-1]]
    share[first] += remainder[group[first]]
    return np.asarray(share)


def _days_before(
    on: dt.date, rng: np.random.Generator, count: int, low: int, high: int
) -> np.ndarray:
    """``count`` dates between ``high`` and ``low`` days (inclusive, exclusive) before ``on``."""
    days = rng.integers(low, high, count).astype("timedelta64[D]")
    return np.datetime64(on, "D") - days


def _ints(rng: np.random.Generator, low: int, high: int, count: int) -> pl.Expr:
    return pl.lit(pl.Series(rng.integers(low, high, count)).cast(pl.String))


def _first17(address: np.ndarray, births: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    digits = np.char.replace(np.datetime_as_string(births, unit="D"), "-", "")
    return np.char.add(
        np.char.add(address.astype(str), digits), np.char.zfill(sequence.astype(str), 3)
    )


def _check_characters(first17: np.ndarray) -> np.ndarray:
    """GB 11643 check characters of an array of 17-digit strings."""
    if first17.shape[0] == 0:
        return first17.astype(str)
    series = pl.Series(first17.astype(str), dtype=pl.String)
    return np.asarray(check_character_series(series).to_numpy().astype(str))
