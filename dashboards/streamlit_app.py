"""The dashboard's entry point (``workphone dashboard`` runs it with ``streamlit run``): sign-in,
then the pages the viewer's role may open, each run on a warehouse connection of its own."""

from __future__ import annotations

import streamlit as st

from dashboards.access import PAGES
from dashboards.signin import sign_out, signed_in
from dashboards.ui import close_warehouse

st.set_page_config(page_title="工作手机分析 Work-phone analytics", layout="wide")

viewer = signed_in()
if viewer is None:
    st.stop()
with st.sidebar:
    agency = f" · {viewer.agency_id}" if viewer.agency_id else ""
    st.caption(f"Signed in as **{viewer.username}** ({viewer.role}{agency})")
    st.caption("Personal data: " + ("unmasked" if viewer.unmasked else "masked"))
    st.button("Sign out", on_click=sign_out)

pages = [st.Page(f"app_pages/{key}.py", title=title, url_path=key)
         for key, (title, _) in PAGES.items() if viewer.may_open(key)]
try:
    st.navigation(pages).run()
finally:
    close_warehouse()
