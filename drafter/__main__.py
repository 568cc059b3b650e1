"""`python -m drafter`, and the `drafter` command.

A plain `drafter check FILE...` whose inputs are as when it last ran prints its kept verdict
(drafter/verdicts.py) before anything else is loaded, argparse included; everything else is
drafter.cli's.
"""

import sys


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["check"]:
        from drafter.verdicts import replay  # lazy: only check

        code = replay(argv)
        if code is not None:
            return code
    from drafter.cli import main as command  # lazy: not needed to replay a verdict (argparse: ~1.4 ms)

    return command(argv)


if __name__ == "__main__":
    raise SystemExit(main())
