"""The validation report of a model version (JSON and HTML, saved with the artifact): AUC, Gini,
KS, calibration by score band, PSI of the score and of every feature between quarters, and the
industry report's claim tested on this world (weak bureau score, strong communication)."""

from __future__ import annotations

import html
import json

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

PSI_BINS = 10
BANDS = (0, 500, 540, 570, 600, 630, 660, 1000)


def auc(y, s) -> float | None:
    y = np.asarray(y, dtype=int)
    if y.min() == y.max():
        return None
    return float(roc_auc_score(y, s))


def ks(y, s) -> float | None:
    """Kolmogorov-Smirnov: largest gap between the score distributions of bads and goods."""
    y = np.asarray(y, dtype=int)
    s = np.asarray(s, dtype=float)
    if y.min() == y.max():
        return None
    order = np.argsort(-s, kind="stable")
    ys = y[order]
    bad = np.cumsum(ys) / ys.sum()
    good = np.cumsum(1 - ys) / (1 - ys).sum()
    return float(np.max(np.abs(bad - good)))


def discrimination(y, risk) -> dict:
    """AUC, Gini (2 AUC - 1) and KS of a risk score (higher = more likely bad)."""
    a = auc(y, risk)
    return {"auc": a, "gini": None if a is None else 2 * a - 1, "ks": ks(y, risk),
            "rows": int(len(y)), "bads": int(np.sum(y))}


def psi(expected, actual, bins: int = PSI_BINS) -> float | None:
    """Population stability index of ``actual`` against ``expected`` over the deciles of
    ``expected`` (missing values form a bin of their own)."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if len(e) == 0 or len(a) == 0:
        return None
    finite = e[~np.isnan(e)]
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1])) if len(finite) \
        else np.array([])

    def shares(x):
        counts = np.bincount(np.where(np.isnan(x), len(edges) + 1,
                                      np.searchsorted(edges, x, side="right")),
                             minlength=len(edges) + 2)
        return np.clip(counts / len(x), 1e-4, None)

    pe, pa = shares(e), shares(a)
    return float(np.sum((pa - pe) * np.log(pa / pe)))


def calibration(frame: pl.DataFrame, bands=BANDS) -> list[dict]:
    """Per score band: rows, observed bad rate, mean predicted p_bad."""
    labels = [f"{lo}-{hi}" for lo, hi in zip(bands[:-1], bands[1:], strict=True)]
    banded = frame.with_columns(
        band=pl.col("score").cut(list(bands[1:-1]), labels=labels, left_closed=True))
    out = (banded.group_by("band").agg(rows=pl.len(), bad_rate=pl.col("is_bad").mean(),
                                       predicted=pl.col("p_bad").mean())
           .with_columns(pl.col("band").cast(pl.String)))
    order = {b: i for i, b in enumerate(labels)}
    return sorted(out.to_dicts(), key=lambda r: order.get(r["band"], 99))


def stability(frame: pl.DataFrame, columns: list[str], period: str = "quarter") -> dict:
    """PSI of the score and of each column between consecutive quarters (first = expected)."""
    quarters = sorted(frame[period].drop_nulls().unique().to_list())
    out: dict = {}
    for prev, cur in zip(quarters[:-1], quarters[1:], strict=True):
        a = frame.filter(pl.col(period) == prev)
        b = frame.filter(pl.col(period) == cur)
        out[f"{prev}->{cur}"] = {
            c: psi(a[c].cast(pl.Float64).fill_null(np.nan).to_numpy(),
                   b[c].cast(pl.Float64).fill_null(np.nan).to_numpy())
            for c in ["score", *columns]
        }
    return out


def report_claim(frame: pl.DataFrame, approval_rate: float = 0.7) -> dict:
    """The report's claim on this world: customers with a weak bureau score (bottom third) but
    strong communication behaviour (top third of the communication sub-score, risk from the
    indicators alone). At the same overall approval rate, their approval under the full model
    against the bureau-only policy (lift), and their bad rate against the average."""
    n = frame.height
    if n == 0:
        return {}
    k = int(round(approval_rate * n))
    bureau_rank = frame["bureau_score"].rank("ordinal", descending=True).to_numpy()
    full_rank = frame["score"].rank("ordinal", descending=True).to_numpy()
    weak = frame["bureau_score"].to_numpy() <= np.quantile(frame["bureau_score"], 1 / 3)
    comm = frame["communication_points"].to_numpy()
    strong = comm >= np.quantile(comm, 2 / 3)
    group = weak & strong
    bad = frame["is_bad"].cast(pl.Float64).to_numpy()
    approved_bureau, approved_full = bureau_rank <= k, full_rank <= k
    out = {
        "approval_rate": approval_rate, "rows": n, "group_rows": int(group.sum()),
        "definition": "weak bureau = bottom third of bureau_score; strong communication = top "
                      "third of the communication points (score contributions of the ten "
                      "indicators)",
        "average_bad_rate": float(np.mean(bad)),
    }
    if group.sum():
        ab, af = float(approved_bureau[group].mean()), float(approved_full[group].mean())
        out |= {
            "group_bad_rate": float(bad[group].mean()),
            "group_bad_rate_minus_average_points": float(100 * (bad[group].mean() - bad.mean())),
            "group_approval_bureau_only": ab,
            "group_approval_full_model": af,
            "group_approval_lift": None if ab == 0 else af / ab - 1,
            "group_approval_gain_points": 100 * (af - ab),
            "portfolio_bad_rate_bureau_only": float(bad[approved_bureau].mean()),
            "portfolio_bad_rate_full_model": float(bad[approved_full].mean()),
        }
    return out


def to_html(report: dict) -> str:
    """A self-contained HTML page of the report."""
    def table(rows: list[dict]) -> str:
        if not rows:
            return "<p>none</p>"
        head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in r.values()) + "</tr>"
                       for r in rows)
        return f"<table><tr>{head}</tr>{body}</table>"

    parts = [f"<h1>Credit model validation — {html.escape(str(report.get('version', '')))}</h1>"]
    parts.append("<h2>Discrimination (test period)</h2>")
    parts.append(table([{"model": m} | v for m, v in report["discrimination"].items()]))
    parts.append("<h2>Calibration by score band (test period)</h2>")
    parts.append(table(report["calibration"]))
    parts.append("<h2>Population stability (PSI) between quarters</h2>")
    for pair, values in report["psi"].items():
        parts.append(f"<h3>{html.escape(pair)}</h3>")
        parts.append(table([{"variable": k, "psi": v} for k, v in values.items()]))
    parts.append("<h2>The report's claim: weak bureau, strong communication</h2>")
    parts.append(table([{"measure": k, "value": v} for k, v in report["claim"].items()]))
    parts.append("<h2>Scaling and label</h2><pre>"
                 + html.escape(json.dumps({k: report[k] for k in ("scaling", "label", "split")
                                           if k in report}, indent=2, ensure_ascii=False,
                                          default=str)) + "</pre>")
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>credit validation"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    return html.escape("" if v is None else str(v))
