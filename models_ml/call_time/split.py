"""The time-based train / validation / test split.

The days of the history are cut in order (by default 60% / 20% / 20% of the calendar days):
the model is always judged on days after the ones it learned from, as it will be used. The
promise label looks ``embargo_days`` (3: the 72-hour label window) past its call, so the last
days before each cut are dropped from the earlier part: no label of one part is decided by
events inside the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl
from sklearn.model_selection import TimeSeriesSplit


@dataclass(frozen=True)
class TimeSplit:
    valid_start: date
    test_start: date
    embargo_days: int

    def assign(self, frame: pl.DataFrame, day: str = "day") -> pl.DataFrame:
        """``frame`` with ``split`` (train | valid | test); embargoed rows are dropped."""
        d = pl.col(day)
        embargo = timedelta(days=self.embargo_days)
        split = (pl.when(d >= self.test_start).then(pl.lit("test"))
                 .when(d >= self.valid_start).then(
                     pl.when(d >= self.test_start - embargo).then(None).otherwise(pl.lit("valid")))
                 .when(d >= self.valid_start - embargo).then(None)
                 .otherwise(pl.lit("train")))
        return frame.with_columns(split=split).filter(pl.col("split").is_not_null())

    def as_dict(self) -> dict[str, str | int]:
        return {"valid_start": self.valid_start.isoformat(),
                "test_start": self.test_start.isoformat(), "embargo_days": self.embargo_days}


def time_split(days: pl.Series, valid_frac: float = 0.2, test_frac: float = 0.2,
               embargo_days: int = 3) -> TimeSplit:
    """Cut the calendar from the first to the last of ``days`` into train, valid and test.

    scikit-learn's ``TimeSeriesSplit`` over the ordered calendar days gives the cut points
    (its last fold is the test block, the one before it the validation block)."""
    first, last = days.min(), days.max()
    calendar = np.arange(np.datetime64(first), np.datetime64(last) + 1)
    n = len(calendar)
    test_size = max(1, round(n * test_frac))
    valid_size = max(1, round(n * valid_frac))
    if n - test_size - valid_size < 1:
        raise ValueError(f"{n} days of history are too few to split")
    folds = list(TimeSeriesSplit(n_splits=2, test_size=test_size).split(calendar))
    test_start = calendar[folds[-1][1][0]]
    valid_start = test_start - np.timedelta64(valid_size, "D")
    return TimeSplit(valid_start.astype(date), test_start.astype(date), embargo_days)
