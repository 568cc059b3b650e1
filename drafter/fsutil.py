"""The one way drafter writes a file: all of it, or nothing at all."""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import time
from contextlib import contextmanager
from pathlib import Path

from drafter.errors import OutputError

TYPE_CHECKING = False  # typing is for the annotations only: a check does not load it (~1.5 ms)
if TYPE_CHECKING:
    from typing import Callable

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
    errno.ELOOP: "for mange symbolske links i træk; peger et link på sig selv?",
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


def resolved(path: Path) -> Path:
    """*path* made absolute with links followed; as far as that goes when a link loops or
    a name is too long (reading or writing it then gives the Danish reason)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11's "Symlink loop"
        return Path(os.path.abspath(path))


def refuse_unwritable_target(target: Path) -> None:
    """Raise OutputError when *target* is a link, a folder or a special file: drafter writes none of them."""
    try:
        info = target.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return  # not there yet: the write itself says what is wrong with the folder
    except OSError as exc:  # a name too long, a link loop in the folders above
        raise OutputError(f"{target}: kunne ikke skrives ({describe_oserror(exc)})") from None
    if stat.S_ISLNK(info.st_mode):
        # Renaming over a link would silently replace it; writing through it would
        # change a file somewhere else. Neither is what the person asked for.
        raise OutputError(f"{target}: er et symbolsk link; drafter skriver ikke gennem links")
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{target}: er en mappe, ikke en fil")
    special = describe_special(info.st_mode)
    if special:
        # Writing into a FIFO waits forever, into a device does harm; renaming over
        # either replaces something that is not a document. Not even with --force.
        raise OutputError(f"{target}: {special}; drafter skriver ikke til den")


def atomic_write(
    path: str | os.PathLike, data: bytes | str, mode: int | None = None, before_replace: Callable[[], None] | None = None,
    durable: bool = True, sweep: bool = True,
) -> None:
    """Write *data* to *path* so that readers see the old file or the whole new one.

    A temporary file in the same folder is written, flushed to disk and renamed over the
    target; on any failure the temporary file is removed and the old file is untouched.
    *mode* gives the file these permissions instead of the usual ones (umask).
    *before_replace* runs just before the rename and may raise to stop it: the last
    moment to see that someone else changed the target meanwhile. *durable=False* skips
    the flushes to disk (a cache entry: after a crash it is missing or fails its digest,
    which costs only time), still whole or not at all for every reader. *sweep=False*
    leaves the temporary files killed writers left beside *target* to the caller (the
    private cache removes them now and then, see privcache.prune).
    """
    target = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    refuse_unwritable_target(target)
    refuse_too_long_path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if sweep:
        remove_stale_temp_files(target)
    created: list[str] = []  # the temporary file's name, once this call has made the file
    handle = None
    try:
        with signals_held():  # a signal now is raised once the file made (if any) is known and held
            handle = os.fdopen(_open_temp_file(target, folder, created), "wb")
        with handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        _set_mode(created[0], mode)
        if before_replace is not None:
            before_replace()
        _replace(created[0], target)
    except BaseException as exc:
        if handle is not None:
            handle.close()  # before the unlink: Windows removes no open file
        for name in created:
            try:
                os.unlink(name)
            except FileNotFoundError:
                pass
        if isinstance(exc, PermissionError) and target.exists() and _WINDOWS:
            raise OutputError(f"{target}: {FILE_IN_USE}") from None
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: kunne ikke skrives ({describe_oserror(exc)})") from None
        raise
    if durable:
        _fsync_folder(folder)


def _open_temp_file(target: Path, folder: Path, created: list[str]) -> int:
    """Create a new temporary file beside *target* (as mkstemp does: 0600, a random name, never
    an existing file), put its name in *created* and return its descriptor. Called with
    signals held (``signals_held``): between the creation and the name in *created* no
    signal may end the call, or the clean-up would not know whether the name is this call's
    file, which it must remove, or another's that only has the same name, which it must not."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)
    for _ in range(100):
        name = os.path.join(folder, f".{target.name}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(name, flags, 0o600)
        except FileExistsError:  # another file by that name: never touched, another name
            continue
        except FileNotFoundError:
            raise OutputError(f"{target}: mappen {folder} findes ikke") from None
        except PermissionError:
            raise OutputError(f"{target}: der er ikke skriveadgang til mappen {folder}") from None
        except OSError as exc:
            raise OutputError(f"{target}: kan ikke skrive i mappen {folder} ({describe_oserror(exc)})") from None
        created.append(name)
        return fd
    raise OutputError(f"{target}: kan ikke skrive i mappen {folder} (ingen ledigt navn til en midlertidig fil)")


# The signals that end drafter (drafter.interrupts raises them as exceptions in the main thread).
_HELD_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def signals_held():
    """A few instructions no signal cuts: one that arrives inside is raised again as the block
    ends, to the handler it would have met. Python runs signal handlers only in the main
    thread, between instructions; elsewhere the block needs nothing."""
    caught: list[int] = []
    previous: dict[int, object] = {}
    try:
        for signum in _HELD_SIGNALS:
            handler = signal.getsignal(signum)
            if handler is None:  # a handler not set from Python: left alone
                continue
            previous[signum] = handler  # before the swap: a signal between the two still finds it put back
            signal.signal(signum, lambda number, frame: caught.append(number))
    except ValueError:  # not the main thread: no signal is raised here
        previous.clear()
    except BaseException:  # a signal while the handlers were being swapped: as if before the block
        _restore_handlers(previous)
        raise
    try:
        yield
    finally:
        _restore_handlers(previous)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)  # to its own handler now: Ctrl-C raises, SIG_DFL ends, SIG_IGN ignores


