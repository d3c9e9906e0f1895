"""The drill domain's words, each spelt once."""

from __future__ import annotations

from enum import StrEnum


class DrillStatus(StrEnum):
    """Where a drill run stands."""

    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"  # every inject released or skipped, or ended by the controller
    RESET = "reset"  # its data removed; the run and its evaluation stay for the record


class InjectStatus(StrEnum):
    SCHEDULED = "scheduled"
    RELEASED = "released"
    SKIPPED = "skipped"


class InjectKind(StrEnum):
    """What an inject creates (the scenario schema's ``type``)."""

    NEWS = "news"  # an incoming item on the console, with the expected template
    INQUIRY = "inquiry"  # a resident's question in their language
    SHELTER_REPORT = "shelter_report"  # a round report with needs
    PHASE_CHANGE = "phase_change"  # proposed to the director (the drill's phase, not the center's)
    TRANSLATION_REQUEST = "translation_request"  # from a "municipality" into the requests queue


class Rating(StrEnum):
    """An evaluator's judgement of one inject against its expected action and target."""

    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


class Verdict(StrEnum):
    """A measure against the inject's ``target_minutes``."""

    WITHIN = "within"
    OVER = "over"
    NOT_DONE = "not_done"
    NOT_RELEASED = "not_released"  # scheduled or skipped: nothing to measure
