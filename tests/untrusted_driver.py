"""Run many drafter command lines in ONE capped process, each as `drafter ARGS` would run.

Usage: python untrusted_driver.py CASES.json RESULTS.json

CASES is {name: {"args": [...], "env": {...}, "cwd": "..."}}. Each case runs through
drafter.cli.main in this process, which the test started under a memory cap
(RLIMIT_AS); each case also gets an alarm (a hang fails the case) and its CPU time is
measured. RESULTS is {name: {"code", "output", "cpu", "hung"}}.

One process for all cases keeps the suite fast: starting Python and importing drafter
costs more than most attacks.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import signal
import sys

CASE_SECONDS = 60


class Hung(BaseException):
    pass


def _alarm(signum, frame):
    raise Hung()


def main() -> None:
    cases = json.loads(open(sys.argv[1], encoding="utf-8").read())
    results = {}
    from drafter import batch, cli, questionnaire, render

    signal.signal(signal.SIGALRM, _alarm)
    base_env = dict(os.environ)
    for name, case in cases.items():
        os.environ.clear()
        os.environ.update({**base_env, **case.get("env", {})})
        os.chdir(case["cwd"])
        questionnaire._load_file.cache_clear()
        render._renderers.clear()
        batch._checked_templates.clear()
        out = io.StringIO()
        before = resource.getrusage(resource.RUSAGE_SELF)
        hung = False
        signal.alarm(CASE_SECONDS)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                try:
                    code = cli.main(case["args"])
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
        except Hung:
            code, hung = -1, True
        except BaseException as exc:  # a traceback would have reached the user
            import traceback

            code = -2
            out.write("Traceback\n" + "".join(traceback.format_exception(exc)))
        finally:
            signal.alarm(0)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        results[name] = {"code": code, "output": out.getvalue(), "cpu": cpu, "hung": hung}
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main()
