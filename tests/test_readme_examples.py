"""Every `drafter` command in the README's ```sh blocks runs as written, in order, in a scratch
copy of the repository's example files, and exits as the README says (0 unless it says the
command fails); where the README shows what a command prints, it prints that.

A command that cannot run unattended is listed in SKIPPED with the reason beside it; any other
command runs, so a new example that does not work (an interactive one included: without a
terminal it exits non-zero) fails this test until it works or is listed. An entry that no
longer names a README command fails too, so the lists stay small and true."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ADHOC_EXAMPLE, ANSWERS_DIR, REPO, run_cli

README = REPO / "README.md"
ARBEJDSGRUPPE_EXAMPLE = ANSWERS_DIR / "arbejdsgruppe-faelles-sprog-om-rehabilitering.yaml"


def _an_interview_wrote(folder: str, example: Path):
    """What `drafter new` leaves once answered: an answer file in the workspace's answers/."""
    def stand_in(work: Path) -> None:
        shutil.copy(example, work / folder / "answers" / example.name)
    return stand_in


def _a_failed_save(work: Path) -> None:
    """What the README's `restore` examples start from: a save that failed (a full disk) and
    left its answers in answers/x-gendannet.yaml, as `drafter edit --set` leaves them."""
    from drafter import api
    from drafter.session import AutosaveFailed

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    path = work / "answers" / "x.yaml"
    version = f"{float(api.load(path).get('dokument.version')) + 1:.1f}"  # a change, each time
    mp = pytest.MonkeyPatch()
    mp.setattr("drafter.yamlio.atomic_write", full_disk)
    try:
        with pytest.raises(AutosaveFailed) as failed:
            api.set_answers(path, [f"dokument.version={version}"], out_dir=work / "out")
    finally:
        mp.undo()
    assert failed.value.recovery == work / "answers" / "x-gendannet.yaml"


# Commands that cannot run unattended: the reason, and what the step leaves for the commands
# after it (None: nothing they need).
SKIPPED = {
    "drafter new adhoc": ("an interview: needs a person at a terminal (tests/test_interview_terminal.py)", None),
    "drafter new adhoc --resume answers/x.yaml": ("an interview, as above", None),
    "drafter edit answers/x.yaml --section 3": ("an interview, as above", None),
    "drafter new adhoc --resume answers/x-gendannet.yaml": ("an interview, as above", None),
    "cd raadet && drafter new arbejdsgruppe": ("an interview, as above; it leaves an answer file in raadet/answers/",
                                               _an_interview_wrote("raadet", ARBEJDSGRUPPE_EXAMPLE)),
    "drafter serve": ("a server that runs until Ctrl-C and opens a browser (tests/test_web_browser.py)", None),
    "drafter serve --port 9000 --no-browser": ("a server that runs until Ctrl-C (tests/test_web.py)", None),
    # LibreOffice costs a second or more of CPU a run; these very commands run elsewhere on
    # the examples: tests/conftest.py example_pdfs, tests/test_pdfa_metadata.py, tests/test_batch.py.
    "drafter render answers/ --pdf": ("LibreOffice; run by tests/conftest.py example_pdfs", None),
    "drafter render answers/ --pdfa": ("LibreOffice; run by tests/test_pdfa_metadata.py", None),
    "drafter render answers/ --preview": ("LibreOffice and pdftoppm; run by tests/test_batch.py", None),
}

# What a command needs that the README says in words rather than in a command before it.
PRECONDITIONS = {
    "drafter restore answers/x-gendannet.yaml": _a_failed_save,  # "answers a failed save left"
}

# Exit codes other than 0, each as the README says it.
EXPECTED_EXIT = {
    # "exits 0 when the versions are equal, 1 when they differ": the restore above changed x.yaml.
    "drafter diff answers/x.yaml@HEAD~1 answers/x.yaml --docx out/aendringer.docx": 1,
    # The README: "so with this repository's examples it refuses three of them and exits 1".
    'drafter replace Midtklyngen "Sundhedsråd Midt" --tracked-changes aendringer && drafter render answers/': 1,
}


# The README's examples of what `drafter check` prints for an answer file with problems
# (```-blocks of `answers/x.yaml:LINE: ...` lines): the first line's field, and the changes to
# a copy of the adhoc example that make those problems. The line numbers are the README's own.
SHOWN_PROBLEMS = {
    "tidsplan.slut": [("nedsat_af:", "nedsat_aff:"), ("slut: 2027-12-17", "slut: 2026-12-17")],
    "tidsplan.milepaele[4].dato": [("- dato: 2027-11-15", "- dato: 2028-01-15")],
    "kommunikation.interessenter[4]": [("- Almen praksis i Midtklyngen", "- Region Sjælland"),
                                       ("dato: 2026-11-25", "dato: 2027-03-01")],
}


