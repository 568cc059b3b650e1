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


def test_restore_of_a_file_it_cannot_use_exits_1_naming_the_file(tmp_path, monkeypatch, capsys):
    # A file that is not there, a FIFO, an answer file that is no recovery file, and one whose
    # 'gendannelse' names no answer file: each the file's fault, exit 1 (as `render` and
    # `check` have it), never 2, which is for a wrong command line.
    import os
    import shutil

    from conftest import ADHOC_EXAMPLE
    from drafter import cli

    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "roer.yaml")
    plain = tmp_path / "svar.yaml"
    shutil.copy(ADHOC_EXAMPLE, plain)
    wrong = tmp_path / "x-gendannet.yaml"
    wrong.write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8") + "gendannelse:\n  svarfil: noter.txt\n", encoding="utf-8")
    cases = {"mangler.yaml": "mangler.yaml", "roer.yaml": "roer.yaml",
             "svar.yaml": "svar.yaml: er ikke en gendannelsesfil",
             "x-gendannet.yaml": "x-gendannet.yaml: 'gendannelse: svarfil:' skal være en svarfil (.yaml)"}
    for name, message in cases.items():
        assert cli.main(["restore", name]) == 1, name
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert plain.read_bytes() == ADHOC_EXAMPLE.read_bytes()
