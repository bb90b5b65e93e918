"""Daily partitions of raw deliveries: partition D is what the vendor delivered on day D."""

import dagster as dg

from workphone.settings import get_settings

delivery_days = dg.DailyPartitionsDefinition(
    start_date=get_settings().partitions_start, end_offset=1
)
