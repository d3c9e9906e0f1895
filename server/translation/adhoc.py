"""Ad-hoc translations for the API: texts wait in Redis, a worker translates, the caller waits.

Texts never travel as Celery arguments (they may hold residents' words); the task carries a
job id and the texts expire from Redis within minutes.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from typing import Any, cast

import redis
from flask import current_app

from server.core.errors import ApiError
from server.core.extensions import redis_client
from server.translation import memory
from translations import machine, pipeline

TASK = "workers.tasks.translate_texts"
TTL_SECONDS = 300


def _redis() -> redis.Redis:
    client = redis_client()
    if client is None:
        raise ApiError(503, "no_worker", "no Redis is configured, so no worker can translate")
    return cast(redis.Redis, client)


def request(
    texts: list[str], source: str, target: str, timeout: float = 60
) -> list[pipeline.Result]:
    """Hand texts to a worker and wait for its answer."""
    job = uuid.uuid4().hex
    client = _redis()
    key = f"tagengo:job:{job}"
    client.set(
        key, json.dumps({"texts": texts, "source": source, "target": target}), ex=TTL_SECONDS
    )
    current_app.extensions["celery"].send_task(TASK, args=[job])
    answer = client.blpop([key + ":done"], timeout=timeout)
    client.delete(key)
    if answer is None:
        raise ApiError(
            504,
            "translation_timeout",
            f"no worker answered within {timeout:.0f} s; is a worker running?",
        )
    return [pipeline.Result(**r) for r in json.loads(answer[1])]


def run(job: str) -> int:
    """Translate a waiting job (worker side) and hand the results back; return the count."""
    client = _redis()
    key = f"tagengo:job:{job}"
    raw = client.get(key)
    if raw is None:
        return 0  # the caller gave up and the texts expired
    data: dict[str, Any] = json.loads(raw)
    results = translate_texts(data["texts"], data["source"], data["target"])
    client.rpush(key + ":done", json.dumps([asdict(r) for r in results]))
    client.expire(key + ":done", TTL_SECONDS)
    return len(results)


def translate_texts(texts: list[str], source: str, target: str) -> list[pipeline.Result]:
    """Phrasebook, memory, then one batched machine call for whatever is left."""
    backend = machine.backend(current_app)
    planned = [
        pipeline.plan(pipeline.Source(text=t, lang=source), target, backend, memory.lookup)
        for t in texts
    ]
    waiting = [i for i, r in enumerate(planned) if r is None]
    if waiting and backend is not None:
        outputs = backend.translate(
            [texts[i] for i in waiting], pipeline.argos_code(source), pipeline.argos_code(target)
        )
        for i, out in zip(waiting, outputs, strict=True):
            planned[i] = out
    return [r for r in planned if r is not None]
