"""The roster's words: kinds of people and organisations, language levels, skills, states."""

from __future__ import annotations

from enum import StrEnum


class PersonKind(StrEnum):
    STAFF = "staff"
    VOLUNTEER = "volunteer"
    INTERPRETER = "interpreter"


class OrgKind(StrEnum):
    CENTER = "center"  # this center's own association
    ASSOCIATION = "association"  # another international association (広域支援)
    COMPANY = "company"
    OTHER = "other"


class Level(StrEnum):
    """How well a person speaks a language, best first."""

    NATIVE = "native"
    FLUENT = "fluent"
    WORKING = "working"


LEVEL_RANK = {Level.NATIVE: 3, Level.FLUENT: 2, Level.WORKING: 1}


class Skill(StrEnum):
    WRITTEN = "written"  # written translation
    INTERPRETING = "interpreting"
    EASY_JAPANESE = "easy_japanese"  # やさしい日本語
    REVIEW = "review"


class PersonStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    OFF = "off"
