"""The repositories of one tenant, one concept a module; ``TenantScope`` joins them."""

from bot.store.records.checkins import CheckInRecords
from bot.store.records.drafts import DraftRecords
from bot.store.records.goals import GoalRecords
from bot.store.records.notebook import NotebookRecords
from bot.store.records.nudges import NudgeRecords
from bot.store.records.predictions import PredictionRecords
from bot.store.records.published import PublishedItem, PublishedRecords
from bot.store.records.reflections import ReflectionRecords
from bot.store.records.sources import SourceRecords
from bot.store.records.works import WorkRecords

__all__ = [
    "CheckInRecords",
    "DraftRecords",
    "GoalRecords",
    "NotebookRecords",
    "NudgeRecords",
    "PredictionRecords",
    "PublishedItem",
    "PublishedRecords",
    "ReflectionRecords",
    "SourceRecords",
    "WorkRecords",
]