def readme_commands(text: str) -> list[tuple[int, str, list[str], str, str]]:
    """Each command of the README's ```sh blocks: (line number, the line as written up to and
    including it (its key in the lists above), its words as the shell splits them, the folder
    it runs in relative to the workspace (after a `cd X &&`), what the line's comment says)."""
    commands = []
    in_sh = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_sh = not in_sh and line.strip() == "```sh"
            continue
        if not in_sh or not line.strip():
            continue
        pieces, comment = _split_line(line)
        folder = "."
        for index, piece in enumerate(pieces):
            words = shlex.split(piece.lstrip(";&"))
            if words and words[0] == "cd":
                folder = words[1]
            elif words:
                key = " ".join("".join(pieces[:index + 1]).split())
                commands.append((number, key, words, folder, comment))
    return commands


def _split_line(line: str) -> tuple[list[str], str]:
    """A line's commands as written, each with the `&&` or `;` before it, and its comment (the
    first ` #` outside quotes). Pipes and the like are not understood here: they fail."""
    pieces, quote, start = [], None, 0
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            pieces.append(line[start:index])
            return pieces, line[index + 1:].strip()
        elif char == ";" or line.startswith("&&", index):
            pieces.append(line[start:index])
            start = index
        elif char in "|&<>" and not line.startswith("&&", index - 1):
            raise AssertionError(f"{line!r}: only ; and && are understood here")
    pieces.append(line[start:])
    return pieces, ""


def _is_drafter(words: list[str]) -> bool:
    return Path(words[0]).name == "drafter"


def _expanded(words: list[str], cwd: Path) -> list[str]:
    """The shell's globbing of answers/*.yaml, sorted as bash sorts them here."""
    out = []
    for word in words:
        matches = sorted(str(p.relative_to(cwd)) for p in cwd.glob(word)) if "*" in word else []
        out.extend(matches or [word])
    return out


def _git(work: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)


def test_the_readme_commands_are_found_with_their_folders_and_comments():
    commands = [command for command in readme_commands(README.read_text(encoding="utf-8")) if _is_drafter(command[2])]
    # The first command of all, after the install.
    assert commands[0][1] == "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/drafter render answers/*.yaml"
    assert commands[0][2] == [".venv/bin/drafter", "render", "answers/*.yaml"]
    assert ("raadet", ["drafter", "new", "arbejdsgruppe"]) in [(folder, words) for _, _, words, folder, _ in commands]
    assert any(comment.startswith("-> out/") for *_, comment in commands)


def test_every_readme_example_runs_as_written(tmp_path):
    text = README.read_text(encoding="utf-8")
    commands = [command for command in readme_commands(text) if _is_drafter(command[2])]
    keys = {key for _, key, _, _, _ in commands}
    for listed in [*SKIPPED, *PRECONDITIONS, *EXPECTED_EXIT]:
        assert listed in keys, f"{listed!r} is listed in this test but no longer in the README"

    # The workspace a reader has: the repository's example files and its drafter.yaml, in
    # git (for FILE@HEAD~1); answers/x.yaml "stands for any answer file".
    work = tmp_path / "repo"
    shutil.copytree(ANSWERS_DIR, work / "answers")
    shutil.copy(REPO / "drafter.yaml", work / "drafter.yaml")
    shutil.copy(ADHOC_EXAMPLE, work / "answers" / "x.yaml")
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "examples")
    _git(work, "commit", "-q", "--allow-empty", "-m", "a second revision")

    summary = _summary_pattern(text)
    ran = 0
    for number, key, words, folder, comment in commands:
        where = f"README.md:{number}: {key}"
        if key in SKIPPED:
            stand_in = SKIPPED[key][1]
            if stand_in:
                stand_in(work)
            continue
        if key in PRECONDITIONS:
            PRECONDITIONS[key](work)
        cwd = work / folder
        result = run_cli(*_expanded(words[1:], cwd), cwd=cwd, timeout=60)
        ran += 1
        output = result.stdout + result.stderr
        assert result.returncode == EXPECTED_EXIT.get(key, 0), f"{where}: exit {result.returncode}\n{output}"
        assert "Traceback" not in output, f"{where}\n{output}"
        if comment.startswith("-> "):  # the README shows what it prints
            shown = comment[3:].split()[0]
            # "render prints the path of the document it writes (or `(uændret)` when ...)"
            assert result.stdout.splitlines() in ([shown], [f"{shown} (uændret)"]), f"{where}: {result.stdout!r}"
        for line in result.stdout.splitlines():
            if line.startswith("Færdig:"):
                assert summary.fullmatch(line), f"{where}: {line!r} is not as the README shows it"
    assert ran >= 30, ran
    # What the README's commands say they make.
    assert (work / "Kommissorium.docx").is_file() and (work / "brevhoved.docx").is_file()
    assert (work / "out" / "aendringer.docx").is_file()
    assert not (work / "answers" / "x-gendannet.yaml").exists()  # restore put the answers back
    assert (work / "raadet" / "out" / f"{ARBEJDSGRUPPE_EXAMPLE.stem}.docx").is_file()


