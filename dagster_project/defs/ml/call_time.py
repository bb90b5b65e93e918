"""The best-time-to-call model as two assets: ``call_time_model`` trains, evaluates and
registers a version (``models_dir/call_time/<version>/``); ``call_time_recommendations`` scores
the open cases with the latest version into ``lake/call_time_recommendations/`` and the
warehouse table ``ml.call_time_recommendations``.

Both read the dbt relations below (keyed ``<schema>/<model>`` by the dbt translator).
"""

import dagster as dg

from dagster_project.resources import WorkphoneSettings
from models_ml.call_time.pipeline import score_and_publish, train_and_register

CALL_TIME_MODEL = dg.AssetKey(["ml", "call_time_model"])
CALL_TIME_RECOMMENDATIONS = dg.AssetKey(["ml", "call_time_recommendations"])
WAREHOUSE_INPUTS = [
    dg.AssetKey(["intermediate", "int_debtor_contacts_joined_to_cases"]),
    dg.AssetKey(["marts", "fct_collection_cases"]),
    dg.AssetKey(["marts", "fct_promises_to_pay"]),
    dg.AssetKey(["staging", "stg_lake__loans"]),
    dg.AssetKey(["staging", "stg_lake__repayments"]),
]


class CallTimeConfig(dg.Config):
    seed: int = 0
    plan_days: int = 7


@dg.asset(
    key=CALL_TIME_MODEL,
    deps=WAREHOUSE_INPUTS,
    group_name="ml",
    kinds={"lightgbm"},
    description="Answer and promise-to-pay models per debtor and hour window (LightGBM, "
                "time-split, Platt-calibrated), evaluated against the naive schedules on the "
                "test period; a new registry version under models/call_time/.",
)
def call_time_model(context: dg.AssetExecutionContext, config: CallTimeConfig,
                    workphone: WorkphoneSettings) -> dg.MaterializeResult:
    artifact = train_and_register(workphone.settings(), seed=config.seed)
    metrics = artifact.metrics
    replay = metrics.get("schedules", {}).get("k=3", {}).get("lift", {})
    meta = {"version": artifact.version, "path": str(artifact.path),
            "training_data_sha256": artifact.meta["training_data_sha256"],
            "answer_auc": metrics["answer_model"].get("auc"),
            "answer_logloss": metrics["answer_model"].get("logloss"),
            "promise_auc": metrics["promise_model_per_dial"].get("auc"),
            "promise_logloss": metrics["promise_model_per_dial"].get("logloss")}
    for name, lifts in replay.items():
        for what, value in lifts.items():
            meta[f"lift_k3/{name}/{what}"] = value["lift"]
    context.log.info(f"registered call_time {artifact.version}")
    return dg.MaterializeResult(metadata={k: v for k, v in meta.items() if v is not None})


@dg.asset(
    key=CALL_TIME_RECOMMENDATIONS,
    deps=[CALL_TIME_MODEL, *WAREHOUSE_INPUTS],
    group_name="ml",
    kinds={"parquet", "duckdb"},
    description="Per open case and day, ranked call windows (08-21h) with expected contact and "
                "promise probabilities, within the conduct limits (≤ 6 dials a number a day, "
                "stop at the 3rd answered call).",
)
def call_time_recommendations(context: dg.AssetExecutionContext, config: CallTimeConfig,
                              workphone: WorkphoneSettings) -> dg.MaterializeResult:
    summary = score_and_publish(workphone.settings(), days=config.plan_days)
    return dg.MaterializeResult(metadata={
        "rows": summary["rows"], "cases": summary["cases"],
        "model_version": summary["model_version"], "as_of": summary["as_of"],
        "plan_days": ", ".join(summary["plan_days"])})
