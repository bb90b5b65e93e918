"""Resources shared by every asset group."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from workphone.settings import Settings


class WorkphoneSettings(dg.ConfigurableResource):
    """Where the product reads and writes: ``WORKPHONE_HOME`` unless ``home`` is given."""

    home: str | None = None

    def settings(self) -> Settings:
        base = Settings.from_env()
        if self.home is None:
            return base
        return base.model_copy(update={"home": Path(self.home).resolve()})
