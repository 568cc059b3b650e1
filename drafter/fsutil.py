"""The one way drafter writes a file: all of it, or nothing at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from drafter.errors import OutputError


def atomic_write(path: str | os.PathLike, data: bytes | str) -> None:
    """Write *data* to *path* so that readers see the old file or the whole new one.

    A temporary file in the same folder is written, flushed to disk and renamed over the
    target; on any failure the temporary file is removed and the old file is untouched.
    """
    target = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if target.is_symlink():
        # Renaming over a link would silently replace it; writing through it would
        # change a file somewhere else. Neither is what the person asked for.
        raise OutputError(f"{target}: er et symbolsk link; drafter skriver ikke gennem links")
    if target.is_dir():
        raise OutputError(f"{target}: er en mappe, ikke en fil")
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise OutputError(f"{target}: mappen {folder} findes ikke") from None
    except PermissionError:
        raise OutputError(f"{target}: der er ikke skriveadgang til mappen {folder}") from None
    except OSError as exc:
        raise OutputError(f"{target}: kan ikke skrive i mappen {folder} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _match_umask(tmp_name)
        os.replace(tmp_name, target)
    except BaseException as exc:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: kunne ikke skrives ({exc.strerror})") from None
        raise
    _fsync_folder(folder)


def _match_umask(name: str) -> None:
    # mkstemp creates 0600; a finished document should get the ordinary permissions.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
