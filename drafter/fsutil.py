"""The one way drafter writes a file: all of it, or nothing at all."""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Callable

from drafter.errors import OutputError

# The operating system's own texts are English; these are the ones a user may meet.
_ERRNO_DA = {
    errno.EACCES: "ingen adgang",
    errno.EPERM: "ingen adgang",
    errno.EROFS: "drevet er skrivebeskyttet",
    errno.ENOSPC: "der er ikke mere plads på disken",
    errno.EDQUOT: "din diskkvote er brugt op",
    errno.ENOTDIR: "en del af stien er en fil, ikke en mappe",
    errno.EISDIR: "er en mappe",
    errno.ENAMETOOLONG: "navnet er for langt",
    errno.ENOENT: "findes ikke",
    errno.EEXIST: "findes allerede",
    errno.EIO: "fejl ved læsning eller skrivning på disken",
}

# A temporary file of ours older than this is left over from a drafter that was killed
# mid-write (a write takes milliseconds); a younger one may belong to a drafter running now.
STALE_TEMP_SECONDS = 600

# On Windows a file open in Word (or held for a moment by a virus scanner or OneDrive)
# cannot be replaced: os.replace raises PermissionError. Wait a little, then say so.
REPLACE_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)
FILE_IN_USE = "Dokumentet er åbent i et andet program (fx Word); luk det og prøv igen"
_WINDOWS = os.name == "nt"


def describe_oserror(exc: OSError) -> str:
    """A short Danish reason for an OSError."""
    return _ERRNO_DA.get(exc.errno, exc.strerror or str(exc))


def refuse_unwritable_target(target: Path) -> None:
    """Raise OutputError when *target* is a link or a folder: drafter writes neither."""
    if target.is_symlink():
        # Renaming over a link would silently replace it; writing through it would
        # change a file somewhere else. Neither is what the person asked for.
        raise OutputError(f"{target}: er et symbolsk link; drafter skriver ikke gennem links")
    if target.is_dir():
        raise OutputError(f"{target}: er en mappe, ikke en fil")


def atomic_write(
    path: str | os.PathLike, data: bytes | str, mode: int | None = None, before_replace: Callable[[], None] | None = None
) -> None:
    """Write *data* to *path* so that readers see the old file or the whole new one.

    A temporary file in the same folder is written, flushed to disk and renamed over the
    target; on any failure the temporary file is removed and the old file is untouched.
    *mode* gives the file these permissions instead of the usual ones (umask).
    *before_replace* runs just before the rename and may raise to stop it: the last
    moment to see that someone else changed the target meanwhile.
    """
    target = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    refuse_unwritable_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temp_files(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise OutputError(f"{target}: mappen {folder} findes ikke") from None
    except PermissionError:
        raise OutputError(f"{target}: der er ikke skriveadgang til mappen {folder}") from None
    except OSError as exc:
        raise OutputError(f"{target}: kan ikke skrive i mappen {folder} ({describe_oserror(exc)})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _set_mode(tmp_name, mode)
        if before_replace is not None:
            before_replace()
        _replace(tmp_name, target)
    except BaseException as exc:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        if isinstance(exc, PermissionError) and target.exists() and _WINDOWS:
            raise OutputError(f"{target}: {FILE_IN_USE}") from None
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: kunne ikke skrives ({describe_oserror(exc)})") from None
        raise
    _fsync_folder(folder)


def _replace(tmp_name: str, target: Path) -> None:
    """os.replace, retried briefly on Windows while another program holds the target open."""
    for delay in REPLACE_RETRY_DELAYS if _WINDOWS else ():
        try:
            os.replace(tmp_name, target)
            return
        except PermissionError:
            time.sleep(delay)
    os.replace(tmp_name, target)


def _set_mode(name: str, mode: int | None) -> None:
    if mode is None:
        # mkstemp creates 0600; a finished document should get the ordinary permissions.
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.chmod(name, mode)
    except OSError as exc:
        # FAT (a USB stick), some network and FUSE file systems keep no POSIX
        # permissions and refuse chmod; the file is written all the same.
        if exc.errno not in (errno.EPERM, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise


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


def temp_file_pattern(target: Path) -> re.Pattern:
    """Names atomic_write gives its temporary files for *target* (mkstemp: 8 random characters)."""
    return re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")


def remove_stale_temp_files(target: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove temporary files a killed drafter left beside *target*; return what was removed.

    Only regular files named exactly like atomic_write's own temporary files for this
    target, and only when they are old enough that no running drafter can be writing them.
    """
    folder = target.parent if str(target.parent) else Path(".")
    pattern = temp_file_pattern(target)
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        if not pattern.fullmatch(name):
            continue
        path = folder / name
        try:
            info = path.lstat()
            if not path.is_symlink() and path.is_file() and now - info.st_mtime > older_than:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
