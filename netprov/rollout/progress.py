"""Progress for long Nornir runs, as a Nornir processor (tasks never print)."""

from __future__ import annotations

from typing import Any

from nornir.core.inventory import Host
from nornir.core.task import AggregatedResult, MultiResult, Task
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class ProgressProcessor:
    """Advances one rich progress bar per Nornir task as hosts complete."""

    def __init__(self, progress: Progress, description: str) -> None:
        self.progress = progress
        self.description = description
        self.task_id: Any = None

    def task_started(self, task: Task) -> None:
        self.task_id = self.progress.add_task(
            self.description, total=len(task.nornir.inventory.hosts)
        )

    def task_completed(self, task: Task, result: AggregatedResult) -> None:
        pass

    def task_instance_started(self, task: Task, host: Host) -> None:
        pass

    def task_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        self.progress.advance(self.task_id)

    def subtask_instance_started(self, task: Task, host: Host) -> None:
        pass

    def subtask_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        pass


def make_progress(console: Console, *, enabled: bool = True) -> Progress:
    """A bar on a terminal only: in a pipe or a CI log rich's live display, stopped, still
    prints an empty line, which lands above the command's result."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not (enabled and console.is_terminal),
    )
