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
    recordings: Annotated[int | None, typer.Option(
        help="Calls to render as real audio [default: the world's count for the scale]")]
    = None,
) -> None:
    """Simulate a lender's work phones and business systems into raw captures."""
    from ingestion.simulator.scales import ScaleError
    from ingestion.simulator.simulate import simulate as run_simulation
    from ingestion.simulator.world import WorldError

    target = out or get_settings().home
    try:
        result = run_simulation(world, scale, target, seed=seed, progress=_progress,
                                recordings=recordings)
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
def transcribe(
    file: Annotated[Path | None, typer.Argument(
        help="A recording (WAV, FLAC, OGG, MP3; stereo = agent left, customer right)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    pending: Annotated[bool, typer.Option(
        "--pending", help="Instead of FILE: transcribe every recorded call of the lake not yet "
        "transcribed by the current model")] = False,
) -> None:
    """Transcribe one recording, or (--pending) every recorded call in the lake."""
    from speech_analytics.audio import RecordingRejected
    from speech_analytics.backends import load_configured_backend
    from speech_analytics.batch import transcribe_pending
    from speech_analytics.transcribe import transcribe_file

    settings = get_settings()
    if pending == (file is not None):
        typer.echo("error: give a FILE or --pending (not both)", err=True)
        raise typer.Exit(2)
    if pending:
        reports = transcribe_pending(settings, progress=_progress)
        json.dump([vars(r) for r in reports if r.due], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    backend = load_configured_backend(settings)
    try:
        transcript = transcribe_file(backend, file, settings.asr_max_seconds)
    except RecordingRejected as rejected:
        typer.echo(f"error ({rejected.status}): {rejected.reason}", err=True)
        raise typer.Exit(1) from rejected
    if as_json:
        json.dump(transcript.as_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    for u in transcript.utterances:
        typer.echo(f"[{u.start:7.2f}–{u.end:7.2f}] {u.speaker:>8}: {u.text}")


compliance_app = typer.Typer(help="Compliance: classify text, find violations, work findings.",
                             no_args_is_help=True)
app.add_typer(compliance_app, name="compliance")


@compliance_app.command("classify")
def compliance_classify(
    source: Annotated[Path, typer.Option("--in", help='JSON Lines: {"id", "context", "text"}')],
    target: Annotated[Path, typer.Option("--out", help='JSON Lines: {"id", "labels", '
                                                       '"evidence"}, same order')],
) -> None:
    """Label each utterance with the compliance labels it carries (empty when compliant)."""
    from conversation_analytics.content import ContentEngine

    items = []
    for number, line in enumerate(source.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            items.append((item["id"], item["context"], item["text"]))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            typer.echo(f"error: {source}:{number}: expected a JSON object with id, context "
                       f"and text ({error})", err=True)
            raise typer.Exit(2) from error
    engine = ContentEngine.load(get_settings().models_dir)
    try:
        results = engine.classify([c for _, c, _ in items], [t for _, _, t in items])
    except ValueError as error:
        typer.echo(f"error: {source}: {error}", err=True)
        raise typer.Exit(2) from error
    with target.open("w", encoding="utf-8") as out:
        for (id_, _, _), result in zip(items, results, strict=True):
            out.write(json.dumps(result.as_json(id_), ensure_ascii=False) + "\n")
    typer.echo(f"{len(items)} classified, {sum(bool(r.labels) for r in results)} with labels "
               f"-> {target}", err=True)


@compliance_app.command("run")
def compliance_run(
    min_severity: Annotated[str, typer.Option(help="Alert findings at this severity or above")]
    = "high",
) -> None:
    """Rebuild the findings from the lake, raise alerts, refresh the warehouse tables."""
    from conversation_analytics.content import ContentEngine
    from conversation_analytics.findings import build_findings
    from conversation_analytics.workflow import publish_compliance_tables, raise_alerts

    settings = get_settings()
    counts = build_findings(settings.lake_store, ContentEngine.load(settings.models_dir),
                            progress=_progress)
    alerts = raise_alerts(settings, min_severity)
    publish_compliance_tables(settings)
    json.dump({"findings": counts, "alerts_raised": alerts}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


@compliance_app.command("status")
def compliance_status(
    finding: Annotated[str, typer.Argument(help="The finding id")],
    status: Annotated[str, typer.Argument(help="acknowledged | rectified")],
    by: Annotated[str, typer.Option(help="Who made the change")],
    note: Annotated[str | None, typer.Option(help="What was done")] = None,
) -> None:
    """Move a finding along open → acknowledged → rectified."""
    from conversation_analytics.workflow import (
        WorkflowError,
        publish_compliance_tables,
        set_status,
    )

    settings = get_settings()
    try:
        event = set_status(settings, finding, status, by, note)
    except WorkflowError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    publish_compliance_tables(settings)
    typer.echo(json.dumps(event, ensure_ascii=False, default=str))


features_app = typer.Typer(help="Conversation and customer features.", no_args_is_help=True)
app.add_typer(features_app, name="features")


@features_app.command("build")
def features_build() -> None:
    """Rebuild conversation features, promises to pay and customer features from the lake."""
    from conversation_analytics.feature_build import build_features

    settings = get_settings()
    counts = build_features(settings.lake_store, settings.warehouse_path)
    json.dump(counts, sys.stdout)
    sys.stdout.write("\n")


@features_app.command("export")
def features_export(
    as_of: Annotated[str, typer.Option("--as-of", help="As-of date, YYYY-MM-DD: a month end, "
                                       "or the eve of a customer's disbursement")],
    out: Annotated[Path, typer.Option(help="Parquet file to write")],
) -> None:
    """Export the customer communication features known as of a date (for risk teams)."""
    import datetime as dt

    from models_ml.credit.features import export_features

    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError as error:
        typer.echo(f"error: --as-of {as_of!r}: write the date as YYYY-MM-DD", err=True)
        raise typer.Exit(2) from error
    rows = export_features(get_settings(), day, out)
    json.dump({"as_of": as_of, "rows": rows, "out": str(out)}, sys.stdout)
    sys.stdout.write("\n")


@app.command("run")
def run_warehouse(
    models: Annotated[str | None, typer.Option(
        help="dbt selection of the models to build, e.g. staging or +fct_calls "
             "[default: every model]")] = None,
    exclude: Annotated[str | None, typer.Option(
        help="dbt selection of models to leave out")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON "
                                                         "object")] = False,
    retrain: Annotated[bool, typer.Option(
        help="Train new versions of the models even if the latest are younger than "
             "WORKPHONE_MODEL_MAX_AGE_DAYS")] = False,
) -> None:
    """Materialise every asset through Dagster, in process: ingest what WORKPHONE_HOME/raw has
    pending, transcribe, rebuild findings and features, dbt build with tests, score the models
    (training them first when due), index for search; print a summary."""
    from dagster_project.pipeline import run_pass

    settings = get_settings()
    if not settings.raw_dir.is_dir():
        typer.echo(f"error: no raw captures at {settings.raw_dir} (run `workphone simulate` "
                   "or set WORKPHONE_HOME)", err=True)
        raise typer.Exit(2)
    summary = run_pass(settings, models=models, exclude=exclude, say=_progress, retrain=retrain)
    if as_json:
        json.dump(summary.as_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for stage in summary.stages:
            typer.echo(f"{stage.name:<13} {stage.status:<8} {stage.seconds:7.1f} s  {stage.note}")
        for kind, counts in sorted(summary.dbt.items()):
            typer.echo(f"dbt {kind + 's':<9} " + ", ".join(f"{n} {status}" for status, n
                                                            in sorted(counts.items())))
        for failure in summary.failures:
            typer.echo(f"failed        {failure}")
        if summary.marts:
            typer.echo("marts (rows)")
            for table, rows in summary.marts.items():
                typer.echo(f"  {table:<40} {rows:>10,}")
    if not summary.success:
        raise typer.Exit(1)


@app.command()
def kpi(
    quarter: Annotated[str | None, typer.Option(
        help="Report quarter, e.g. 2025Q3, put against Q1 of its year [default: the latest]")]
        = None,
) -> None:
    """Print the management KPI table of the warehouse (Chinese and English labels, units)."""
    from workphone.kpi import KpiError, kpi_table, render

    try:
        table = kpi_table(get_settings().warehouse_path, quarter)
    except KpiError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(render(table))


dashboard_app = typer.Typer(help="The dashboard: start it, manage its users, build its search "
                                 "index.", invoke_without_command=True)
app.add_typer(dashboard_app, name="dashboard")


@dashboard_app.callback()
def dashboard(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option(
        help="Port [default: WORKPHONE_DASHBOARD_PORT or 8501]")] = None,
    address: Annotated[str | None, typer.Option(
        help="Interface [default: WORKPHONE_DASHBOARD_ADDRESS or 127.0.0.1]")] = None,
) -> None:
    """Start the dashboard on the warehouse of WORKPHONE_HOME (read-only), until interrupted."""
    import subprocess

    import dashboards

    if ctx.invoked_subcommand is not None:
        return
    settings = get_settings()
    for path, fix in ((settings.warehouse_path, "run `workphone run`"),
                      (settings.users_path, "run `workphone dashboard users --init`")):
        if not path.exists():
            typer.echo(f"error: {path} is missing: {fix}", err=True)
            raise typer.Exit(2)
    script = Path(dashboards.__file__).parent / "streamlit_app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(script),
               "--server.port", str(port or settings.dashboard_port),
               "--server.address", address or settings.dashboard_address,
               "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    typer.echo(f"dashboard on http://{address or settings.dashboard_address}:"
               f"{port or settings.dashboard_port} (warehouse {settings.warehouse_path})",
               err=True)
    try:
        code = subprocess.call(command)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@dashboard_app.command("users")
def dashboard_users(
    init: Annotated[bool, typer.Option(
        "--init", help="Write a users file: one user per role and one per agency of the "
        "warehouse, with new random passwords, printed once")] = False,
    force: Annotated[bool, typer.Option("--force", help="With --init: replace the file")]
    = False,
    add: Annotated[str | None, typer.Option(help="Add (or replace) this user; asks for the "
                                                 "password")] = None,
    role: Annotated[str | None, typer.Option(help="With --add: analyst, risk, compliance, "
                                                  "management or agency")] = None,
    agency_id: Annotated[str | None, typer.Option(help="With --add --role agency: its "
                                                       "agency")] = None,
) -> None:
    """List the dashboard's users, or create them (--init, --add)."""
    from dashboards.access import Viewer
    from dashboards.users import UsersFileError, add_user, init_users, load_users
    from dashboards.warehouse import Warehouse, WarehouseUnavailable

    settings = get_settings()
    path = settings.users_path
    try:
        if init:
            if path.exists() and not force:
                typer.echo(f"error: {path} exists; add --force to replace its users", err=True)
                raise typer.Exit(2)
            warehouse = Warehouse(settings)
            agencies = [r[0] for r in warehouse.rows(
                "select agency_id from marts.dim_agencies order by agency_id")]
            warehouse.close()
            created = init_users(path, agencies)
            typer.echo(f"Dashboard:  http://{settings.dashboard_address}:"
                       f"{settings.dashboard_port}  (start it: `make dashboard` or "
                       "`.venv/bin/workphone dashboard`)")
            typer.echo(f"Sign-ins ({path}; the passwords are shown only now):")
            for viewer, password in created:
                scope = f" ({viewer.agency_id})" if viewer.agency_id else ""
                typer.echo(f"  {viewer.role + scope:<18} user {viewer.username:<16} "
                           f"password {password}")
            return
        if add:
            viewer = Viewer(add, role or "", agency_id)
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
            add_user(path, viewer, password)
            typer.echo(f"{viewer.username} ({viewer.role}) saved to {path}")
            return
        for user in load_users(path).values():
            scope = f" {user.viewer.agency_id}" if user.viewer.agency_id else ""
            typer.echo(f"{user.viewer.username:<20} {user.viewer.role}{scope}")
    except (UsersFileError, WarehouseUnavailable, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


@dashboard_app.command("index")
def dashboard_index() -> None:
    """(Re)build the full-text search index of every transcript and chat from the lake and the
    warehouse (``workphone run`` does this after the dbt build)."""
    from search_index.build import build_index

    json.dump(build_index(get_settings()), sys.stdout)
    sys.stdout.write("\n")


@app.command()
def worlds() -> None:
    """List the worlds shipped with the product."""
    from ingestion.simulator.world import available_worlds

    for name in available_worlds():
        typer.echo(name)


if __name__ == "__main__":
    app()
