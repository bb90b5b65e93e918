"""dbt-duckdb plugin (``plugins`` of the duckdb target in dbt/profiles.yml): every connection
of a dbt build reads the lake where the settings put it, on S3 through the httpfs extension
and the store's secret (see ``ingestion.lake_store``); a local lake needs nothing."""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from workphone.settings import Settings


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        Settings.from_env().lake_store.configure(conn)
