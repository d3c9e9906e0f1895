"""Spoken announcements: one WAV file per (announcement, revision, language), made offline.

A worker speaks the texts with espeak-ng (``make``); the web process only serves finished
files and asks for missing ones (``request``). A file's name carries a hash of the words it
speaks, so a reviewer's correction of a language makes a new file instead of serving stale
sound under the old name.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from server.channels import alerts
from server.channels.voices import Voice, voice_for
from server.core import tasks
from server.core.extensions import db, redis_client
from server.core.tasks import TaskName
from server.models import Announcement
from server.words import AnnouncementStatus

log = logging.getLogger(__name__)
RATE_WPM = 140  # slower than espeak-ng's 175: a gym full of people, a loudspeaker
REQUEST_DEDUPE_SECONDS = 20  # boards asking at once send the worker one task, not one each


@dataclass(frozen=True)
class Spoken:
    """One language of an announcement as sound: what is said, and where its file is."""

    lang: str
    voice: Voice
    status: str  # ready | making | no_voice | no_text | no_engine
    text: str | None = None  # the words given to the voice (kana for Japanese)
    digest: str | None = None
    path: Path | None = None


def engine() -> str | None:
    """Return the espeak-ng program, or None when it is not installed."""
    return shutil.which("espeak-ng")


def _to_kana(text: str) -> str:
    from translations.furigana import furigana

    return "".join(reading or base for base, reading in furigana(text))


def source_text(lang: str, texts: dict[str, str]) -> str | None:
    """Pick the text a language is spoken from: Japanese from やさしい日本語 when written."""
    if lang == "ja":
        return texts.get("ja-x-easy") or texts.get("ja")
    return texts.get(lang)


def folder(announcement_id: int, revision: int) -> Path:
    """Return the folder of one revision's sound files under DATA_DIR."""
    base = Path(current_app.config["DATA_DIR"]) / "speech"
    return base / str(announcement_id) / f"r{revision}"


def plan(announcement: Announcement, langs: list[str] | None = None) -> list[Spoken]:
    """Describe each language of the current revision as sound (nothing is made here)."""
    revision = announcement.revisions[-1]
    texts = alerts.texts(announcement, revision)
    order = langs or list(
        dict.fromkeys(
            [
                announcement.source_lang,
                "ja",
                "ja-x-easy",
                *current_app.config["TARGET_LANGUAGES"],
            ]
        )
    )
    found = engine() is not None
    result = []
    for lang in order:
        voice = voice_for(lang)
        text = source_text(lang, texts)
        if voice.voice is None:
            result.append(Spoken(lang, voice, "no_voice"))
        elif not text:
            result.append(Spoken(lang, voice, "no_text"))
        elif not found:
            result.append(Spoken(lang, voice, "no_engine"))
        else:
            said = _to_kana(text) if voice.voice == "ja" else text
            digest = hashlib.sha256(f"{voice.voice}\n{RATE_WPM}\n{said}".encode()).hexdigest()[:16]
            path = folder(announcement.id, revision.revision) / f"{lang}-{digest}.wav"
            status = "ready" if path.exists() else "making"
            result.append(Spoken(lang, voice, status, said, digest, path))
    return result


def synthesize(voice: str, text: str, path: Path) -> None:
    """Speak ``text`` into a WAV file (written aside, then renamed: never half a file)."""
    program = engine()
    if program is None:
        raise RuntimeError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    subprocess.run(
        [program, "-v", voice, "-s", str(RATE_WPM), "-w", str(partial), "--stdin"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=True,
    )
    os.replace(partial, path)


def make(announcement_id: int, revision: int) -> int:
    """Make the missing files of a current revision; return how many were made (idempotent)."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or not announcement.is_current(revision):
        return 0
    made = 0
    for item in plan(announcement):
        if item.status == "making" and item.path and item.text and item.voice.voice:
            synthesize(item.voice.voice, item.text, item.path)
            made += 1
    log.info("spoke announcement=%s revision=%s: %s file(s)", announcement_id, revision, made)
    return made


def request(announcement: Announcement) -> bool:
    """Ask a worker for the missing files of the current revision; False when none are missing."""
    if announcement.status != AnnouncementStatus.ACTIVE:
        return False
    if not any(s.status == "making" for s in plan(announcement)):
        return False
    client = redis_client()
    key = f"tagengo:speech:{announcement.id}:{announcement.revision}"
    if client is not None and not client.set(key, 1, nx=True, ex=REQUEST_DEDUPE_SECONDS):
        return True  # asked a moment ago; the worker is on it
    try:
        tasks.send(TaskName.SPEAK_ANNOUNCEMENT, announcement.id, announcement.revision)
    except Exception:
        log.warning("broker unavailable: speech of announcement %s waits", announcement.id)
    return True


def seconds(path: Path) -> float:
    """Return the length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())
