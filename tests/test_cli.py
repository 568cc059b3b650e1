"""The command line itself: help, version, kinds, exit codes, and the packaged files."""

from __future__ import annotations

import pytest

from conftest import assert_clean_failure, run_cli
from drafter import __version__


def test_version():
    result = run_cli("--version", fresh=True)  # the entry point as a user starts it
    assert result.returncode == 0
    assert result.stdout.strip() == f"drafter {__version__}"


@pytest.mark.parametrize("command", [[], ["render"], ["check"], ["kinds"]])
def test_help_on_every_command_is_danish(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("brug: drafter")
    assert "vis denne hjælp og afslut" in result.stdout


def test_every_command_and_option_of_the_table_has_a_help_text_and_a_handler():
    """build_parser reads cli.COMMANDS: each command, subcommand and option says what it does."""
    import argparse

    from drafter import cli

    def commands(parser):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield name, sub
                    yield from ((f"{name} {n}", s) for n, s in commands(sub))

    found = dict(commands(cli.build_parser()))
    assert {"render", "check", "template", "template check", "template new", "kinds", "new", "edit", "restore", "status",
            "diff", "import", "replace", "data", "serve", "init", "profiles"} == set(found)
    for name, sub in found.items():
        assert sub.description, name
        assert callable(sub.get_default("handler")), name
        for action in sub._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help and action.help != argparse.SUPPRESS, f"drafter {name} {action.option_strings or action.dest}"


def test_kinds_lists_adhoc_with_a_danish_description():
    result = run_cli("kinds")
    assert result.returncode == 0
    line = next(l for l in result.stdout.splitlines() if l.startswith("adhoc "))
    assert "ad-hoc gruppe" in line.lower() and "projektgruppe" in line


def test_usage_errors_exit_2_in_danish():
    result = run_cli("render")
    assert result.returncode == 2
    assert "fejl: disse argumenter mangler" in result.stderr
    result = run_cli("render", "a.yaml", "b.yaml", "-o", "x.docx")
    assert_clean_failure(result, "-o/--output kan kun bruges med én svarfil")
    result = run_cli("frobnicate")
    assert result.returncode == 2 and "ugyldigt valg" in result.stderr


def test_no_command_prints_help():
    result = run_cli(fresh=True)
    assert result.returncode == 2
    assert "KOMMANDO" in result.stdout
