"""Typed shapes of the manual documents, as the loader returns them."""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

# The languages the center works in (BCP 47); ja-x-easy is やさしい日本語.
# Kept here so the manuals do not import the translation layer.
CENTER_LANGUAGES: frozenset[str] = frozenset(
    {
        "ja",
        "ja-x-easy",
        "en",
        "zh-Hans",
        "zh-Hant",
        "ko",
        "pt-BR",
        "es",
        "vi",
        "tl",
        "ne",
        "id",
        "th",
        "my",
    }
)

FieldType: TypeAlias = Literal[
    "text",
    "integer",
    "boolean",
    "choice",
    "multi_choice",
    "counts_by_language",
    "counts_by_nationality",
    "date",
    "time",
]
InjectType: TypeAlias = Literal[
    "news", "inquiry", "shelter_report", "phase_change", "translation_request"
]


class Text(TypedDict):
    ja: str
    en: str


class Criterion(TypedDict):
    id: str
    text: Text


class Focus(TypedDict):
    from_hour: int
    until_hour: NotRequired[int]
    text: Text


class ChecklistItem(TypedDict):
    id: str
    text: Text
    team: str
    due_hours: NotRequired[int]
    every_hours: NotRequired[int]


class Phase(TypedDict):
    id: str
    active: bool
    title: Text
    description: Text
    entry_criteria: list[Criterion]
    next: list[str]
    focus: NotRequired[list[Focus]]
    checklist: list[ChecklistItem]


class Team(TypedDict):
    id: str
    name: Text
    description: Text
    duties: list[Text]


class InquiryCategory(TypedDict):
    code: str
    title: Text
    description: Text
    typical_questions: list[Text]
    team: str


class Choice(TypedDict):
    id: str
    label: Text


class DependsOn(TypedDict):
    field: str
    choice: str


class FormField(TypedDict):
    id: str
    label: Text
    type: FieldType
    required: bool
    personal: bool
    choices: NotRequired[list[Choice]]
    help: NotRequired[Text]
    depends_on: NotRequired[DependsOn]


class FormSection(TypedDict):
    id: str
    title: Text
    fields: list[FormField]


class Form(TypedDict):
    id: str
    title: Text
    description: Text
    sections: list[FormSection]


class PhrasebookRef(TypedDict):
    template: str
    slots: NotRequired[dict[str, str | int]]


class NewsContent(TypedDict):
    ja: str
    source: NotRequired[Text]
    phrasebook: NotRequired[PhrasebookRef]


class InquiryContent(TypedDict):
    lang: str
    text: str
    gloss: Text
    category: str


class ShelterReportContent(TypedDict):
    shelter: Text
    total_evacuees: int
    foreign_evacuees: int
    by_language: dict[str, int]
    by_nationality: NotRequired[dict[str, int]]
    notes: NotRequired[Text]


class PhaseChangeContent(TypedDict):
    target: str
    reason: NotRequired[Text]


class TranslationRequestContent(TypedDict):
    lang: str
    text: str
    targets: list[str]
    deadline_minutes: int
    requester: Text
    purpose: NotRequired[Text]


InjectContent: TypeAlias = (
    NewsContent
    | InquiryContent
    | ShelterReportContent
    | PhaseChangeContent
    | TranslationRequestContent
)


class Inject(TypedDict):
    id: str
    offset_minutes: int
    type: InjectType
    content: InjectContent
    expected_action: Text
    target_minutes: int


class Drill(TypedDict):
    id: str
    title: Text
    description: Text
    duration_minutes: int
    start_phase: str
    injects: list[Inject]
