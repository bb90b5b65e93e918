"""Resources shared by every asset group."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from workphone.settings import Settings


class WorkphoneSettings(dg.ConfigurableResource):
    """Where the product reads and writes, ``WORKPHONE_HOME`` unless ``home`` is given, and the
    engine dbt builds on, ``WORKPHONE_ENGINE`` unless ``engine`` is given."""

    home: str | None = None
    engine: str | None = None

    def settings(self) -> Settings:
        update: dict[str, object] = {}
        if self.home is not None:
            update["home"] = Path(self.home).resolve()
        if self.engine is not None:
            update["engine"] = self.engine
        base = Settings.from_env()
        return Settings.model_validate({**base.model_dump(), **update}) if update else base
