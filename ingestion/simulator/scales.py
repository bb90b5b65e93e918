"""How big a simulated world is: the named scales and what each one generates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    customers_per_line_quarter: int
    """Loans originated per business line per quarter (acquisition drives everything else)."""
    m1_entries_per_quarter: int
    """Collection cases entering M1 per quarter, back book included."""
    contacted_lead_share: float
    """Share of non-converting leads whose first contact becomes a conversation with content."""


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 15, 40, 0.5),
    "small": Scale("small", 450, 1500, 0.4),
    "medium": Scale("medium", 2500, 8000, 0.4),
    "large": Scale("large", 20000, 60000, 0.4),
}


class ScaleError(ValueError):
    """An unknown scale name."""


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ScaleError(f"unknown scale {name!r}: use one of {', '.join(SCALES)}") from None
