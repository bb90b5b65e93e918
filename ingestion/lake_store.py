"""Where the lake's files live: a local folder, or a prefix of a bucket on S3-compatible storage.

``WORKPHONE_LAKE`` is a local path (the default, ``WORKPHONE_HOME/lake``) or an
``s3://bucket/prefix`` URI; the endpoint, region and keys of an S3 store come from the settings
(``WORKPHONE_S3_*``). Python writes through a pyarrow filesystem; DuckDB reads and writes
through its httpfs extension (``configure``), Polars through its object store options.

Object storage has no rename. A file written there appears whole or not at all, so the lake's
publication works the same on both: a batch is written under ``_staging/``, each finished file
is moved into place (a rename on disk; a server-side copy, then a delete, on S3), and the batch's
manifest is written last. A reader never sees part of a file; a batch that crashed before its
manifest is ingested again and its records already in place are skipped as duplicates.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from workphone.duckdb_extensions import load_extension


@dataclass(frozen=True)
class S3Options:
    """How to reach an S3-compatible store. ``endpoint`` is empty for AWS itself, else the
    store's URL (``http://`` or ``https://``, host and port); ``url_style`` is ``path`` for
    most S3-compatible servers, ``vhost`` for AWS."""

    endpoint: str = ""
    region: str = "us-east-1"
    access_key_id: str = ""
    secret_access_key: str = ""
    url_style: str = "path"

    @property
    def use_ssl(self) -> bool:
        return not self.endpoint.startswith("http://")

    @property
    def host(self) -> str:
        return self.endpoint.split("://", 1)[-1].rstrip("/")


class LakeStore:
    """The lake's root (``uri``) and the filesystem that holds it."""

    def __init__(self, uri: str | Path, s3: S3Options | None = None) -> None:
        text = str(uri)
        self.remote = text.startswith("s3://")
        if self.remote:
            parsed = urlparse(text)
            if not parsed.netloc:
                raise ValueError(f"WORKPHONE_LAKE={text!r} names no bucket: write it as "
                                 "s3://bucket/prefix")
            self.uri = text.rstrip("/")
            self._root = f"{parsed.netloc}/{parsed.path.strip('/')}".rstrip("/")
            self.s3 = s3 or S3Options()
            self.filesystem: pafs.FileSystem = pafs.S3FileSystem(
                access_key=self.s3.access_key_id or None,
                secret_key=self.s3.secret_access_key or None,
                region=self.s3.region,
                endpoint_override=self.s3.endpoint or None,
                scheme="https" if self.s3.use_ssl else "http",
                force_virtual_addressing=self.s3.url_style == "vhost")
        else:
            self.uri = str(Path(text).resolve())
            self._root = self.uri
            self.s3 = None
            self.filesystem = pafs.LocalFileSystem()

    def __repr__(self) -> str:
        return f"LakeStore({self.uri!r})"

    @property
    def bucket(self) -> str:
        return self._root.split("/", 1)[0]

    # -- names -------------------------------------------------------------------------------
    def url(self, *parts: str) -> str:
        """A location under the lake as DuckDB and Polars name it (globs allowed)."""
        return "/".join([self.uri, *parts])

    def path(self, *parts: str) -> str:
        """The same location as the pyarrow filesystem names it (no scheme)."""
        return "/".join([self._root, *parts])

    def url_of(self, path: str) -> str:
        """A pyarrow filesystem path as DuckDB and Polars name it."""
        return f"s3://{path}" if self.remote else path

    # -- reading -----------------------------------------------------------------------------
    def files(self, *parts: str, suffix: str = ".parquet") -> list[str]:
        """Filesystem paths of every file under ``parts`` whose name ends in ``suffix``, in
        name order (none when the folder does not exist)."""
        if not self.remote:
            folder = Path(self.path(*parts))
            found = folder.rglob(f"*{suffix}") if folder.is_dir() else ()
            return sorted(str(p) for p in found if p.is_file())
        selector = pafs.FileSelector(self.path(*parts), recursive=True, allow_not_found=True)
        return sorted(info.path for info in self.filesystem.get_file_info(selector)
                      if info.type == pafs.FileType.File and info.path.endswith(suffix))

    def has_files(self, *parts: str, suffix: str = ".parquet") -> bool:
        if not self.remote:
            folder = Path(self.path(*parts))
            return folder.is_dir() and any(folder.rglob(f"*{suffix}"))
        return bool(self.files(*parts, suffix=suffix))

    def configure(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """Let ``con`` read and write the lake: on S3, DuckDB's httpfs extension and a secret
        scoped to the lake's bucket."""
        if self.remote:
            load_extension(con, "httpfs")
            values = {"key_id": self.s3.access_key_id, "secret": self.s3.secret_access_key,
                      "region": self.s3.region, "endpoint": self.s3.host or "s3.amazonaws.com",
                      "url_style": self.s3.url_style, "scope": f"s3://{self.bucket}"}
            options = ", ".join(f"{name} {_sql_text(value)}" for name, value in values.items())
            con.execute(f"create or replace secret workphone_lake (type s3, {options}, "
                        f"use_ssl {str(self.s3.use_ssl).lower()})")
        return con

    def polars_options(self) -> dict[str, str] | None:
        """``storage_options`` for Polars' readers (None for a local lake)."""
        if not self.remote:
            return None
        options = {"aws_access_key_id": self.s3.access_key_id,
                   "aws_secret_access_key": self.s3.secret_access_key,
                   "aws_region": self.s3.region}
        if self.s3.endpoint:
            options["aws_endpoint_url"] = self.s3.endpoint
            options["aws_allow_http"] = "false" if self.s3.use_ssl else "true"
        return options

    # -- writing -----------------------------------------------------------------------------
    def make_parent(self, *parts: str) -> None:
        """Create the folder a file will be written to (object storage needs none)."""
        if not self.remote:
            Path(self.path(*parts)).parent.mkdir(parents=True, exist_ok=True)

    def write_table(self, table: pa.Table, *parts: str, **options) -> None:
        self.make_parent(*parts)
        pq.write_table(table, self.path(*parts), filesystem=self.filesystem, **options)

    def write_frame(self, frame: pl.DataFrame, *parts: str) -> None:
        """Write one zstd Parquet file whole: on disk beside its place, then renamed into it;
        on object storage straight to its key."""
        target = self.path(*parts)
        if self.remote:
            with self.filesystem.open_output_stream(target) as out:
                frame.write_parquet(out, compression="zstd")
            return
        staged = Path(target).with_name(f".{Path(target).name}.{os.getpid()}.partial")
        staged.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(staged, compression="zstd")
        os.replace(staged, target)

    def move(self, source: str, destination: str) -> None:
        """Move one file (filesystem paths): an atomic rename on disk; on S3 a copy, which
        appears whole, then the delete of the source."""
        if self.remote:
            self.filesystem.copy_file(source, destination)
            self.filesystem.delete_file(source)
        else:
            Path(destination).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, destination)

    def delete_tree(self, *parts: str) -> None:
        if not self.remote:
            shutil.rmtree(self.path(*parts), ignore_errors=True)
            return
        for path in self.files(*parts, suffix=""):
            self.filesystem.delete_file(path)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
