"""The request domain's words: the states of a piece and of an interpreter request."""

from __future__ import annotations

from enum import StrEnum


class PieceStatus(StrEnum):
    """One target language of a translation request."""

    WAITING = "waiting"  # in the queue of its language
    CLAIMED = "claimed"  # a translator holds it (until claimed_until)
    CHECKING = "checking"  # translated; a second person checks it
    DELIVERED = "delivered"  # checked and handed to the requester


class InterpreterStatus(StrEnum):
    OPEN = "open"
    DISPATCHED = "dispatched"
    CANCELLED = "cancelled"


class PieceAction(StrEnum):
    """What the history of a piece records."""

    CLAIM = "claim"
    RELEASE = "release"
    LAPSE = "lapse"  # the claim ran out with nobody working on it
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"  # the checker sent it back to the translator
    DELIVER = "deliver"
