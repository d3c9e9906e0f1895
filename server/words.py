"""The center's domain words as types: statuses, methods and roles, each spelt once.

They are ``StrEnum``s, so a value is stored in the database and sent in JSON as the plain
string it always was ("done", "machine", "admin"), and compares equal to it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a staff account may do."""

    ADMIN = "admin"
    OPERATOR = "operator"
    REVIEWER = "reviewer"
    DIRECTOR = "director"  # センター長: opens, scales down and closes the center
    REQUESTER = "requester"  # municipal staff: send translation and interpreter requests
    REMOTE = "remote"  # a remote translator (広域支援): the request queues only
    EVALUATOR = "evaluator"  # rates a drill's injects; sees drill pages, no personal data


ROLES = tuple(Role)
WRITERS = (Role.ADMIN, Role.OPERATOR)  # publish announcements, work the desk
REVIEWERS = (Role.ADMIN, Role.REVIEWER)  # check machine translations
STAFF = (Role.ADMIN, Role.OPERATOR, Role.REVIEWER, Role.DIRECTOR)  # inquiries, reports
DIRECTORS = (Role.ADMIN, Role.DIRECTOR)  # change the center's phase; run drills
EVALUATORS = (Role.ADMIN, Role.DIRECTOR, Role.EVALUATOR)  # rate a drill, write its report
SCOPED = (Role.REQUESTER, Role.REMOTE, Role.EVALUATOR)  # accounts that see only their own pages
TRANSLATORS = (*STAFF, Role.REMOTE)  # claim and translate a request
CHECKERS = (Role.ADMIN, Role.REVIEWER, Role.REMOTE)  # check another's translation


class AnnouncementStatus(StrEnum):
    ACTIVE = "active"
    RETRACTED = "retracted"


class TranslationStatus(StrEnum):
    """One language of a revision (and of a desk reply)."""

    DONE = "done"
    PENDING = "pending"  # no path, or superseded: the reason says which
    TRANSLATING = "translating"  # a machine job waits or runs
    REVIEW = "review"  # machine text stored, shown once a reviewer approves (review-first)


class Method(StrEnum):
    """How a text was made."""

    PHRASEBOOK = "phrasebook"
    MEMORY = "memory"
    MACHINE = "machine"
    HUMAN = "human"


class InquiryStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # replied, but the resident has no reply in their language yet
    ANSWERED = "answered"
    CLOSED = "closed"
    REFERRED = "referred"


class JobKind(StrEnum):
    """What a machine job's finished text is for."""

    ANNOUNCEMENT = "announcement"  # a language of an announcement revision
    INQUIRY = "inquiry"  # a resident's message, into Japanese for the desk
    REPLY = "reply"  # a desk reply, into the resident's language
    ADHOC = "adhoc"  # a text sent to POST /api/v1/translate
    REQUEST = "request"  # a translation request's machine pre-fill, per target language
