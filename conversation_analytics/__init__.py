"""Conversation analytics: compliance findings, alerts and conversation features from
transcripts, chats and contact metadata.

Domain code only: functions take paths, frames or connections and return data.
"""
