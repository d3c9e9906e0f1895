"""The shelter domain's words: kinds, statuses, urgencies and need states, each spelt once."""

from __future__ import annotations

from enum import StrEnum


class ShelterKind(StrEnum):
    DESIGNATED = "designated"  # 指定避難所
    WELFARE = "welfare"  # 福祉避難所
    SECONDARY = "secondary"  # 1.5次避難所
    TSUNAMI_BUILDING = "tsunami_building"  # 津波避難ビル
    OTHER = "other"


class ShelterStatus(StrEnum):
    OPENING = "opening"
    OPEN = "open"
    FULL = "full"
    CLOSING = "closing"
    CLOSED = "closed"


class CensusKind(StrEnum):
    """What a census count is about (counts only, never names)."""

    LANGUAGE = "language"  # key: a BCP 47 code
    DIET = "diet"  # key: halal, vegetarian, allergies, …
    CARE = "care"  # key: medical, interpreter, pregnant_or_infants, …


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class NeedStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ADDRESSED = "addressed"
    CLOSED = "closed"


DIET_KEYS = ("halal", "no_pork", "no_beef", "vegetarian", "vegan", "allergies", "other")
CARE_KEYS = ("medical", "medicine", "interpreter", "pregnant_or_infants", "elderly", "disability")
