"""The world file: what the simulator plants, validated with errors that name the key.

A world is a YAML file (or the name of one shipped in ``worlds/``). The keys of the default
world are documented in ``worlds/report-2025.yaml``; every key below has the same meaning.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

WORLDS_DIR = Path(__file__).parent / "worlds"
CHANNELS = ("short_video", "offline_scene", "own_online", "third_party_platform")
BUSINESS_LINES = ("consumer", "auto")
STAGES = ("M1", "M2", "M3plus")
SALES_LABELS = (
    "rate_concealment",
    "intermediary_fee_hint",
    "false_limit_promise",
    "off_book_transaction",
    "abusive_language",
)
COLLECTION_LABELS = (
    "threat_intimidation",
    "third_party_disclosure",
    "threat_home_visit",
    "abusive_language",
    "impersonation",
    "off_book_transaction",
)
BEHAVIOUR_INDICATORS = (
    "income_truthfulness",
    "repayment_cooperation",
    "promise_keeping",
    "responsiveness",
    "hostility",
    "contact_stability",
    "information_consistency",
    "engagement",
    "complaint_propensity",
    "private_channel_requests",
)
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")

Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Quarter = str
ByQuarter = dict[Quarter, Rate]


class WorldError(ValueError):
    """A world file that cannot be used; the message names the file, the key and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(_Strict):
    share: Rate
    cac_cny: Annotated[float, Field(gt=0)]
    conversion_rate: Annotated[float, Field(gt=0.0, le=1.0)]


class LoanTerms(_Strict):
    principal_cny: tuple[Annotated[float, Field(gt=0)], Annotated[float, Field(gt=0)]]
    apr: tuple[Rate, Rate]
    term_months: list[Annotated[int, Field(ge=1, le=120)]]


class BusinessLine(_Strict):
    channels: dict[Literal[CHANNELS], Channel]  # type: ignore[valid-type]
    sales_compliance_rate: ByQuarter
    followups_per_rep_day: Annotated[float, Field(gt=0)] = 20.0
    loan: LoanTerms = LoanTerms(principal_cny=(5000, 50000), apr=(0.12, 0.24), term_months=[12])

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> BusinessLine:
        total = sum(c.share for c in self.channels.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"channel shares must add up to 1.0, they add up to {total:.4f}")
        return self


class SalesPitch(_Strict):
    low_rate_conversion_lift: Annotated[float, Field(ge=0.0)] = 0.40
    low_rate_share: ByQuarter = {}


class ProductDemand(_Strict):
    renovation_growth_qoq_tier34: Annotated[float, Field(ge=-0.9)] = 0.40
    renovation_base_share: Rate = 0.10


class Stage(_Strict):
    recovery_rate: Rate
    complaint_rate: Rate


class CollectionCompliance(_Strict):
    in_house: ByQuarter = {}
    agency: ByQuarter = {}


class Collection(_Strict):
    stages: dict[Literal[STAGES], Stage]  # type: ignore[valid-type]
    m2_peak_answer_hours: list[Annotated[int, Field(ge=8, le=21)]]
    m2_peak_answer_lift: Annotated[float, Field(ge=0.0)]
    m2_mean_answer_rate: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.30
    debtor_answer_hour_lift: Annotated[float, Field(ge=0.0, le=5.0)] = 1.5
    in_house_share: Rate
    fake_visit_rate: Rate
    agencies: Annotated[int, Field(ge=1, le=50)] = 4
    compliance_rate: CollectionCompliance = CollectionCompliance()
    violation_mix: dict[Literal[COLLECTION_LABELS], Rate] = {  # type: ignore[valid-type]
        "threat_intimidation": 0.30,
        "third_party_disclosure": 0.25,
        "threat_home_visit": 0.20,
        "abusive_language": 0.15,
        "impersonation": 0.05,
        "off_book_transaction": 0.05,
    }
    conduct_breach_rate: Rate = 0.02

    @model_validator(mode="after")
    def _check(self) -> Collection:
        missing = [s for s in STAGES if s not in self.stages]
        if missing:
            raise ValueError(f"stages must define {', '.join(STAGES)}; missing {missing}")
        _check_mix(self.violation_mix, "violation_mix")
        hours = set(self.m2_peak_answer_hours)
        if not hours:
            raise ValueError("m2_peak_answer_hours must name at least one hour between 8 and 21")
        if (1 + self.m2_peak_answer_lift) * len(hours) >= 14:
            raise ValueError(
                "m2_peak_answer_lift is too large for the number of peak hours: "
                "(1 + lift) x peak hours must stay below the 14 allowed hours"
            )
        if self.m2_mean_answer_rate * peak_weight(len(hours), self.m2_peak_answer_lift) > 0.95:
            raise ValueError(
                "m2_mean_answer_rate x peak lift would push the peak-hour answer rate past 0.95"
            )
        return self


class Credit(_Strict):
    base_default_rate: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.12
    bureau_effect: Annotated[float, Field(ge=0.0)] = 0.8
    behaviour_effects: dict[Literal[BEHAVIOUR_INDICATORS], Annotated[float, Field(ge=0)]] = {  # type: ignore[valid-type]
        name: 0.3 for name in BEHAVIOUR_INDICATORS
    }


class Defects(_Strict):
    redelivered_file: Rate = 0.002
    duplicate_event: Rate = 0.003
    late_arrival: Rate = 0.01
    clock_skew_device: Rate = 0.03
    malformed_record: Rate = 0.001
    missing_field: Rate = 0.001
    gbk_export: bool = True