def _restore_handlers(previous: dict[int, object]) -> None:
    """Put each handler back, even when a signal's handler raises in between (a second
    Ctrl-C): a handler left swapped would swallow that signal from then on."""
    raised: BaseException | None = None
    for signum, handler in previous.items():
        for _ in range(100):  # a retry per signal raised meanwhile; a person cannot press Ctrl-C that often
            try:
                signal.signal(signum, handler)
                break
            except BaseException as exc:  # noqa: BLE001 - raised again below, once every handler is back
                raised = raised or exc
    if raised is not None:
        raise raised


# Windows (without long paths switched on) opens no path of more than 259 characters, and
# atomic_write first writes beside the target under a name 14 characters longer
# (".NAME.xxxxxxxx.tmp"). Checked before writing, so the message says what is wrong.
WINDOWS_MAX_PATH = 259
TEMP_NAME_EXTRA = len(".") + len(".xxxxxxxx.tmp")


def refuse_too_long_path(target: Path) -> None:
    """OutputError naming the length when Windows could not write *target* (see above)."""
    if not _WINDOWS or _windows_long_paths():
        return
    length = len(os.path.abspath(target))
    if length + TEMP_NAME_EXTRA > WINDOWS_MAX_PATH:
        raise OutputError(
            f"{target}: stien er for lang til Windows: {length} tegn, og drafter skriver først til et midlertidigt "
            f"navn på {length + TEMP_NAME_EXTRA} tegn; Windows tillader højst {WINDOWS_MAX_PATH}. "
            "Vælg en mappe tættere på drevets rod eller et kortere navn"
        )


def _windows_long_paths() -> bool:
    """Whether Windows has long paths switched on (LongPathsEnabled); Python honours it."""
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SYSTEM\CurrentControlSet\Control\FileSystem") as key:
            return winreg.QueryValueEx(key, "LongPathsEnabled")[0] == 1
    except (ImportError, OSError):
        return False


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
        # The temporary file is created 0600; a finished document gets the ordinary permissions.
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
    """Names atomic_write gives its temporary files for *target* (8 random characters; older
    drafters' mkstemp names too)."""
    return re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")


# Any name atomic_write gives a temporary file: ".<target's name>.<8 characters>.tmp".
_TEMP_NAME = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")

