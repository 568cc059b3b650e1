"""Windows, simulated on Linux (issue 18): what differs there, made to happen here.

Simulated: a cp1252 console, a Python without os.killpg, a multiprocessing that only
spawns, a document held open by Word (PermissionError on replace), a case-insensitive
file system (FAT through FUSE), Windows' command-line limit and install locations, and
the quoting of cmd.exe and PowerShell.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ADHOC_EXAMPLE, REPO, assert_clean_failure, docx_text, run_cli
from drafter import batch, fsutil, pdf, shellquote, workers
from drafter.batch import FAILED, WRITTEN, Outcome
from drafter.progress import ProgressBar

NON_LATIN1 = "møde-Michał"  # ł is not in cp1252, the code page of redirected output


# -- console ---------------------------------------------------------------------------

def run_cp1252(*args: str, cwd: Path) -> tuple[int, str, str]:
    """The CLI with stdout and stderr in cp1252, as Windows Python writes redirected output."""
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONPATH": str(REPO)}
    env.pop("DRAFTER_DEBUG", None)
    result = subprocess.run([sys.executable, "-m", "drafter", *args], cwd=cwd, env=env,
                            capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    return result.returncode, result.stdout.decode("cp1252"), result.stderr.decode("cp1252")


def test_a_cp1252_console_gets_escapes_not_an_internal_error(workdir):
    shutil.copy(ADHOC_EXAMPLE, workdir / "answers" / f"{NON_LATIN1}.yaml")
    code, out, err = run_cp1252("render", f"answers/{NON_LATIN1}.yaml", cwd=workdir)
    assert code == 0, err
    assert "møde-Micha\\u0142.docx" in out  # æøå as they are, ł as an escape
    assert (workdir / "out" / f"{NON_LATIN1}.docx").is_file()
    code, out, err = run_cp1252("check", f"answers/{NON_LATIN1}.yaml", cwd=workdir)
    assert code == 0, err
    assert "møde-Micha\\u0142.yaml: i orden" in out


def test_a_cp1252_console_gets_the_danish_message_for_a_bad_file(workdir):
    bad = workdir / "answers" / f"{NON_LATIN1}.yaml"
    bad.write_text(ADHOC_EXAMPLE.read_text(encoding="utf-8").replace("dato: 2026", "dato: 2026x", 1), encoding="utf-8")
    code, out, err = run_cp1252("render", f"answers/{NON_LATIN1}.yaml", cwd=workdir)
    assert code == 1, err
    assert "intern fejl" not in err and "Traceback" not in err
    assert "Micha\\u0142.yaml:" in err and "dokument.dato" in err


def test_the_progress_bar_is_plain_text_in_the_code_page():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    bar = ProgressBar(stream, "Word", enabled=True)
    bar(1, 2)
    bar(2, 2)
    bar.close()
    stream.flush()
    text = stream.buffer.getvalue().decode("cp1252")
    assert "#" * 30 + " 2/2" in text
    assert "\033" not in text


# -- processes -------------------------------------------------------------------------

def test_jobs_are_capped_at_61_on_windows(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv(workers.JOBS_ENV, "100")
    assert workers.worker_count(1000) == 61
    monkeypatch.delenv(workers.JOBS_ENV)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # Windows has none
    monkeypatch.setattr(os, "cpu_count", lambda: 128)
    assert workers.worker_count(1000) == 61
    monkeypatch.setattr(sys, "platform", "linux")
    assert workers.worker_count(1000) == 128


def test_a_batch_renders_with_spawned_workers_only(workdir, monkeypatch):
    # Windows has no fork: a worker is a fresh Python that must find everything itself.
    used = []
    real_get_context = multiprocessing.get_context

    def spawn_only(method=None):
        if method == "fork":
            raise ValueError("cannot find context for 'fork'")
        used.append(method)
        return real_get_context(method)

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(multiprocessing, "get_context", spawn_only)
    paths = sorted((workdir / "answers").glob("*.yaml"))[:4]
    outputs = [workdir / "out" / f"{p.stem}.docx" for p in paths]
    outcomes = batch.render_batch(paths, outputs, workers=2)
    assert used == ["spawn"]
    assert [o.status for o in outcomes] == [WRITTEN] * 4, outcomes
    for output in outputs:
        assert "Kommissorium" in docx_text(output)


def test_without_killpg_a_hung_libreoffice_and_its_child_are_stopped_with_taskkill(workdir, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    child_pid = tmp_path / "child.pid"
    soffice = _script(bin_dir / "soffice", f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        open({str(child_pid)!r}, "w").write(str(child.pid))
        time.sleep(300)
    """)
    calls = tmp_path / "taskkill.log"
    # taskkill /F /T /PID n stops n and its children; the simulation kills n's group.
    _script(bin_dir / "taskkill", f"""
        import os, signal, sys
        open({str(calls)!r}, "a").write(" ".join(sys.argv[1:]) + "\\n")
        os.killpg(int(sys.argv[sys.argv.index("/PID") + 1]), signal.SIGKILL)
    """)
    program = (
        "import os, sys\n"
        "del os.killpg\n"  # as on Windows
        "import drafter.pdf as pdf\n"
        "pdf._BASE_TIMEOUT, pdf._PER_DOCUMENT_TIMEOUT = 2, 0\n"
        "from drafter.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", "DRAFTER_SOFFICE": str(soffice),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-c", program, "render", f"answers/{ADHOC_EXAMPLE.name}", "--pdf"],
                            cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # the PDF failed; never 70 (internal error)
    assert "LibreOffice blev ikke færdig i tide og er stoppet" in result.stderr
    assert "intern fejl" not in result.stderr
    assert calls.read_text().split()[:3] == ["/F", "/T", "/PID"]
    assert not _alive(int(child_pid.read_text()))
    assert (workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx").is_file()


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie has stopped
    except FileNotFoundError:
        return False


# -- LibreOffice: where it is, and how many documents per start ------------------------

def _fake_soffice(bin_dir: Path, log: Path) -> Path:
    """A LibreOffice that writes a PDF for each document and logs its command line."""
    bin_dir.mkdir(exist_ok=True)
    return _script(bin_dir / "soffice", f"""
        import json, os, sys
        args = sys.argv[1:]
        with open({str(log)!r}, "a") as f:
            f.write(json.dumps(sys.argv) + "\\n")
        out = args[args.index("--outdir") + 1]
        for doc in args[args.index("--outdir") + 2:]:
            stem = os.path.splitext(os.path.basename(doc))[0]
            open(os.path.join(out, stem + ".pdf"), "wb").write(b"%PDF-1.7 fake")
    """)


def test_long_batches_are_converted_in_chunks_under_the_windows_command_line_limit(tmp_path, monkeypatch):
    import json

    log = tmp_path / "soffice.log"
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path / "bin", log)))
    # A typical OneDrive folder of a consultant, and 400 documents with long names.
    folder = tmp_path / "OneDrive - Region Midtjylland" / "Dokumenter" / "Sundhedsklynge" / "Kommissorier 2027"
    folder.mkdir(parents=True)
    outcomes = []
    for i in range(400):
        output = folder / f"kommissorium-for-arbejdsgruppe-om-sammenhaengende-forloeb-nr-{i:03d}.docx"
        output.write_bytes(b"docx")
        outcomes.append(Outcome(output.with_suffix(".yaml"), output, WRITTEN))
    monkeypatch.setattr(sys, "platform", "win32")
    assert pdf.add_pdfs(outcomes) == []
    monkeypatch.setattr(sys, "platform", "linux")
    commands = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(commands) >= 2
    for argv in commands:
        assert len(subprocess.list2cmdline(argv)) < 32_767
    assert all(o.pdf is not None and o.pdf.read_bytes().startswith(b"%PDF") for o in outcomes)