def shown_problems(text: str) -> list[tuple[int, list[str]]]:
    """The README's blocks of `answers/x.yaml:LINE: ...` lines: (line number, the lines)."""
    blocks, lines, info, start = [], None, "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```") and lines is None:
            lines, info, start = [], line[3:].strip(), number
        elif line.startswith("```"):
            if not info and lines and all(shown.startswith("answers/x.yaml:") for shown in lines):
                blocks.append((start, lines))
            lines = None
        elif lines is not None:
            lines.append(line)
    return blocks


def test_the_problems_the_readme_shows_are_what_check_prints(tmp_path):
    blocks = shown_problems(README.read_text(encoding="utf-8"))
    # A line is `file:line: field: message`, or `file:line: [rule] severity: field: message`.
    fields = [parts[2] if parts[1].startswith("[") else parts[1]
              for parts in (lines[0].split(": ") for _, lines in blocks)]
    assert sorted(fields) == sorted(SHOWN_PROBLEMS), "every such block of the README is listed in SHOWN_PROBLEMS"
    example = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    for (number, lines), field in zip(blocks, fields):
        work = tmp_path / field
        (work / "answers").mkdir(parents=True)
        shutil.copy(REPO / "drafter.yaml", work / "drafter.yaml")
        text = example
        for old, new in SHOWN_PROBLEMS[field]:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        (work / "answers" / "x.yaml").write_text(text, encoding="utf-8")
        result = run_cli("check", "answers/x.yaml", cwd=work)
        printed = (result.stdout + result.stderr).splitlines()
        for shown in lines:  # the same line, at whichever line of the file it stands
            pattern = re.escape(re.sub(r"^answers/x\.yaml:\d+:", "", shown))
            assert any(re.fullmatch(r"answers/x\.yaml:\d+:" + pattern, line) for line in printed), \
                f"README.md:{number}: {shown!r} is not printed:\n" + "\n".join(printed)


def test_the_readmes_python_runs_as_written(tmp_path, monkeypatch):
    """Each ```python block, run in the repository's folder as a reader runs it (a copy here)."""
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    assert blocks
    shutil.copytree(ANSWERS_DIR, tmp_path / "answers")
    shutil.copy(REPO / "drafter.yaml", tmp_path / "drafter.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("drafter.workspace._current", None)  # found from here, and forgotten after
    for block in blocks:
        exec(compile(block, str(README), "exec"), {"__name__": "readme"})
    assert (tmp_path / "out" / "kommissorium.docx").is_file()  # what its api.render writes


def _summary_pattern(text: str) -> re.Pattern:
    """The README's summary line of a batch (`Færdig: 998 skrevet, ...`), its numbers and
    folder standing for any."""
    shown = re.search(r"`(Færdig: \d+ skrevet, \d+ uændret, \d+ fejlet i out\.)`", text)
    assert shown, "the README no longer shows the summary line of a batch"
    pattern = re.sub(r"\d+", r"\\d+", shown.group(1)).replace(" i out.", r" i \S+\.")
    return re.compile(pattern)


def test_the_powershell_start_is_the_same_two_commands():
    """The README's first PowerShell block says the same as its first sh block, in PowerShell's
    words: `py` for python3, `;` for && (PowerShell 5 has no &&), `\\Scripts\\` for /bin/, and
    the folder for answers/*.yaml, which PowerShell does not expand (as the README says)."""
    text = README.read_text(encoding="utf-8")
    sh = re.search(r"^```sh\n(.*?)^```", text, re.S | re.M).group(1).splitlines()
    powershell = re.search(r"^```powershell\n(.*?)^```", text, re.S | re.M).group(1).splitlines()
    said_in_sh = [
        line.replace("py -m venv", "python3 -m venv").replace("; ", " && ").replace("\\Scripts\\", "/bin/")
        .replace("drafter render answers", "drafter render answers/*.yaml")
        for line in powershell
    ]
    assert said_in_sh == sh
