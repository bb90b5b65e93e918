"""Conversation features into the lake and the warehouse.

Rebuilt whole from ``conversation_turns`` on every run (each dataset published atomically):

    lake/conversation_features/dt=…   one row per call or chat (by the day it started)
    lake/promises_to_pay/dt=…         one row per promise found (by the day it was made)
    lake/customer_features/part-0…    one row per customer token

and the warehouse tables ``conversation.conversation_features``,
``conversation.promises_to_pay`` and ``conversation.customer_features``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from conversation_analytics.conversations import register_turns
from conversation_analytics.features import feature_tables
from conversation_analytics.outputs import replace_dataset, write_file
from ingestion.lake_store import LakeStore


def build_features(store: LakeStore, warehouse: Path) -> dict[str, int]:
    with store.configure(duckdb.connect()) as con:
        register_turns(con, store)
        conversations, customers, promises = feature_tables(con)
        starts = con.execute("select distinct conversation_id, conversation_start "
                             "from conversation_turns").pl()
    promised = pl.from_arrow(promises).join(starts, on="conversation_id", how="left")
    replace_dataset(store, "conversation_features", pl.from_arrow(conversations),
                    "conversation_start", "conversation_id")
    replace_dataset(store, "promises_to_pay", promised, "conversation_start", "conversation_id")
    write_file(pl.from_arrow(customers), store, "customer_features", "part-0.parquet")
    tables = {"conversation_features": pl.from_arrow(conversations),
              "promises_to_pay": promised, "customer_features": pl.from_arrow(customers)}
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists conversation")
        for name, frame in tables.items():
            con.register("frame", frame.to_arrow())
            con.execute(f"create or replace table conversation.{name} as select * from frame")
            con.unregister("frame")
    return {name: frame.height for name, frame in tables.items()}
