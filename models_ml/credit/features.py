"""Reading the credit features from the warehouse, and the export risk teams pull.

``export_features(settings, as_of, out)`` writes, for one as-of date, every borrower's row of
``marts.fct_customer_communication_features`` (the ten indicators, point in time) as Parquet.
``training_frame(con)`` joins the applications (``marts.fct_credit_applications``) with their
application snapshot (as_of_date = the eve of disbursement).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from workphone.settings import Settings

FEATURES_TABLE = "marts.fct_customer_communication_features"
APPLICATIONS_TABLE = "marts.fct_credit_applications"


def export_features(settings: Settings, as_of: date, out: Path) -> int:
    """Write the features of every customer with a snapshot as of ``as_of`` to ``out``
    (Parquet) and return the row count. A month end holds every borrower disbursed by then; any
    other day holds the customers whose loan was disbursed the day after (their application
    snapshot). Every row knows only the events dated on or before ``as_of``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        frame = con.execute(
            f"select * from {FEATURES_TABLE} where as_of_date = ? order by customer_id",
            [as_of],
        ).pl()
    frame.write_parquet(out, compression="zstd")
    return frame.height


def training_frame(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per new loan: application data, its application-snapshot features, the label."""
    return con.execute(f"""
        select applications.*, features.* exclude (customer_id, as_of_date)
        from {APPLICATIONS_TABLE} as applications
        left join {FEATURES_TABLE} as features
            on features.customer_id = applications.customer_id
            and features.as_of_date = applications.application_date
        order by applications.disbursed_at, applications.loan_id
    """).pl()


def load_training_frame(warehouse_path: Path) -> pl.DataFrame:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return training_frame(con)
