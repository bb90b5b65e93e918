"""DuckDB's ``fts`` extension, from the PyPI package built for the installed DuckDB version.

The package ships the extension binary; ``LOAD '<path>'`` loads it straight from there, with no
download and no write to an extension directory (so it works on read-only connections too).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb


def extension_path() -> Path:
    """The ``fts.duckdb_extension`` file for this DuckDB version."""
    root = Path(str(resources.files("duckdb_extension_fts"))) / "extensions"
    path = root / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} missing: install duckdb-extension-fts=={duckdb.__version__} (the package "
            f"must match the DuckDB version exactly)")
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"load '{extension_path()}'")
