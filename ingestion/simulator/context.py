"""Shared state of one simulation run: the world, the scale, the calendar and the random streams."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ingestion.simulator.scales import Scale
from ingestion.simulator.world import World

SECOND = np.timedelta64(1, "s")
HOUR = np.timedelta64(3600, "s")
DAY = np.timedelta64(86400, "s")


@dataclass
class SimContext:
    world: World
    scale: Scale
    seed: int
    _streams: dict[str, np.random.Generator] = field(default_factory=dict)

    def rng(self, name: str) -> np.random.Generator:
        """An independent random stream per component, so one part changing leaves the others'
        draws as they were."""
        if name not in self._streams:
            salt = int.from_bytes(name.encode(), "little") % (2**63)
            self._streams[name] = np.random.default_rng([self.seed, salt])
        return self._streams[name]

    @property
    def start(self) -> np.datetime64:
        return np.datetime64(self.world.period.start, "s")

    @property
    def end(self) -> np.datetime64:
        """First second after the period."""
        return np.datetime64(self.world.period.end + dt.timedelta(days=1), "s")

    def quarter_bounds(self) -> list[tuple[str, np.datetime64, np.datetime64]]:
        """(label, first second, first second after) of each quarter, clipped to the period."""
        out = []
        for q in self.world.quarters:
            year, num = int(q[:4]), int(q[-1])
            first = dt.date(year, 3 * num - 2, 1)
            after = dt.date(year + (num == 4), (3 * num) % 12 + 1, 1)
            lo = max(first, self.world.period.start)
            hi = min(after, self.world.period.end + dt.timedelta(days=1))
            out.append((q, np.datetime64(lo, "s"), np.datetime64(hi, "s")))
        return out


def quarters_of(ts: np.ndarray) -> np.ndarray:
    """Quarter labels (``2025Q1``) of an array of datetime64 values."""
    days = ts.astype("datetime64[D]")
    years = days.astype("datetime64[Y]").astype(int) + 1970
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    quarters = (months - 1) // 3 + 1
    return np.char.add(np.char.add(years.astype(str), "Q"), quarters.astype(str))


def at_hour(days: np.ndarray, hours: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Timestamps on ``days`` at the given local ``hours`` plus a random minute and second."""
    seconds = rng.integers(0, 3600, len(days))
    return days.astype("datetime64[s]") + hours.astype(int) * HOUR + seconds * SECOND
