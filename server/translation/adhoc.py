"""Ad-hoc translations for the API: the worker plans, machine jobs translate, the caller waits.

Texts never travel as Celery arguments (they may hold residents' words): they wait in Redis
for the planning task, and as machine jobs in the database for the drain, which answers each
one into a Redis list the web process reads. Phrasebook and memory answer at once.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from typing import Any, cast

import redis

from server.core import tasks
from server.core.errors import ApiError
from server.core.extensions import db, redis_client
from server.core.tasks import TaskName
from server.models import MachineJob
from server.translation import engine, machine_jobs, memory
from server.words import JobKind
from translations import pipeline

TTL_SECONDS = 300


def _redis() -> redis.Redis:
    client = redis_client()
    if client is None:
        raise ApiError(503, "no_worker", "no Redis is configured, so no worker can translate")
    return cast(redis.Redis, client)


def _key(job: str) -> str:
    return f"tagengo:job:{job}"


def request(
    texts: list[str], source: str, target: str, timeout: float = 60
) -> list[pipeline.Result]:
    """Hand texts to a worker and wait until every one is answered."""
    job = uuid.uuid4().hex
    client = _redis()
    key = _key(job)
    client.set(
        key, json.dumps({"texts": texts, "source": source, "target": target}), ex=TTL_SECONDS
    )
    tasks.send(TaskName.TRANSLATE_TEXTS, job)
    answers: dict[int, pipeline.Result] = {}
    try:
        while len(answers) < len(texts):
            answer = client.blpop([key + ":done"], timeout=timeout)
            if answer is None:
                raise ApiError(
                    504,
                    "translation_timeout",
                    f"no worker answered within {timeout:.0f} s; is a worker running?",
                )
            item = json.loads(answer[1])
            answers[item["i"]] = pipeline.Result(**item["result"])
    finally:
        client.delete(key, key + ":done")
    return [answers[i] for i in range(len(texts))]


def _answer(job: str, index: int, result: pipeline.Result) -> None:
    client = _redis()
    client.rpush(_key(job) + ":done", json.dumps({"i": index, "result": asdict(result)}))
    client.expire(_key(job) + ":done", TTL_SECONDS)


def run(job: str) -> int:
    """Worker side: answer what needs no model, queue the rest as machine jobs; return count."""
    client = _redis()
    raw = client.get(_key(job))
    if raw is None:
        return 0  # the caller gave up and the texts expired
    data: dict[str, Any] = json.loads(raw)
    source, target = data["source"], data["target"]
    backend = engine.translator()
    queued = 0
    for i, text in enumerate(data["texts"]):
        result = pipeline.plan(
            pipeline.Source(text=text, lang=source), target, backend, memory.lookup
        )
        if result is not None:
            _answer(job, i, result)
            continue
        machine_jobs.enqueue(JobKind.ADHOC, source, target, text, ref_key=f"{job}:{i}")
        queued += 1
    db.session.commit()
    if queued:
        machine_jobs.wake(source, target)
    return len(data["texts"])


@machine_jobs.finisher(JobKind.ADHOC)
def _finish(done: list[tuple[MachineJob, pipeline.Result]]) -> machine_jobs.Finished:
    answers = [(job.ref_key or ":", result) for job, result in done]

    def reply() -> None:
        for ref, result in answers:
            job, _, index = ref.rpartition(":")
            _answer(job, int(index), result)

    return len(answers), reply