class Recordings(_Strict):
    """Calls rendered as real audio (stereo WAV: agent left, customer right)."""

    calls: dict[str, Annotated[int, Field(ge=0)]] = {
        "tiny": 3, "small": 40, "medium": 100, "large": 300}
    """How many calls per scale; scales not listed render none."""
    phone_line_share: Rate = 0.3
    """Share delivered through a phone line (8 kHz, band-limited, μ-law) instead of 16 kHz."""
    customer_semitones: Annotated[float, Field(ge=-12, le=12)] = -3.0
    """Pitch shift of the customer's voice, so the parties sound different."""
    violation_share: Rate = 0.4
    """Share of rendered calls chosen among conversations with a planted violation."""


class Period(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must come after start ({self.start})")
        return self


class World(_Strict):
    name: str = "custom"
    lender: str = "华信消费金融"
    period: Period
    business_lines: dict[Literal[BUSINESS_LINES], BusinessLine]  # type: ignore[valid-type]
    sales_violation_mix: dict[Literal[SALES_LABELS], Rate]  # type: ignore[valid-type]
    sales_pitch: SalesPitch = SalesPitch()
    product_demand: ProductDemand = ProductDemand()
    collection: Collection
    credit: Credit = Credit()
    defects: Defects = Defects()
    recordings: Recordings = Recordings()

    @model_validator(mode="after")
    def _check(self) -> World:
        _check_mix(self.sales_violation_mix, "sales_violation_mix")
        quarters = set(self.quarters)
        for line_name, line in self.business_lines.items():
            _check_quarters(
                line.sales_compliance_rate,
                quarters,
                f"business_lines.{line_name}.sales_compliance_rate",
            )
        for key, by_quarter in (
            ("sales_pitch.low_rate_share", self.sales_pitch.low_rate_share),
            ("collection.compliance_rate.in_house", self.collection.compliance_rate.in_house),
            ("collection.compliance_rate.agency", self.collection.compliance_rate.agency),
        ):
            if by_quarter:
                _check_quarters(by_quarter, quarters, key)
        return self

    @property
    def quarters(self) -> list[str]:
        """Calendar quarters touched by the period, as ``2025Q1``."""
        out: list[str] = []
        day = self.period.start
        while day <= self.period.end:
            label = quarter_of(day)
            if label not in out:
                out.append(label)
            day += dt.timedelta(days=1)
        return out

    def sales_compliance(self, line: str, quarter: str) -> float:
        return self.business_lines[line].sales_compliance_rate[quarter]  # type: ignore[index]

    def low_rate_share(self, quarter: str) -> float:
        return self.sales_pitch.low_rate_share.get(quarter, 0.5)

    def collection_compliance(self, handler: str, quarter: str) -> float:
        table = getattr(self.collection.compliance_rate, handler)
        return table.get(quarter, 0.96 if handler == "in_house" else 0.90)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def peak_weight(n_peak: int, lift: float, n_hours: int = 14) -> float:
    """Answer-rate weight of a peak hour such that the peak rate is ``(1 + lift)`` times the mean
    of the hourly rates over the allowed window (non-peak hours have weight 1)."""
    return (1 + lift) * (n_hours - n_peak) / (n_hours - (1 + lift) * n_peak)


def _check_mix(mix: dict[str, float], key: str) -> None:
    total = sum(mix.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ValueError(f"{key} shares must add up to 1.0, they add up to {total:.4f}")


def _check_quarters(values: dict[str, float], quarters: set[str], key: str) -> None:
    bad = [q for q in values if not QUARTER_RE.match(q)]
    if bad:
        raise ValueError(f"{key}: quarter keys look like 2025Q1, got {bad}")
    missing = sorted(quarters - set(values))
    if missing:
        raise ValueError(
            f"{key} must give a value for every quarter of the period; missing {missing}"
        )


def available_worlds() -> list[str]:
    return sorted(p.stem for p in WORLDS_DIR.glob("*.yaml"))


def resolve_world_path(world: str | Path) -> Path:
    path = Path(world)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise WorldError(f"world file {path} does not exist")
        return path
    shipped = WORLDS_DIR / f"{world}.yaml"
    if not shipped.exists():
        raise WorldError(
            f"unknown world {world!r}: give a YAML file path or one of {available_worlds()}"
        )
    return shipped


def load_world(world: str | Path) -> World:
    """Load and validate a world; raise :class:`WorldError` naming the key and what it expects."""
    path = resolve_world_path(world)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise WorldError(f"world file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise WorldError(f"world file {path} must be a mapping of keys, got {type(data).__name__}")
    data.setdefault("name", path.stem)
    try:
        return World.model_validate(data)
    except ValidationError as exc:
        raise WorldError(_explain(path, exc)) from exc


def _explain(path: Path, exc: ValidationError) -> str:
    lines = [f"world file {path} is not valid:"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        got = err.get("input")
        got_text = "" if isinstance(got, dict) else f" (got {got!r})"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "this key is required"
        elif err["type"] == "extra_forbidden":
            message = "unknown key; check its spelling against worlds/report-2025.yaml"
        elif err["type"] == "literal_error":
            message = f"unknown name; {message.lower()}"
        lines.append(f"  - {key}: {message}{got_text}")
    return "\n".join(lines)
