"""The credit model: ``credit_model`` trains a new version (full and bureau-only LightGBM,
validation report) into the model registry; ``credit_scores`` scores every application with the
latest version into the warehouse table ``ml.credit_scores`` and ``lake/credit_scores``."""

import dagster as dg

from dagster_project.resources import WorkphoneSettings
from models_ml.credit import pipeline

FEATURES = dg.AssetKey(["marts", "fct_customer_communication_features"])
APPLICATIONS = dg.AssetKey(["marts", "fct_credit_applications"])
CREDIT_MODEL = dg.AssetKey(["ml", "credit_model"])
CREDIT_SCORES = dg.AssetKey(["ml", "credit_scores"])


@dg.asset(
    key=CREDIT_MODEL,
    deps=[FEATURES, APPLICATIONS],
    group_name="ml",
    kinds={"lightgbm", "python"},
    description="A new version of the credit default model (monotone LightGBM on the bureau "
                "score and the ten communication indicators) in models_dir/credit, with params, "
                "metrics, training-data sha256 and its validation report (JSON, HTML).",
)
def credit_model(context: dg.AssetExecutionContext,
                 workphone: WorkphoneSettings) -> dg.MaterializeResult:
    artifact = pipeline.train_and_register(workphone.settings(), seed=0)
    metrics = artifact.metrics
    disc = metrics["discrimination"]
    context.log.info(f"credit model {artifact.version}: {disc}")
    return dg.MaterializeResult(metadata={
        "version": artifact.version,
        "path": str(artifact.path),
        "training_data_sha256": artifact.meta["training_data_sha256"],
        "test_auc": disc["full_model"]["auc"],
        "test_auc_bureau_only": disc["bureau_only"]["auc"],
        "test_ks": disc["full_model"]["ks"],
        "auc_gain": metrics["auc_gain_over_bureau_only"],
    })


@dg.asset(
    key=CREDIT_SCORES,
    deps=[CREDIT_MODEL, FEATURES, APPLICATIONS],
    group_name="ml",
    kinds={"parquet", "duckdb"},
    description="Credit scores (points: 600 at 50:1 good:bad odds, 20 points to double) with "
                "the top three reason codes (Chinese, English) for every application: "
                "ml.credit_scores and lake/credit_scores/dt=<as of>.",
)
def credit_scores(context: dg.AssetExecutionContext,
                  workphone: WorkphoneSettings) -> dg.MaterializeResult:
    summary = pipeline.score_and_publish(workphone.settings())
    context.log.info(f"credit scores: {summary}")
    return dg.MaterializeResult(metadata=summary)
