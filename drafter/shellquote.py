"""One argument of a command that drafter prints for a person to type (resume, edit).

Quoted for the platform's shell: POSIX shells take shlex's single quotes, but cmd.exe
keeps single quotes as part of the argument. On Windows double quotes serve cmd.exe and
PowerShell alike; only a name with $ or ` (which PowerShell expands inside double
quotes) gets PowerShell's single quotes, PowerShell being Windows' default shell.
"""

from __future__ import annotations

import os
import re
import shlex

_PLAIN_WINDOWS = re.compile(r"[\w.:\\/-]+")
_WINDOWS = os.name == "nt"


def quote(arg: str | os.PathLike, windows: bool | None = None) -> str:
    text = str(arg)
    if windows is None:
        windows = _WINDOWS
    if not windows:
        return shlex.quote(text)
    if _PLAIN_WINDOWS.fullmatch(text):
        return text
    if "$" in text or "`" in text:
        return "'" + text.replace("'", "''") + "'"
    return f'"{text}"'
