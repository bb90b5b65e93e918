"""DuckDB extensions from the PyPI packages built for the installed DuckDB version
(``duckdb-extension-<name>``), since nothing may be downloaded at run time.

``LOAD '<path>'`` loads the package's binary straight from there, with no download and no write
to an extension directory (so it works on read-only connections too).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb


def extension_path(name: str) -> Path:
    """The ``<name>.duckdb_extension`` file for this DuckDB version."""
    root = Path(str(resources.files(f"duckdb_extension_{name}"))) / "extensions"
    path = root / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} missing: install duckdb-extension-{name}=={duckdb.__version__} (the "
            "package must match the DuckDB version exactly)")
    return path


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"load '{extension_path(name)}'")
