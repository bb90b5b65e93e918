"""Resources shared by every asset group."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from workphone.settings import Settings


class WorkphoneSettings(dg.ConfigurableResource):
    """Where the product reads and writes, ``WORKPHONE_HOME`` unless ``home`` is given; the
    lake, ``WORKPHONE_LAKE`` unless ``lake`` is given (a folder or an ``s3://`` URI); and the
    engine dbt builds on, ``WORKPHONE_ENGINE`` unless ``engine`` is given."""

    home: str | None = None
    lake: str | None = None
    engine: str | None = None

    def settings(self) -> Settings:
        update: dict[str, object] = {}
        if self.home is not None:
            update["home"] = Path(self.home).resolve()
        if self.lake is not None:
            update["lake"] = self.lake
        if self.engine is not None:
            update["engine"] = self.engine
        base = Settings.from_env()
        return Settings.model_validate({**base.model_dump(), **update}) if update else base
