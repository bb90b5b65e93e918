"""DuckDB's ``fts`` extension, from the PyPI package built for the installed DuckDB version."""

from __future__ import annotations

import duckdb

from workphone.duckdb_extensions import load_extension


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    load_extension(con, "fts")