def test_names_that_differ_only_in_case_are_converted_in_separate_starts(tmp_path, monkeypatch):
    import json

    log = tmp_path / "soffice.log"
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path / "bin", log)))
    outcomes = []
    for folder, name in (("a", "Rapport"), ("b", "rapport")):
        (tmp_path / folder).mkdir()
        output = tmp_path / folder / f"{name}.docx"
        output.write_bytes(b"docx")
        outcomes.append(Outcome(output, output, WRITTEN))
    assert pdf.add_pdfs(outcomes) == []
    assert len(log.read_text().splitlines()) == 2
    assert [json.loads(line)[-1] for line in log.read_text().splitlines()] == [str(o.output) for o in outcomes]


def test_libreoffice_is_found_where_its_installer_puts_it(tmp_path, monkeypatch):
    monkeypatch.delenv(pdf.SOFFICE_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("ProgramFiles", str(tmp_path / "Program Files"))
    monkeypatch.delenv("ProgramW6432", raising=False)
    monkeypatch.setenv("ProgramFiles(x86)", str(tmp_path / "Program Files (x86)"))
    assert pdf.find_soffice() is None
    message = pdf.missing_soffice_message()
    assert "soffice.exe" in message and "DRAFTER_SOFFICE" in message and "apt" not in message
    installed = tmp_path / "Program Files (x86)" / "LibreOffice" / "program" / "soffice.exe"
    installed.parent.mkdir(parents=True)
    installed.write_text("")
    installed.chmod(0o755)
    assert pdf.find_soffice() == str(installed)

    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("HOME", str(tmp_path))
    mac = tmp_path / "Applications" / "LibreOffice.app" / "Contents" / "MacOS" / "soffice"
    mac.parent.mkdir(parents=True)
    shutil.copy(installed, mac)
    assert pdf.find_soffice() == str(mac)
    assert "brew install --cask libreoffice" in pdf.missing_soffice_message()
    assert "brew install poppler" in pdf.missing_pdftoppm_message()
    monkeypatch.setattr(sys, "platform", "win32")
    assert "DRAFTER_PDFTOPPM" in pdf.missing_pdftoppm_message() and "apt" not in pdf.missing_pdftoppm_message()


def test_a_configured_libreoffice_and_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(pdf.SOFFICE_ENV, raising=False)
    configured = tmp_path / "LibreOffice" / "program" / "soffice"
    configured.parent.mkdir(parents=True)
    configured.write_text("")
    configured.chmod(0o755)
    assert pdf.find_soffice(configured) == str(configured)
    assert pdf.find_soffice(tmp_path / "findes-ikke") is None
    assert "findes ikke på stien" in pdf.missing_soffice_message(tmp_path / "findes-ikke")
    monkeypatch.setenv(pdf.SOFFICE_ENV, "")  # the environment still wins: "not installed"
    assert pdf.find_soffice(configured) is None


# -- files -----------------------------------------------------------------------------

def test_a_document_open_in_word_is_retried_then_named(workdir, monkeypatch, capsys):
    from drafter import workspace
    from drafter.cli import main

    monkeypatch.chdir(workdir)
    monkeypatch.setattr(workspace, "_current", None)  # the workspace is found again from here (the examples')
    assert main(["render", f"answers/{ADHOC_EXAMPLE.name}"]) == 0
    document = workdir / "out" / f"{ADHOC_EXAMPLE.stem}.docx"
    before = document.read_bytes()
    answers = workdir / "answers" / ADHOC_EXAMPLE.name
    answers.write_text(answers.read_text(encoding="utf-8").replace("skrøbelige", "svækkede", 1), encoding="utf-8")

    real_replace = os.replace
    attempts = []

    def locked(src, dst, failures):
        if Path(dst) == Path("out") / document.name:
            attempts.append(dst)
            if len(attempts) <= failures:
                raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        return real_replace(src, dst)

    monkeypatch.setattr(fsutil, "_WINDOWS", True)
    monkeypatch.setattr(fsutil, "REPLACE_RETRY_DELAYS", (0.01,) * 5)
    monkeypatch.setattr(os, "replace", lambda src, dst: locked(src, dst, failures=99))
    capsys.readouterr()
    assert main(["render", f"answers/{ADHOC_EXAMPLE.name}"]) == 1
    err = capsys.readouterr().err
    assert "Dokumentet er åbent i et andet program (fx Word); luk det og prøv igen" in err
    assert len(attempts) == 6  # five retries, then the message
    assert document.read_bytes() == before
    assert [p.name for p in document.parent.iterdir()] == [document.name]  # no temporary file left

    # Word closed while drafter waited: written.
    attempts.clear()
    monkeypatch.setattr(os, "replace", lambda src, dst: locked(src, dst, failures=2))
    assert main(["render", f"answers/{ADHOC_EXAMPLE.name}"]) == 0
    assert "svækkede" in docx_text(document)


def test_outputs_that_differ_only_in_case_are_the_same_document(workdir):
    for folder, name in (("a", "Rapport"), ("b", "rapport")):
        (workdir / folder).mkdir()
        shutil.copy(ADHOC_EXAMPLE, workdir / folder / f"{name}.yaml")
    result = run_cli("render", "a/Rapport.yaml", "b/rapport.yaml", cwd=workdir)
    assert result.returncode == 1
    assert "b/rapport.yaml: giver samme dokument (out/rapport.docx) som a/Rapport.yaml" in result.stderr
    assert "Rapport.docx og rapport.docx samme fil" in result.stderr


def _fat_tools() -> bool:
    return all(shutil.which(tool) for tool in ("unshare", "mkfs.vfat", "fusefat"))


@pytest.mark.skipif(not _fat_tools(), reason="needs unshare, mkfs.vfat (dosfstools) and fusefat")
def test_on_a_case_insensitive_file_system(workdir, tmp_path):
    """A FAT file system (a USB stick; NTFS behaves alike) mounted in a private namespace.

    FAT also refuses chmod, which atomic_write must take in its stride.
    """
    image = tmp_path / "fat.img"
    with open(image, "wb") as f:
        f.truncate(16 * 1024 * 1024)
    subprocess.run(["mkfs.vfat", str(image)], check=True, capture_output=True)
    mount = tmp_path / "fat"
    mount.mkdir()
    for folder, name in (("a", "Rapport"), ("b", "rapport")):
        (workdir / folder).mkdir()
        shutil.copy(ADHOC_EXAMPLE, workdir / folder / f"{name}.yaml")
    script = textwrap.dedent(f"""\
        set -e
        fusefat -o rw+ {image} {mount} >/dev/null 2>&1 || exit 77
        # fusefat stays running after its file system is unmounted in this namespace: end it too.
        trap 'fusermount -u {mount} 2>/dev/null || umount {mount}; pkill -f "^fusefat .*{image} " || true' EXIT
        cd {mount}
        cp {REPO / "drafter.yaml"} .  # the examples' own workspace (their profile)
        mkdir out
        echo x > out/Proeve.txt
        test -f out/proeve.txt || exit 78
        set +e
        {sys.executable} -m drafter render {workdir}/a/Rapport.yaml {workdir}/b/rapport.yaml
        echo "exit=$?"
        ls out
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", "DRAFTER_CACHE_DIR": "off"}
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    if result.returncode in (77, 1) and "exit=" not in result.stdout:
        pytest.skip(f"this kernel/container does not allow the FAT mount: {result.stderr.strip()[-200:]}")
    assert result.returncode == 0, result.stderr
    assert "exit=1" in result.stdout, result.stdout + result.stderr
    assert "giver samme dokument" in result.stderr
    assert [name for name in result.stdout.split() if name.endswith(".docx")] == ["Rapport.docx"]


# -- commands a person types -----------------------------------------------------------

@pytest.mark.parametrize("path, posix, windows", [
    ("answers/udkast.yaml", "answers/udkast.yaml", "answers/udkast.yaml"),
    ("answers/møde om KOL.yaml", "'answers/møde om KOL.yaml'", '"answers/møde om KOL.yaml"'),
    (r"C:\Users\Ane\OneDrive - Region\svar (1).yaml", None, '"C:\\Users\\Ane\\OneDrive - Region\\svar (1).yaml"'),
    ("answers/pris $5 'x'.yaml", None, "'answers/pris $5 ''x''.yaml'"),
])
def test_resume_commands_are_quoted_for_the_platforms_shell(path, posix, windows):
    if posix is not None:
        assert shellquote.quote(path, windows=False) == posix
    assert shellquote.quote(path, windows=True) == windows


def test_a_draft_names_its_resume_command_in_windows_quoting(workdir, monkeypatch):
    from drafter.errors import DrafterError
    from drafter.batch import render_file

    draft = workdir / "answers" / "møde om KOL.yaml"
    draft.write_text("complete: false\n" + ADHOC_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(shellquote, "_WINDOWS", True)
    with pytest.raises(DrafterError) as caught:
        render_file(Path("answers") / draft.name, Path("out/x.docx"))
    assert 'drafter new adhoc --resume "answers/møde om KOL.yaml"' in str(caught.value.problems[0])


def test_the_workspace_profile_names_libreoffice(tmp_path):
    """programmer.libreoffice in drafter.yaml: a relative path counts from the workspace."""
    from drafter.workspace import init

    root = tmp_path / "sekretariat"
    init(root, "midtklyngen")
    log = tmp_path / "soffice.log"
    _fake_soffice(root / "LibreOffice", log)
    profile = root / "drafter.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "programmer:\n  libreoffice: LibreOffice/soffice\n",
                       encoding="utf-8")
    (root / "answers").mkdir(exist_ok=True)
    shutil.copy(ADHOC_EXAMPLE, root / "answers" / ADHOC_EXAMPLE.name)
    env = {"PATH": str(tmp_path / "tom")}  # nothing on PATH: only the setting can find it
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--pdf", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    assert log.is_file() and (root / "out" / f"{ADHOC_EXAMPLE.stem}.pdf").is_file()

    profile.write_text(profile.read_text(encoding="utf-8").replace("LibreOffice/soffice", "LibreOffice/findes-ikke"),
                       encoding="utf-8")
    result = run_cli("render", f"answers/{ADHOC_EXAMPLE.name}", "--pdf", "--force", cwd=root, env=env)
    assert result.returncode == 69
    assert_clean_failure(result, "LibreOffice findes ikke på stien", "indstillingen for LibreOffice")

    profile.write_text(profile.read_text(encoding="utf-8").replace("libreoffice: LibreOffice/findes-ikke", "libreoffice: 5"),
                       encoding="utf-8")
    result = run_cli("check", f"answers/{ADHOC_EXAMPLE.name}", cwd=root)
    assert_clean_failure(result, "programmer.libreoffice", "skal være en tekst")


# -- device names ------------------------------------------------------------------------

@pytest.mark.parametrize("stem, safe", [
    ("nul", "nul-1"), ("NUL", "NUL-1"), ("con.udkast", "con-1.udkast"), ("Aux.", "Aux-1."), ("aux ", "aux-1"),
    ("com1", "com1-1"), ("LPT9.tar", "LPT9-1.tar"), ("com\u00b9", "com\u00b9-1"), ("prn", "prn-1"),
    ("nullify", "nullify"), ("console", "console"), ("com10", "com10"), ("lpt", "lpt"), ("møde", "møde"),
])
def test_device_names_get_a_suffix(stem, safe):
    assert fsutil.windows_safe_stem(stem) == safe


def test_no_name_made_from_a_title_is_a_device(workdir):
    from drafter.session import free_path, slugify

    assert slugify("NUL") == "nul-1" and slugify("Con.") == "con-1" and slugify("com 1") == "com-1"
    assert free_path(workdir / "answers", "aux").name == "aux-1.yaml"
    (workdir / "answers" / "aux-1.yaml").write_text("", encoding="utf-8")
    assert free_path(workdir / "answers", "aux").name == "aux-1-2.yaml"
    # An answer file that is a device name on Windows gives a document that is not.
    shutil.copy(ADHOC_EXAMPLE, workdir / "answers" / "nul.yaml")
    result = run_cli("render", "answers/nul.yaml", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert (workdir / "out" / "nul-1.docx").is_file() and not (workdir / "out" / "nul.docx").exists()


# -- issue 29: JSON, clean-up, long paths, case ------------------------------------------

def test_status_json_is_valid_json_on_a_cp1252_console(workdir):
    name = "Gruppe om søvn 😴 og Michał"
    text = ADHOC_EXAMPLE.read_text(encoding="utf-8")
    original = next(line for line in text.splitlines() if line.startswith("  navn: "))
    (workdir / "answers" / "emoji.yaml").write_text(text.replace(original, f'  navn: "{name}"', 1), encoding="utf-8")
    code, out, err = run_cp1252("status", "--json", cwd=workdir)
    assert code == 0, err
    assert out.isascii()
    entries = {Path(e["file"]).stem: e for e in __import__("json").loads(out)}
    assert entries["emoji"]["name"] == name


def _fake_pdf_maker(bin_dir: Path) -> Path:
    bin_dir.mkdir(exist_ok=True)
    return _script(bin_dir / "soffice", """
        import os, sys
        args = sys.argv[1:]
        out = args[args.index("--outdir") + 1]
        for doc in args[args.index("--outdir") + 2:]:
            stem = os.path.splitext(os.path.basename(doc))[0]
            open(os.path.join(out, stem + ".pdf"), "wb").write(b"%PDF-1.7 fake")
    """)


def _in_process_at(folder: Path, monkeypatch) -> None:
    """drafter's CLI in this process, in *folder*: its workspace found there, not one an
    earlier test of this worker left active."""
    from drafter import workspace

    monkeypatch.chdir(folder)
    monkeypatch.delenv(workspace.WORKSPACE_ENV, raising=False)
    monkeypatch.setattr(workspace, "_current", None)


def test_a_scratch_folder_windows_will_not_delete_is_a_warning_not_a_failure(workdir, tmp_path, monkeypatch, capsys):
    """LibreOffice's profile still locked at clean-up: the PDF is made, so the run succeeded."""
    from drafter.cli import main

    real_rmtree = shutil.rmtree

    def locked(path, ignore_errors=False, **kwargs):
        if Path(path).name.startswith("drafter-pdf-"):
            if ignore_errors:
                return  # the locked file stays, and the folder with it
            raise PermissionError(13, "Processen kan ikke få adgang til filen", str(path))
        return real_rmtree(path, ignore_errors=ignore_errors, **kwargs)

    monkeypatch.setenv("DRAFTER_SOFFICE", str(_fake_pdf_maker(tmp_path / "bin")))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(__import__("tempfile"), "tempdir", None)  # read TMPDIR again
    monkeypatch.setattr(shutil, "rmtree", locked)
    _in_process_at(workdir, monkeypatch)
    code = main(["render", f"answers/{ADHOC_EXAMPLE.name}", "--pdf"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert (workdir / "out" / f"{ADHOC_EXAMPLE.stem}.pdf").is_file()
    assert "drafter: advarsel: den midlertidige mappe" in err and "kunne ikke fjernes helt (ingen adgang)" in err
    assert "intern fejl" not in err
    (left,) = tmp_path.glob("drafter-pdf-*")
    monkeypatch.setattr(shutil, "rmtree", real_rmtree)
    assert fsutil.remove_abandoned_scratch() == [left]  # the next run removes it


def test_a_path_too_long_for_windows_is_refused_before_writing_with_its_length(workdir, monkeypatch, capsys):
    from drafter.cli import main

    monkeypatch.setattr(fsutil, "_WINDOWS", True)
    monkeypatch.setattr(fsutil, "_windows_long_paths", lambda: False)
    _in_process_at(workdir, monkeypatch)
    folder = workdir / "out"
    while len(str(folder)) < 230:
        folder = folder / "undermappe"
    folder.mkdir(parents=True)
    target = folder / ("x" * (250 - len(str(folder)) - 6) + ".docx")  # 250 characters: fine, but not with the temporary name
    assert len(str(target)) == 250
    code = main(["render", f"answers/{ADHOC_EXAMPLE.name}", "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "stien er for lang til Windows: 250 tegn" in err and "264 tegn" in err and "højst 259" in err
    assert "findes ikke" not in err
    assert not target.exists()
    shorter = folder / "kort.docx"
    assert main(["render", f"answers/{ADHOC_EXAMPLE.name}", "-o", str(shorter)]) == 0


@pytest.mark.parametrize("insensitive", [True, False])
def test_pdfs_drafter_made_are_its_own_whatever_the_case_where_case_does_not_count(tmp_path, monkeypatch, insensitive):
    from drafter.errors import OutputError

    made = tmp_path / "Rapport.pdf"
    outcome = Outcome(tmp_path / "Rapport.yaml", tmp_path / "Rapport.docx", WRITTEN)
    produced = tmp_path / "lavet.pdf"
    produced.write_bytes(b"%PDF-1.7 lavet af drafter")
    assert pdf._move_into_place(produced, made, outcome, force=False)
    made.rename(tmp_path / "rapport.pdf")  # renamed in Explorer: only the case changed
    monkeypatch.setattr(pdf, "_case_insensitive", lambda folder: insensitive)
    if insensitive:
        pdf._may_replace(tmp_path / "rapport.pdf", force=False)  # drafter's own: may be made again
        assert pdf._move_into_place(produced, tmp_path / "rapport.pdf", outcome, force=False)
        assert "Rapport.pdf" not in pdf._own_hashes(tmp_path)  # one file, one record
    else:
        with pytest.raises(OutputError):  # where case counts, rapport.pdf is another file
            pdf._may_replace(tmp_path / "rapport.pdf", force=False)
