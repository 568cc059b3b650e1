"""The wheel a consultant installs: its name, its contents, and that it works installed.

The wheel is built in-process with hatchling (no network), installed with --no-deps into
a fresh venv that borrows this environment's packages (docxtpl and the rest) through a
.pth file, and used from another folder: no checkout on the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ADHOC_EXAMPLE, REPO, docx_text

DISTRIBUTION = "kommissorier"
PACKAGE_DIR = REPO / "drafter"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("hatchling", reason="hatchling (in the test extras) builds the wheel")
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("*.whl")
    return built


def _package_files() -> list[str]:
    """Every file of the package in the checkout (code and data folders alike)."""
    return sorted(
        path.relative_to(REPO).as_posix()
        for path in PACKAGE_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def test_the_wheel_holds_the_licence_every_kind_profile_template_and_example(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert wheel.name.startswith(f"{DISTRIBUTION}-")
    missing = [name for name in _package_files() if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    # Kinds and reference data (and profiles, once there) live in the package: checked above.
    assert any(name.startswith("drafter/kinds/") for name in names)
    for template in (REPO / "templates" / "docx").glob("*.docx"):
        assert f"drafter/_templates/docx/{template.name}" in names
    for example in (REPO / "answers").glob("*.yaml"):
        assert f"drafter/_examples/{example.name}" in names
    info = f"{DISTRIBUTION}-{_version()}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{info}/METADATA").decode("utf-8")
        entry_points = archive.read(f"{info}/entry_points.txt").decode("utf-8")
    assert f"Name: {DISTRIBUTION}\n" in metadata
    for classifier in ("Operating System :: Microsoft :: Windows", "Operating System :: MacOS",
                       "Operating System :: POSIX :: Linux", "Natural Language :: Danish",
                       "License :: OSI Approved :: MIT License"):
        assert f"Classifier: {classifier}\n" in metadata
    assert "drafter = drafter.__main__:main" in entry_points


def _version() -> str:
    from drafter import __version__

    return __version__


def test_the_installed_wheel_renders_from_another_folder(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert pip.returncode == 0, pip.stderr
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies come from this environment (offline, fast); drafter from the wheel.
    Path(purelib, "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "et andet sted"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "DRAFTER_DEBUG")}
    env["PYTHONIOENCODING"] = "utf-8"

    def drafter(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(bin_dir / "drafter"), *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)

    where = subprocess.run(
        [str(python), "-c", "import drafter, importlib.metadata as m; print(drafter.__file__); print(m.version('kommissorier'))"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    ).stdout.split("\n")
    assert Path(where[0]).is_relative_to(env_dir), where  # not the checkout
    assert where[1] == _version()

    version = drafter("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"drafter {_version()}"
    examples = Path(where[0]).parent / "_examples"
    result = drafter("render", str(examples / ADHOC_EXAMPLE.name), "--out-dir", "dokumenter")
    assert result.returncode == 0, result.stderr
    assert "Kommissorium for" in docx_text(work / "dokumenter" / f"{ADHOC_EXAMPLE.stem}.docx")
    kinds = drafter("kinds")
    assert kinds.returncode == 0 and "adhoc" in kinds.stdout, kinds.stderr
