"""Logging for web and worker processes: text or JSON lines, with Celery task ids."""

from __future__ import annotations

import json
import logging
from typing import Any


class TaskContext(logging.Filter):
    """Attach the running Celery task's id and name to every record (empty outside tasks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            from celery import current_task

            task = current_task._get_current_object() if current_task else None
        except Exception:  # logging must never fail
            task = None
        record.task_id = getattr(getattr(task, "request", None), "id", None) or "-"
        record.task_name = getattr(task, "name", None) or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "process": getattr(record, "process_role", None),
            "logger": record.name,
            "message": record.getMessage(),
            "task_id": getattr(record, "task_id", "-"),
            "task": getattr(record, "task_name", "-"),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure(role: str, level: str = "INFO", fmt: str = "text") -> None:
    """Set up the root logger once, at process start (never at import)."""
    handler = logging.StreamHandler()
    handler.addFilter(TaskContext())

    class Role(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.process_role = role
            return True

    handler.addFilter(Role())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                f"%(asctime)s {role} %(levelname)s [task %(task_id)s] %(name)s: %(message)s"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