# Per folder, the temporary files of killed writers found there (by their target's name), and
# when it was listed: a folder is listed once per process (again after STALE_TEMP_SECONDS, for
# a long-running `drafter serve`), not at every write, which in a folder of thousands of
# documents or cache entries would cost more than the write itself. A file left by a writer
# killed after the listing is removed by a later process.
_leftovers: dict[str, tuple[float, dict[str, tuple[str, ...]]]] = {}


def _leftovers_in(folder: Path) -> dict[str, tuple[str, ...]]:
    key = os.path.abspath(folder)
    now = time.monotonic()
    known = _leftovers.get(key)
    if known is not None and now - known[0] < STALE_TEMP_SECONDS:
        return known[1]
    found: dict[str, tuple[str, ...]] = {}
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    for name in names:
        # A plain test first: no pattern matched for each of thousands of names.
        if name.startswith(".") and name.endswith(".tmp"):
            match = _TEMP_NAME.fullmatch(name)
            if match:
                found[match.group(1)] = found.get(match.group(1), ()) + (name,)
    _leftovers[key] = (now, found)
    return found


def remove_stale_temp_files(target: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove temporary files a killed drafter left beside *target*; return what was removed.

    Only regular files named exactly like atomic_write's own temporary files for this
    target, and only when they are old enough that no running drafter can be writing them.
    The folder is listed once per process (see _leftovers), so a write costs no listing.
    """
    folder = target.parent if str(target.parent) else Path(".")
    leftovers = _leftovers_in(folder)
    candidates = leftovers.get(target.name)
    if not candidates:
        return []
    removed = _remove_stale(folder, candidates, older_than)
    leftovers[target.name] = tuple(name for name in candidates if folder / name not in removed)
    return removed


def remove_stale_temp_files_in(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the temporary files killed writers left in *folder*, for any target (listed afresh:
    the private cache does it now and then, instead of at each write)."""
    _leftovers.pop(os.path.abspath(folder), None)
    return _remove_stale(folder, [name for names in _leftovers_in(folder).values() for name in names], older_than)


def _remove_stale(folder: Path, names, older_than: float) -> list[Path]:
    removed: list[Path] = []
    now = time.time()
    for name in names:
        path = folder / name
        try:
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


# -- scratch folders ---------------------------------------------------------------------------

# drafter's scratch folders in the system's temporary folder (LibreOffice's profile and
# PDFs, pdftoppm's PNGs). A running drafter holds a lock on a file inside its own; a
# folder whose lock is free belongs to a drafter that was killed, and the next run removes
# it. Where there are no such locks (Windows), a folder left for a day is removed.
SCRATCH_PREFIXES = ("drafter-pdf-", "drafter-png-")
_SCRATCH_OWNER = ".drafter-i-brug"
_SCRATCH_UNLOCKED_AGE = 24 * 3600


@contextmanager
def scratch_folder(prefix: str, warnings: list[str] | None = None):
    """A private temporary folder, removed afterwards; a failure to remove it is a warning.

    On Windows a file LibreOffice still holds cannot be deleted: the work is done all the
    same, so that is said in *warnings* (and the next run removes the folder), never raised.
    """
    import tempfile  # here: it brings shutil, random, bz2 and lzma (about 2 ms of a cold `drafter check`)

    path = Path(tempfile.mkdtemp(prefix=prefix))
    lock = _lock_scratch(path)
    try:
        yield path
    finally:
        if lock is not None:
            os.close(lock)
        remove_scratch(path, warnings)


def remove_scratch(path: Path, warnings: list[str] | None = None) -> None:
    import shutil

    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        shutil.rmtree(path, ignore_errors=True)
        if warnings is not None and path.exists():
            warnings.append(f"den midlertidige mappe {path} kunne ikke fjernes helt ({describe_oserror(exc)}); "
                            "den fjernes ved næste kørsel")


def _lock_scratch(path: Path) -> int | None:
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = os.open(path / _SCRATCH_OWNER, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def remove_abandoned_scratch(folder: Path | None = None) -> list[Path]:
    """Remove the scratch folders of drafters that were killed; return what was removed."""
    import tempfile  # here: it brings shutil, random, bz2 and lzma (about 2 ms of a cold `drafter check`)

    folder = Path(folder or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        names = [n for n in os.listdir(folder) if n.startswith(SCRATCH_PREFIXES)]
    except OSError:
        return removed
    for name in names:
        path = folder / name
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "geteuid") and info.st_uid != os.geteuid()):
            continue  # another user's, or not a folder: not ours to remove
        if _abandoned(path, info):
            remove_scratch(path)
            if not path.exists():
                removed.append(path)
    return removed


def _abandoned(path: Path, info: os.stat_result) -> bool:
    try:
        import fcntl
    except ImportError:
        return time.time() - info.st_mtime > _SCRATCH_UNLOCKED_AGE
    try:
        fd = os.open(path / _SCRATCH_OWNER, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        # From a drafter before these locks, or one that is creating its folder this moment.
        return time.time() - info.st_mtime > STALE_TEMP_SECONDS
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True  # nobody holds it: its drafter is gone
    except OSError:
        return False  # held: a drafter is working in it now
    finally:
        os.close(fd)


# -- names made from a title ---------------------------------------------------------------

# Names Windows opens as a device, whatever follows the first dot and whatever the case:
# writing "nul.yaml" there writes nothing, "con.docx" writes to the console. Superscript
# digits count too (Windows treats "COM¹" as a port).
_WINDOWS_DEVICE_NAMES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$", "clock$"]
    + [f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789\u00b9\u00b2\u00b3"]
)


def is_windows_device_name(name: str) -> bool:
    """True for a file name Windows reads as a device: "nul", "NUL.yaml", "com1.tar.gz", "aux. "."""
    base = name.split(".", 1)[0].rstrip(" .").casefold()
    return base in _WINDOWS_DEVICE_NAMES


def windows_safe_stem(stem: str) -> str:
    """*stem* as a file name stem that is a file on every system: a device name gets "-1".

    "nul" -> "nul-1", "Con.udkast" -> "Con-1.udkast"; any other stem comes back unchanged.
    Every name drafter makes from a title (a new draft, a document, a download) passes here.
    """
    if not is_windows_device_name(stem):
        return stem
    head, dot, rest = stem.partition(".")
    return f"{head.rstrip(' .')}-1{dot}{rest}"


# -- reading what others wrote: regular files only, bounded --------------------------------

class UnsafeFile(ValueError):
    """A file drafter will not read as it is; the text is Danish and names no file."""


def describe_special(mode: int) -> str | None:
    """What a non-regular file is, in Danish ("er en navngivet pipe (FIFO)"); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "er en mappe, ikke en fil"
    if stat.S_ISFIFO(mode):
        return "er en navngivet pipe (FIFO), ikke en almindelig fil"
    if stat.S_ISSOCK(mode):
        return "er en socket, ikke en almindelig fil"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "er en enhed (device), ikke en almindelig fil"
    return "er ikke en almindelig fil"


def refuse_special_file(path: str | os.PathLike) -> os.stat_result:
    """The file's stat, or UnsafeFile when it is a FIFO, device, socket or folder.

    Looked at without opening it: opening a FIFO waits for a writer that may never come,
    and a device (/dev/zero) never ends. A missing file raises FileNotFoundError.
    """
    info = os.stat(path)
    what = describe_special(info.st_mode)
    if what:
        raise UnsafeFile(what)
    return info


def read_regular_file(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most *limit* bytes; UnsafeFile otherwise.

    Never blocks (O_NONBLOCK, in case the file was swapped for a FIFO after the check)
    and never reads more than *limit* + 1 bytes, whatever the file claims.
    """
    refuse_special_file(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        what = describe_special(info.st_mode)
        if what:
            raise UnsafeFile(what)
        if info.st_size > limit:
            raise UnsafeFile(f"filen er for stor ({_amount(info.st_size)}; højst {_amount(limit)})")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise UnsafeFile(f"filen er for stor (over {_amount(limit)})")
    return b"".join(chunks)


def _amount(size: int) -> str:
    """1.234.567 byte, or 12 MB: sizes as a Danish reader writes them."""
    if size >= 10 * 1024 * 1024:
        return f"{size // (1024 * 1024):,} MB".replace(",", ".")
    return f"{size:,} byte".replace(",", ".")


# Limits for a Word file (.docx) drafter opens, checked before anything is decompressed.
# A real commission is far below them: 10 000 members make a body part of about 7 MB that
# compresses 125:1. A zip bomb breaks them at once (deflate reaches about 1000:1).
DOCX_MAX_BYTES = 100 * 1024 * 1024  # the file itself
DOCX_MAX_PARTS = 1000
DOCX_MAX_PART_BYTES = 64 * 1024 * 1024  # one part, decompressed
DOCX_MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts, decompressed
DOCX_MAX_RATIO = 400  # decompressed / compressed, for a part of more than a megabyte


def read_docx_entries(data: bytes) -> dict[str, bytes]:
    """Every part of a Word file's zip, within the limits above; UnsafeFile otherwise.

    The central directory is checked first (number of parts, sizes, ratios), so a zip
    bomb costs nothing; each part is then read no further than its declared size.
    XML parts with a DOCTYPE or entity declaration are refused: Word never writes one.
    zipfile.BadZipFile is raised for what is not a zip at all.
    """
    import io
    import zipfile

    if len(data) > DOCX_MAX_BYTES:
        raise UnsafeFile(f"filen er for stor ({_amount(len(data))}; en Word-fil må højst fylde {_amount(DOCX_MAX_BYTES)})")
    declared = _declared_entry_count(data)
    if declared is not None and declared > DOCX_MAX_PARTS:
        raise UnsafeFile(f"filen har {declared:,} dele; en Word-fil må højst have {DOCX_MAX_PARTS:,}".replace(",", "."))
    entries: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > DOCX_MAX_PARTS:
            raise UnsafeFile(f"filen har {len(infos):,} dele; en Word-fil må højst have {DOCX_MAX_PARTS:,}".replace(",", "."))
        total = 0
        for info in infos:
            if info.file_size > DOCX_MAX_PART_BYTES:
                raise UnsafeFile(
                    f"delen {info.filename} fylder {_amount(info.file_size)} udpakket; "
                    f"en del må højst fylde {_amount(DOCX_MAX_PART_BYTES)}"
                )
            if info.file_size > 1024 * 1024 and info.file_size > DOCX_MAX_RATIO * max(1, info.compress_size):
                raise UnsafeFile(
                    f"delen {info.filename} er pakket {info.file_size // max(1, info.compress_size):,} gange sammen "
                    f"(højst {DOCX_MAX_RATIO} gange); det ligner en zip-bombe".replace(",", ".")
                )
            total += info.file_size
            if total > DOCX_MAX_TOTAL_BYTES:
                raise UnsafeFile(f"delene fylder over {_amount(DOCX_MAX_TOTAL_BYTES)} udpakket; det er for meget for en Word-fil")
        for info in infos:
            with archive.open(info) as member:
                content = member.read(info.file_size + 1)
            if len(content) > info.file_size:  # zipfile stops at the declared size; be sure
                raise UnsafeFile(f"delen {info.filename} er større end den angiver")
            name = info.filename.lower()
            if (name.endswith(".xml") or name.endswith(".rels")) and (b"<!DOCTYPE" in content or b"<!ENTITY" in content):
                raise UnsafeFile(f"delen {info.filename} har en DOCTYPE- eller ENTITY-erklæring, som Word-filer ikke har")
            entries[info.filename] = content
    return entries


def _declared_entry_count(data: bytes) -> int | None:
    """The number of entries the zip's end record announces, before zipfile builds them all."""
    import io
    import zipfile

    try:
        end = zipfile._EndRecData(io.BytesIO(data))  # type: ignore[attr-defined]
    except (OSError, AttributeError, ValueError, IndexError):
        return None
    if not end:
        return None
    return end[zipfile._ECD_ENTRIES_TOTAL]  # type: ignore[attr-defined]
