"""Read ODCS v3 contract files into the small model that ingestion enforces.

A contract file is validated against the Open Data Contract Standard's own Pydantic model
(``open-data-contract-standard``); the product's extensions live in ``customProperties``:

- contract level: ``feedKind`` (``device`` JSON Lines per device per day | ``export`` CSV per
  day), ``eventTime`` (when a record happened: its retention, and where in the lake its key is
  looked up), ``communication`` (true when records are communications kept for the retention
  period);
- field level: ``pii`` (``phone`` | ``name`` | ``id_number`` | ``bank_card`` | ``chat_id``
  (a WeChat/WeCom account id) | ``free_text``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from open_data_contract_standard.model import OpenDataContractStandard
from pydantic import ValidationError

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "data_contracts"
LOGICAL_TYPES = {"string", "integer", "number", "boolean", "timestamp", "date"}
PII_CLASSES = {"phone", "name", "id_number", "bank_card", "chat_id", "free_text"}
FEED_KINDS = {"device", "export"}


class ContractError(ValueError):
    """A contract file that cannot be enforced; the message names the file and the key."""


@dataclass(frozen=True)
class Field:
    name: str
    logical_type: str
    required: bool
    description: str
    pii: str | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contract:
    feed: str
    version: str
    kind: str
    owner: str
    description: str
    event_time: str
    primary_key: tuple[str, ...]
    fields: tuple[Field, ...]
    freshness_hours: float
    communication: bool
    path: Path

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.feed}: no field {name!r} in {self.path.name}")

    @property
    def pii_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.pii)


def _custom(props, key: str, default=None):
    for prop in props or []:
        if prop.property == key:
            return prop.value
    return default


def load_contract(path: Path) -> Contract:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        odcs = OpenDataContractStandard.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ContractError(f"{path}: not a valid ODCS v3 contract: {exc}") from exc
    if not odcs.schema_ or len(odcs.schema_) != 1:
        raise ContractError(f"{path}: schema must hold exactly one object (the feed)")
    obj = odcs.schema_[0]
    kind = _custom(odcs.customProperties, "feedKind")
    if kind not in FEED_KINDS:
        raise ContractError(f"{path}: customProperties.feedKind must be one of {FEED_KINDS}")
    fields = []
    for prop in obj.properties or []:
        where = f"{path.name}: schema.{obj.name}.properties.{prop.name}"
        if prop.logicalType not in LOGICAL_TYPES:
            raise ContractError(f"{where}.logicalType must be one of {sorted(LOGICAL_TYPES)}")
        pii = _custom(prop.customProperties, "pii")
        if pii is not None and pii not in PII_CLASSES:
            raise ContractError(f"{where}: customProperties.pii must be one of "
                                f"{sorted(PII_CLASSES)}, got {pii!r}")
        options = prop.logicalTypeOptions or {}
        fields.append(Field(
            name=prop.name,
            logical_type=prop.logicalType,
            required=bool(prop.required),
            description=(prop.description or "").strip(),
            pii=pii,
            pattern=options.get("pattern"),
            minimum=options.get("minimum"),
            maximum=options.get("maximum"),
            allowed=tuple(str(e.value) for e in prop.enum or []),
        ))
    primary_key = tuple(
        p.name for p in sorted((p for p in obj.properties or [] if p.primaryKey),
                               key=lambda p: p.primaryKeyPosition or 0)
    )
    if not primary_key:
        raise ContractError(f"{path}: no property is marked primaryKey")
    event_time = _custom(odcs.customProperties, "eventTime")
    if event_time not in {f.name for f in fields}:
        raise ContractError(f"{path}: customProperties.eventTime must name a property")
    freshness = next((s for s in odcs.slaProperties or [] if s.property == "freshness"), None)
    if freshness is None:
        raise ContractError(f"{path}: slaProperties needs a freshness entry (value, unit: h)")
    return Contract(
        feed=obj.name,
        version=odcs.version,
        kind=kind,
        owner=odcs.team.name if odcs.team and not isinstance(odcs.team, list) else "",
        description=(odcs.description.purpose if odcs.description else "") or "",
        event_time=event_time,
        primary_key=primary_key,
        fields=tuple(fields),
        freshness_hours=float(freshness.value),
        communication=bool(_custom(odcs.customProperties, "communication", False)),
        path=path,
    )


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    contracts = {}
    for path in sorted(directory.glob("*.yaml")):
        contract = load_contract(path)
        if contract.feed != path.stem:
            raise ContractError(f"{path}: schema name {contract.feed!r} must match the file name")
        contracts[contract.feed] = contract
    return contracts
