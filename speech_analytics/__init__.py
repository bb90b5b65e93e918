"""Speech and conversation analytics: call recordings → speaker-attributed utterances.

Domain code only: functions take paths, arrays, frames or connections and return data; the
Dagster layer (``dagster_project``) schedules them.
"""
