"""What every page shares: the read-only warehouse, the signed-in viewer, number formats."""

from __future__ import annotations

import threading

import streamlit as st

from dashboards.access import PAGES, AccessDenied, Viewer
from dashboards.warehouse import Warehouse, WarehouseUnavailable
from workphone.settings import get_settings

VIEWER_KEY = "viewer"
LINES = {"consumer": "消费金融 consumer", "auto": "汽车金融 auto", "all": "全部 all"}


_run = threading.local()


def warehouse() -> Warehouse:
    """The read-only warehouse of this script run: opened on first use, closed by the entry
    script when the run ends (``close_warehouse``), so the app holds no file between runs."""
    db = getattr(_run, "db", None)
    if db is None:
        db = _run.db = Warehouse(get_settings())
    return db


def close_warehouse() -> None:
    db = getattr(_run, "db", None)
    if db is not None:
        _run.db = None
        db.close()


def current_viewer() -> Viewer | None:
    return st.session_state.get(VIEWER_KEY)


def page(key: str) -> tuple[Viewer, Warehouse]:
    """The viewer and the warehouse for page ``key``; stops the page with a message when no one
    is signed in, the role may not open it, or the warehouse cannot be opened."""
    viewer = current_viewer()
    if viewer is None:
        st.stop()
    title = PAGES[key][0]
    st.title(title)
    if not viewer.may_open(key):
        st.error(f"Your role ({viewer.role}) may not open {title}.")
        st.stop()
    try:
        db = warehouse()
    except WarehouseUnavailable as error:
        st.error(str(error))
        st.stop()
    return viewer, db


def denied(error: AccessDenied) -> None:
    st.info(str(error))


def pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}%}"


def cny(value: float | None) -> str:
    return "–" if value is None or value != value else f"¥{value:,.0f}"


def number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or value != value else f"{value:,.{digits}f}"


PERCENT = st.column_config.NumberColumn(format="percent")
YUAN = st.column_config.NumberColumn(format="¥%.0f")
DECIMAL = st.column_config.NumberColumn(format="%.2f")
