"""Read-only access to the warehouse, with the search index attached as ``search``.

DuckDB is single-writer, and even a reader keeps a writer out: the app opens both files
read-only for one script run only (``ui.warehouse``), so a build can replace them while the app
is up, and retries for a few seconds while a build holds the warehouse for writing. Every query
runs on its own cursor and takes its values as ``?`` parameters. Search needs no extension at
query time: its tables are plain ones (``search_index.build``).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd

from dashboards import access_log
from dashboards.access import Viewer
from workphone.settings import Settings

OPEN_ATTEMPTS = 10
OPEN_PAUSE_S = 0.5


class WarehouseUnavailable(RuntimeError):
    """The warehouse is missing or stayed locked by a writer; the message says what to do."""


class Warehouse:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        path = settings.warehouse_path
        if not path.exists():
            raise WarehouseUnavailable(f"no warehouse at {path}: run `workphone run` first")
        self._con = settings.lake_store.configure(_connect(path))
        self.has_search = settings.search_index_path.exists()
        if self.has_search:  # the connections of a process to one file share its attachments
            index = _quoted(settings.search_index_path)
            self._con.execute(f"attach if not exists '{index}' as search (read_only)")

    def frame(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        with self._con.cursor() as cursor:
            return cursor.execute(sql, list(params)).df()

    def rows(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        with self._con.cursor() as cursor:
            return cursor.execute(sql, list(params)).fetchall()

    def log(self, viewer: Viewer, action: str, target: str, **details: object) -> None:
        access_log.record(self.settings.access_log_path, viewer, action, target, **details)

    def close(self) -> None:
        self._con.close()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    attempt = 1
    while True:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as error:
            if attempt == OPEN_ATTEMPTS:
                raise WarehouseUnavailable(
                    f"{path} stayed locked by a writer for {OPEN_ATTEMPTS * OPEN_PAUSE_S:.0f} s "
                    f"({error}); try again when the build has finished") from error
            attempt += 1
            time.sleep(OPEN_PAUSE_S)


def _quoted(path: Path) -> str:
    """A trusted path (from the settings) as the inside of a SQL string literal."""
    return str(path).replace("'", "''")
