"""Score scaling: probability of default -> points, log-odds contributions -> points.

points = offset + factor * ln(good:bad odds), factor = PDO / ln 2,
offset = base_points - factor * ln(base_odds). Defaults: 600 points at good:bad odds of 50:1,
20 points to double the odds (PDO). A contribution of c to the log-odds of *bad* moves the
score by -factor * c points.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Scaling:
    base_points: float = 600.0
    base_odds: float = 50.0      # good:bad
    pdo: float = 20.0

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        return self.base_points - self.factor * math.log(self.base_odds)

    def points(self, p_bad) -> np.ndarray:
        p = np.clip(np.asarray(p_bad, dtype=float), 1e-12, 1 - 1e-12)
        return self.offset + self.factor * np.log((1 - p) / p)

    def points_from_logit(self, logit_bad) -> np.ndarray:
        return self.offset - self.factor * np.asarray(logit_bad, dtype=float)

    def p_bad(self, points) -> np.ndarray:
        odds = np.exp((np.asarray(points, dtype=float) - self.offset) / self.factor)
        return 1.0 / (1.0 + odds)

    def contribution_points(self, contrib_logit) -> np.ndarray:
        return -self.factor * np.asarray(contrib_logit, dtype=float)

    def as_dict(self) -> dict:
        return asdict(self) | {"factor": self.factor, "offset": self.offset}
