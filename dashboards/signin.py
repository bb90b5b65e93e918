"""Sign-in against the users file (argon2 hashes); the viewer lives in the session."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from dashboards import ui
from dashboards.access import Viewer
from dashboards.users import UsersFileError, authenticate, load_users
from workphone.settings import get_settings

FAILED_PAUSE_S = 1.0


@st.cache_resource(max_entries=2)
def _users(path: str, mtime: float) -> dict:
    del mtime  # the cache key: an edited file is read again
    return load_users(Path(path))


def signed_in() -> Viewer | None:
    """The signed-in viewer; otherwise None, with the sign-in form shown."""
    viewer = ui.current_viewer()
    if viewer is not None:
        return viewer
    path = get_settings().users_path
    st.title("工作手机分析 Work-phone analytics")
    try:
        users = _users(str(path), path.stat().st_mtime if path.exists() else 0.0)
    except UsersFileError as error:
        st.error(str(error))
        return None
    with st.form("sign_in"):
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        viewer = authenticate(users, username.strip(), password)
        if viewer is None:
            time.sleep(FAILED_PAUSE_S)
            st.error("Unknown user name or wrong password.")
        else:
            st.session_state[ui.VIEWER_KEY] = viewer
            st.rerun()
    return None


def sign_out() -> None:
    st.session_state.pop(ui.VIEWER_KEY, None)
