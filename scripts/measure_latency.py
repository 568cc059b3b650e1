"""Prompt-to-prompt latency of `drafter new adhoc` with autosave on.

Drives the real interview (the full ad-hoc questionnaire of tests/test_interview.py)
through prompt_toolkit's pipe input and records, for every prompt (a question, a list
entry, a record's form, the review), the time from the moment one answer is accepted to
the moment the next prompt starts: checking the answer, the atomic autosave (write,
fsync, rename) and building the next prompt.

    python scripts/measure_latency.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from drafter import interview, prompts  # noqa: E402
from drafter.questionnaire import load_questionnaire  # noqa: E402
from interview_keys import piped  # noqa: E402
from test_interview import FULL, TODAY  # noqa: E402


def main(runs: int) -> None:
    gaps: list[float] = []
    saves: list[float] = []
    marks: list[tuple[str, float]] = []
    original_run = prompts.run
    original_save = interview.save_answers

    def timed_run(prompt, message):
        marks.append(("start", time.perf_counter()))
        try:
            return original_run(prompt, message)
        finally:
            marks.append(("end", time.perf_counter()))

    def timed_save(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original_save(*args, **kwargs)  # the bytes written: the interview's next base
        finally:
            saves.append(time.perf_counter() - began)

    prompts.run = timed_run
    interview.save_answers = timed_save
    try:
        for _ in range(runs):
            marks.clear()
            with tempfile.TemporaryDirectory() as folder:
                with piped("".join(FULL)):
                    interview.new(load_questionnaire("adhoc"), answers_dir=Path(folder) / "answers",
                                  out_dir=Path(folder) / "out", today=TODAY)
            gaps.extend(b[1] - a[1] for a, b in zip(marks, marks[1:]) if a[0] == "end" and b[0] == "start")
    finally:
        prompts.run = original_run
        interview.save_answers = original_save

    ms = sorted(g * 1000 for g in gaps)
    save_ms = sorted(s * 1000 for s in saves)
    print(f"{runs} runs, {len(ms)} prompt-to-prompt gaps, {len(save_ms)} autosaves")
    print(f"prompt-to-prompt: median {statistics.median(ms):.1f} ms, p95 {ms[int(len(ms) * 0.95)]:.1f} ms, max {ms[-1]:.1f} ms")
    print(f"autosave alone:   median {statistics.median(save_ms):.1f} ms, p95 {save_ms[int(len(save_ms) * 0.95)]:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
