"""Handing a job to the queue at the right moment for the queue in use."""

from collections.abc import Callable

from django.db import transaction
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db import DatabaseBackend


def enqueue_with_commit(task, *args, enqueue: Callable[..., object] | None = None) -> None:
    """Enqueue `task(*args)` so that the worker sees what the caller's transaction writes.

    A queue kept in the same database (the default) or run at once takes the job inside the
    caller's transaction, so the rows and their job commit together (or not at all); a queue
    elsewhere (Redis) takes it after the commit, when the worker can see the rows. `enqueue`
    replaces `task.enqueue` (a wrapper that logs a queue that cannot be reached)."""
    send = enqueue or task.enqueue
    if isinstance(task.get_backend(), DatabaseBackend | ImmediateBackend):
        send(*args)
    else:
        transaction.on_commit(lambda: send(*args), robust=True)
