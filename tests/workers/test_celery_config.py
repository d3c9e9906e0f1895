"""Celery configuration: each task goes to its own queue and nowhere else."""

from __future__ import annotations

from typing import Any


def test_tasks_route_to_distinct_queues(app: Any) -> None:
    import workers.tasks  # noqa: F401  (registers the tasks)

    celery = app.extensions["celery"]
    queues = {q.name: q for q in celery.conf.task_queues}
    assert set(queues) == {"translate", "machine", "maintenance", "channels"}
    assert len({q.exchange.name for q in queues.values()}) == 4  # no shared exchange fan-out
    router = celery.amqp.router
    assert router.route({}, "workers.tasks.translate_announcement")["queue"].name == "translate"
    assert router.route({}, "workers.tasks.translate_machine")["queue"].name == "machine"
    assert router.route({}, "workers.tasks.sweep_outbox")["queue"].name == "maintenance"
    assert router.route({}, "workers.tasks.speak_announcement")["queue"].name == "channels"
    assert celery.conf.task_create_missing_queues is False
    assert celery.conf.task_acks_late and celery.conf.task_reject_on_worker_lost
    assert celery.conf.beat_schedule["sweep-outbox"]["task"] == "workers.tasks.sweep_outbox"


def test_a_worker_consumes_every_queue_unless_told_and_refuses_unknown_ones() -> None:
    from click.testing import CliRunner

    from server.cli import main
    from server.core import embedded
    from server.core.tasks import QUEUES

    argv = embedded.worker_argv(2)
    assert set(argv[argv.index("-Q") + 1].split(",")) == set(QUEUES)
    argv = embedded.worker_argv(2, queues="machine")
    assert argv[argv.index("-Q") + 1] == "machine"
    result = CliRunner().invoke(main, ["worker", "--queues", "machine,bogus"])
    assert result.exit_code == 2
    assert "unknown queue(s) bogus" in result.output


def test_every_task_name_is_a_registered_task_on_its_queue(app: Any) -> None:
    import workers.tasks  # noqa: F401  (registers the tasks)
    from server.core.tasks import QUEUE_OF, TaskName

    celery = app.extensions["celery"]
    ours = {name for name in celery.tasks if name.startswith("workers.")}
    assert ours == {name.value for name in TaskName}
    for name in TaskName:
        assert celery.amqp.router.route({}, name.value)["queue"].name == QUEUE_OF[name]
