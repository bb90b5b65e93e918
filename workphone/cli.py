"""The ``workphone`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from workphone.settings import get_settings

app = typer.Typer(
    help="Analytics warehouse for the work phones of consumer-finance and auto-finance lenders.",
    no_args_is_help=True,
    add_completion=False,
)


def _progress(message: str) -> None:
    typer.echo(f"[workphone] {message}", err=True)


@app.command()
def simulate(
    world: Annotated[str, typer.Option(help="World YAML file, or the name of a shipped world")]
    = "report-2025",
    scale: Annotated[str, typer.Option(help="tiny | small | medium | large")] = "small",
    out: Annotated[Path | None, typer.Option(
        help="Output folder: raw/ and ground_truth/ are written in it [default: WORKPHONE_HOME]")]
    = None,
    seed: Annotated[int, typer.Option(help="Random seed; same world+scale+seed, same bytes")] = 42,
) -> None:
    """Simulate a lender's work phones and business systems into raw captures."""
    from ingestion.simulator.scales import ScaleError
    from ingestion.simulator.simulate import simulate as run_simulation
    from ingestion.simulator.world import WorldError

    target = out or get_settings().home
    try:
        result = run_simulation(world, scale, target, seed=seed, progress=_progress)
    except (WorldError, ScaleError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    summary = {
        "out": str(result.out_dir),
        "seconds": round(result.seconds, 1),
        "communication_records": result.communication_records,
        "records": result.records,
    }
    json.dump(summary, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


@app.command()
def ingest(
    raw: Annotated[Path | None, typer.Option(
        help="Folder of raw captures [default: WORKPHONE_HOME/raw]")] = None,
    feed: Annotated[list[str] | None, typer.Option(
        help="Only these feeds (repeatable) [default: every feed with a contract]")] = None,
) -> None:
    """Ingest every raw file not yet ingested into the lake; print counts per feed as JSON."""
    from ingestion.ingest import ingest as run_ingest

    settings = get_settings()
    try:
        report = run_ingest(settings, raw=raw, feeds=feed, progress=_progress)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    json.dump(report.as_dict(), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


@app.command()
def worlds() -> None:
    """List the worlds shipped with the product."""
    from ingestion.simulator.world import available_worlds

    for name in available_worlds():
        typer.echo(name)


if __name__ == "__main__":
    app()
