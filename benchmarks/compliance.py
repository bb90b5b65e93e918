"""Content compliance: accuracy on the team's held-out split and on the simulated world, speed,
and the violation mix recovered from the findings.

    .venv/bin/python benchmarks/compliance.py [--world-dir DIR]

--world-dir is a WORKPHONE_HOME where `make demo` ran (default ./data: the report-2025 world at
`small`, ingested, transcribed and with findings built); without one, only the held-out split and
the speed are measured. Reports:
- held_out: per-label precision / recall / F1 on the corpus test split (never trained on), and
  the share of compliant utterances flagged;
- planted_utterances: the same on every agent utterance the simulator planted (its utterance
  library is disjoint from the corpus: this is generalisation, not memory);
- recordings: the same on the transcripts of the simulated recordings, each planted turn matched
  to the transcribed agent utterances that overlap it in time;
- throughput: utterances per second of ``ContentEngine.classify`` on the planted utterances;
- violation_mix: among sales conversations with findings, the share of each label, against the
  mix the world planted (`sales_violation_mix`);
- sales_compliance: per business line and quarter, the share of planted sales conversations in
  which the engine raises no content finding (utterance or conversation rule), against the
  world's `sales_compliance_rate`.
Writes benchmarks/results/compliance.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import polars as pl

from conversation_analytics.content import ContentEngine
from conversation_analytics.content_model import load_corpus
from conversation_analytics.evaluation import label_metrics

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-dir", type=Path, default=Path("data"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as models:
        started = time.perf_counter()
        engine = ContentEngine.load(Path(models))
        result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
                  "model": f"{engine.model.name} {engine.model.version}",
                  "rules_version": engine.rules.version,
                  "training_s": round(time.perf_counter() - started, 2),
                  "held_out": held_out(engine)}
    world = args.world_dir
    if (world / "ground_truth").exists():
        planted, speed = planted_utterances(engine, world)
        result |= {"planted_utterances": planted, "throughput": speed,
                   "recordings": recordings(engine, world),
                   "violation_mix": violation_mix(world),
                   "sales_compliance": sales_compliance(engine, world)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "compliance.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


def held_out(engine: ContentEngine) -> dict:
    test = [e for e in load_corpus() if e.split == "test"]
    predicted = engine.classify([e.context for e in test], [e.text for e in test])
    return label_metrics([e.labels for e in test], [p.labels for p in predicted])


def _planted_agent_turns(world: Path) -> pl.DataFrame:
    conversations = pl.read_parquet(world / "ground_truth" / "conversations.parquet",
                                    columns=["conversation_id", "context"])
    return (pl.read_parquet(world / "ground_truth" / "utterances.parquet")
            .filter(pl.col("speaker") == "agent")
            .join(conversations, on="conversation_id"))


def planted_utterances(engine: ContentEngine, world: Path) -> tuple[dict, dict]:
    turns = _planted_agent_turns(world)
    contexts, texts = turns["context"].to_list(), turns["text"].to_list()
    started = time.perf_counter()
    predicted = engine.classify(contexts, texts)
    seconds = time.perf_counter() - started
    truth = [[label] if label else [] for label in turns["labels"]]
    speed = {"utterances": len(texts), "seconds": round(seconds, 2),
             "utterances_per_s": round(len(texts) / seconds), "target": 10_000}
    return label_metrics(truth, [p.labels for p in predicted]), speed


def recordings(engine: ContentEngine, world: Path) -> dict:
    heard_files = list((world / "lake" / "transcripts").glob("dt=*/*.parquet"))
    if not heard_files:
        return {"note": "no transcripts in the lake"}
    conversations = pl.read_parquet(world / "ground_truth" / "conversations.parquet",
                                    columns=["conversation_id", "context"])
    planted = (pl.read_parquet(world / "ground_truth" / "recording_turns.parquet")
               .filter(pl.col("speaker") == "agent").join(conversations, on="conversation_id"))
    context_of = dict(planted.select("call_id", "context").unique().iter_rows())
    heard = pl.read_parquet(heard_files).filter(
        (pl.col("speaker") == "agent") & pl.col("call_id").is_in(list(context_of)))
    results = engine.classify([context_of[c] for c in heard["call_id"]], heard["text"].to_list())
    heard = heard.select("call_id", "start_s", "end_s").with_columns(
        found=pl.Series([r.labels for r in results], dtype=pl.List(pl.String)))
    matched = (planted.join(heard, on="call_id", suffix="_heard")
               .filter((pl.col("start_s_heard") < pl.col("end_s"))
                       & (pl.col("end_s_heard") > pl.col("start_s")))
               .group_by("call_id", "turn")
               .agg(pl.col("found").list.explode(keep_nulls=False, empty_as_null=False)
                    .unique()))
    turns = planted.join(matched, on=["call_id", "turn"], how="left")
    return label_metrics([[t] if t else [] for t in turns["labels"]],
                         [f if f is not None else [] for f in turns["found"]])


def violation_mix(world: Path) -> dict:
    files = list((world / "lake" / "compliance_findings").glob("dt=*/*.parquet"))
    if not files:
        return {"note": "no findings: run `workphone compliance run` first"}
    found = (pl.read_parquet(files).filter((pl.col("context") == "sales")
                                           & pl.col("kind").is_in(["content", "conversation"]))
             .select("conversation_id", "label").unique())
    weights = found.with_columns(weight=1 / pl.len().over("conversation_id"))
    measured = weights.group_by("label").agg(pl.col("weight").sum())
    total = measured["weight"].sum()
    measured = {label: round(weight / total, 4) for label, weight in measured.iter_rows()}
    planted = json.loads((world / "ground_truth" / "world.json").read_text())[
        "sales_violation_mix"]
    return {"conversations_with_findings": found["conversation_id"].n_unique(),
            "labels": {label: {"planted": share, "measured": measured.get(label, 0.0),
                               "points_off": round(100 * abs(measured.get(label, 0.0) - share),
                                                   1)}
                       for label, share in planted.items()},
            "other_labels": {k: v for k, v in measured.items() if k not in planted}}


def sales_compliance(engine: ContentEngine, world: Path) -> dict:
    """Per business line × quarter: the planted compliance rate of sales conversations, the
    rate the engine measures (a conversation is compliant when no content finding is raised
    on its agent turns, conversation rules included) and the points between them."""
    conversations = pl.read_parquet(
        world / "ground_truth" / "conversations.parquet",
        columns=["conversation_id", "context", "business_line", "quarter", "compliant"],
    ).filter(pl.col("context") == "sales")
    turns = (pl.read_parquet(world / "ground_truth" / "utterances.parquet",
                             columns=["conversation_id", "turn", "speaker", "text"])
             .filter(pl.col("speaker") == "agent")
             .join(conversations.select("conversation_id"), on="conversation_id")
             .sort("conversation_id", "turn"))
    results = engine.classify(["sales"] * turns.height, turns["text"].to_list())
    flagged = {c for c, r in zip(turns["conversation_id"], results, strict=True) if r.labels}
    for (conversation,), group in turns.group_by(["conversation_id"]):
        if conversation not in flagged and engine.unmet_statements(
                "sales", group["text"].to_list()):
            flagged.add(conversation)
    measured = conversations.with_columns(
        found=~pl.col("conversation_id").is_in(list(flagged)))
    planted = json.loads((world / "ground_truth" / "world.json").read_text())["business_lines"]
    cells = {}
    for line, quarter, rate, truth, n in (
            measured.group_by("business_line", "quarter")
            .agg(pl.col("found").mean(), pl.col("compliant").mean(), pl.len())
            .sort("business_line", "quarter").iter_rows()):
        target = planted[line]["sales_compliance_rate"][quarter]
        cells[f"{line} {quarter}"] = {"conversations": n, "planted": target,
                                      "simulated": round(truth, 4), "measured": round(rate, 4),
                                      "points_off": round(100 * (rate - target), 1)}
    return cells


if __name__ == "__main__":
    main()
