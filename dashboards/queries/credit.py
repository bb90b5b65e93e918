"""Credit: the distribution of the non-financial credit score, a customer's scores with their
reason codes, and the validation report of the model version that scored them."""

from __future__ import annotations

import json
import re

import pandas as pd

from dashboards.access import Viewer, require_page
from dashboards.queries.originals import raw_csv_row
from dashboards.warehouse import Warehouse
from ingestion.lake import Lake

PAGE = "credit"
BAND_POINTS = 20
VERSION = re.compile(r"^[0-9A-Za-z._-]+$")


def score_distribution(db: Warehouse, viewer: Viewer) -> pd.DataFrame:
    """Applications per 20-point score band, with the mean predicted bad rate."""
    require_page(viewer, PAGE)
    return db.frame(f"""
        select floor(score / {BAND_POINTS}) * {BAND_POINTS} as band_from,
            count(*) as applications, avg(p_bad) as mean_p_bad
        from ml.credit_scores
        group by band_from
        order by band_from""")


def summary(db: Warehouse, viewer: Viewer) -> dict:
    require_page(viewer, PAGE)
    row = db.rows("""select count(*), median(score), avg(p_bad), max(model_version),
        max(scored_as_of) from ml.credit_scores""")[0]
    return dict(zip(("applications", "median_score", "mean_p_bad", "model_version",
                     "scored_as_of"), row, strict=True))


def customer(db: Warehouse, viewer: Viewer, customer_id: str) -> tuple[dict | None, pd.DataFrame]:
    """(the customer's profile, the score of each of their applications with its three reason
    codes); the view is logged. Risk sees the name and number as the loans export has them,
    other roles their masked forms."""
    require_page(viewer, PAGE)
    found = db.frame("""
        select customer_id, customer_name_masked as name, customer_phone_masked as phone, city,
            age, employment_type, stated_monthly_income, bureau_score, first_disbursed_at, loans
        from marts.dim_customers where customer_id = ?""", [customer_id])
    if found.empty:
        return None, pd.DataFrame()
    profile = found.iloc[0].to_dict()
    scores = db.frame("""
        select loan_id, application_date, bureau_score, score, p_bad,
            reason_1_zh, reason_1_en, reason_1_points, reason_2_zh, reason_2_en,
            reason_2_points, reason_3_zh, reason_3_en, reason_3_points, model_version
        from ml.credit_scores where customer_id = ?
        order by application_date""", [customer_id])
    if viewer.unmasked:
        profile.update(_clear_identity(db, customer_id))
    db.log(viewer, "view_customer", customer_id, unmasked=viewer.unmasked)
    return profile, scores


def _clear_identity(db: Warehouse, customer_id: str) -> dict:
    """Name and number from the customer's first loan as the loans export delivered it."""
    lake = Lake(db.settings.lake_store)
    if not lake.has_data("loans"):
        return {}
    glob = lake.files_glob("loans").replace("'", "''")
    lineage = db.rows(f"""
        select l._source_file, l._source_line, coalesce(f.encoding, 'utf-8')
        from read_parquet('{glob}', hive_partitioning = true) l
        left join ops.ingested_files f on f.source_file = l._source_file
        where l.customer_id = ?
        order by l.disbursed_at limit 1""", [customer_id])
    if not lineage:
        return {}
    file, line, encoding = lineage[0]
    row = raw_csv_row(db.settings.raw_dir, file, int(line), encoding)
    if not row:
        return {}
    return {"name": row.get("customer_name"), "phone": row.get("customer_phone")}


def validation_report(db: Warehouse, viewer: Viewer) -> dict | None:
    """validation.json of the model version in ml.credit_scores (None when missing)."""
    require_page(viewer, PAGE)
    version = summary(db, viewer)["model_version"]
    if not version or not VERSION.match(version):
        return None
    path = db.settings.models_dir / "credit" / version / "validation.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else None
