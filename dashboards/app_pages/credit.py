"""Credit: the score distribution, a customer's score with its reason codes, and the validation
report of the model."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import ui
from dashboards.components import plain
from dashboards.queries import credit

viewer, db = ui.page("credit")
summary = credit.summary(db, viewer)
if not summary["applications"]:
    st.info("No credit scores yet: the credit model scores after `workphone run`.")
    st.stop()
cols = st.columns(3)
cols[0].metric("Applications scored", f"{summary['applications']:,}")
cols[1].metric("Median score", ui.number(summary["median_score"], 0))
cols[2].metric("Mean predicted bad rate", ui.pct(summary["mean_p_bad"]))
st.caption(f"Model {summary['model_version']}, scored as of {summary['scored_as_of']}. "
           "600 points at 50:1 good:bad odds, 20 points to double the odds.")

st.subheader("Score distribution")
bands = credit.score_distribution(db, viewer)
st.altair_chart(alt.Chart(bands).mark_bar().encode(
    x=alt.X("band_from:Q", bin=alt.Bin(step=credit.BAND_POINTS, extent=[
        float(bands["band_from"].min()), float(bands["band_from"].max()) + credit.BAND_POINTS]),
        title="score"),
    y=alt.Y("applications:Q")), width="stretch")

st.subheader("A customer")
customer_id = st.text_input("Customer id", placeholder="CU00001234").strip()
if customer_id:
    profile, scores = credit.customer(db, viewer, customer_id)
    if profile is None:
        st.info(f"No customer {customer_id}.")
    else:
        st.markdown(f"`{profile['name']}` · `{profile['phone']}` · {plain(profile['city'])} · "
                    f"age {profile['age']} · {profile['employment_type']} · stated income "
                    f"{ui.cny(profile['stated_monthly_income'])}/month · bureau "
                    f"{profile['bureau_score']}")
        for row in scores.itertuples(index=False):
            st.metric(f"Loan {row.loan_id} ({row.application_date:%Y-%m-%d})", f"{row.score:.0f}",
                      f"p(bad) {ui.pct(row.p_bad)}", delta_color="off", delta_arrow="off")
            reasons = pd.DataFrame([
                {"reason": f"{getattr(row, f'reason_{k}_zh')} "
                           f"{getattr(row, f'reason_{k}_en')}",
                 "points": getattr(row, f"reason_{k}_points")}
                for k in (1, 2, 3) if getattr(row, f"reason_{k}_zh")])
            st.dataframe(reasons, hide_index=True)

st.subheader("Validation report")
report = credit.validation_report(db, viewer)
if report is None:
    st.info("The validation report of this model version is not in the model registry.")
else:
    disc = report["discrimination"]
    st.dataframe(pd.DataFrame(disc).T, width="stretch")
    st.metric("AUC gain over the bureau-only model",
              f"{report['auc_gain_over_bureau_only']:+.3f}")
    st.caption("Calibration by score band")
    st.dataframe(pd.DataFrame(report["calibration"]), hide_index=True, width="stretch",
                 column_config={"bad_rate": ui.PERCENT, "predicted": ui.PERCENT})
    st.caption("Population stability (PSI) between quarters")
    st.dataframe(pd.DataFrame(report["psi"]), width="stretch")
    if report.get("claim"):
        st.caption(report["claim"].get("definition", ""))
        st.json(report["claim"], expanded=False)
