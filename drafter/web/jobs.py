"""Long work of `drafter serve` (a PDF and its preview), outside any request.

LibreOffice takes seconds (minutes when it hangs); a request that waited for it would hold
the page, and every other tab's autosave behind it. A job runs in its own thread instead:
the button starts it and redirects at once, the document page shows "under way" and asks
for the state until it is done. One conversion runs at a time (LibreOffice is heavy on a
small PC); a second commission's job waits for it.

On shutdown (Ctrl-C, SIGTERM) `cancel_all` stops every job the clean way: the progress
callback of drafter.pdf raises inside the job's thread, which stops LibreOffice's process
group and removes its scratch folder, and the server waits for that before it exits.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"
CANCEL_WAIT = 20  # seconds to wait for jobs to clean up on shutdown


class Cancelled(Exception):
    """Raised inside a job's work (from its progress callback) when the server stops."""


@dataclass
class Job:
    key: str
    state: str = RUNNING
    done: int = 0
    total: int = 0
    messages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    thread: threading.Thread | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    seen: bool = False  # its outcome has been shown on the document page once

    def progress(self, done: int, total: int) -> None:
        """The progress callback: counts, and the point where a stop request is honoured."""
        self.done, self.total = done, total
        if self.cancel.is_set():
            raise Cancelled()

    def as_json(self) -> dict:
        return {"state": self.state, "done": self.done, "total": self.total}


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()
        self._stopping = False

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def start(self, key: str, work: Callable[[Job], tuple[list[str], list[str]]]) -> Job:
        """Start *work* for *key* unless a job for it is running; *work* returns (messages, problems)."""
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current.state == RUNNING:
                return current
            job = Job(key)
            if self._stopping:
                job.state = CANCELLED
                self._jobs[key] = job
                return job
            job.thread = threading.Thread(target=self._run, args=(job, work), name=f"drafter-job-{key}", daemon=True)
            self._jobs[key] = job
        job.thread.start()
        return job

    def _run(self, job: Job, work: Callable[[Job], tuple[list[str], list[str]]]) -> None:
        try:
            with self._one_at_a_time:
                job.progress(0, 0)  # stopped while waiting: nothing started
                job.messages, job.problems = work(job)
            job.state = FAILED if job.problems else DONE
        except Cancelled:
            job.state = CANCELLED
        except Exception as exc:  # noqa: BLE001 - a job's failure is shown on its page, not lost in a thread
            job.problems = [f"Der skete en intern fejl ({type(exc).__name__})."]
            job.state = FAILED

    def cancel_all(self, wait: float = CANCEL_WAIT) -> None:
        """Stop every running job and wait (up to *wait* seconds) until each has cleaned up."""
        with self._lock:
            self._stopping = True
            running = [j for j in self._jobs.values() if j.state == RUNNING]
        for job in running:
            job.cancel.set()
        deadline = time.monotonic() + wait
        for job in running:
            if job.thread is not None:
                job.thread.join(max(0.0, deadline - time.monotonic()))
