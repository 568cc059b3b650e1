"""The interview's prompts: one question at a time, on questionary (prompt_toolkit beneath).

Every prompt goes through ``run``, so an interruption always arrives the same way and a
measuring script can time prompt to prompt. Text prompts show a suggestion as grey text
that typing replaces (Enter takes it, Tab puts it in the line to be edited), and Ctrl-C
inside one raises ``Stopped`` carrying what was typed so far, so it can be kept.
"""

from __future__ import annotations

import shutil
import textwrap
from functools import lru_cache
from typing import Any, Callable

import questionary
from prompt_toolkit.application.current import get_app_session
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings

def _share_default_key_bindings() -> None:
    """Every prompt_toolkit Application builds its ~750 default key bindings (Emacs, Vi,
    mouse) anew, and questionary.select makes three Applications: 5-15 ms of every prompt,
    between the Enter that sends an answer and the next prompt on the screen. The bindings
    hold no state of their own (their filters ask the running application), so one set,
    made at the first prompt, serves every prompt of the process."""
    from prompt_toolkit.application import application as pt_application

    make = getattr(pt_application, "load_key_bindings", None)
    if make is None or getattr(make, "shared", False):
        return  # another prompt_toolkit layout (nothing to share), or done already
    made: list = []

    def shared_key_bindings():
        if not made:
            made.append(make())
        return made[0]

    shared_key_bindings.shared = True  # type: ignore[attr-defined]
    pt_application.load_key_bindings = shared_key_bindings


_share_default_key_bindings()

HELP_STYLE = "italic fg:ansibrightblack"
HEADING_STYLE = "bold"
WARNING_STYLE = "fg:ansired"
ECHO_STYLE = "fg:ansigreen"

SELECT_HINT = "(piletaster og Enter)"
SELECT_FILTER_HINT = "(piletaster og Enter, eller skriv for at søge)"
MULTILINE_HINT = (
    "En tom linje skiller to afsnit. Afslut: tryk Enter to gange på en tom linje. "
    "Ctrl-E: skriv i din egen editor."
)
SUGGESTION_HINT = "Enter: brug forslaget · Tab: ret i forslaget · eller skriv noget andet"


class Stopped(KeyboardInterrupt):
    """Ctrl-C inside a prompt; *typed* is what the person had typed so far (text, or a
    form's {field key: text})."""

    def __init__(self, typed: Any = ""):
        super().__init__()
        self.typed = typed


def run(prompt: Any, message: str) -> Any:
    """Show one prompt and return its answer. The only place a prompt is run: Ctrl-C and end
    of input surface here as Stopped / KeyboardInterrupt / EOFError (never swallowed)."""
    if isinstance(prompt, questionary.Question):
        return prompt.unsafe_ask()
    return prompt.run()


# -- output ------------------------------------------------------------------------------

def width() -> int:
    """The terminal's width (80 when it cannot be told, as in tests)."""
    try:
        columns = get_app_session().output.get_size().columns
    except Exception:  # not every output can tell its size
        columns = shutil.get_terminal_size((80, 24)).columns
    return max(40, columns)


def height() -> int:
    try:
        rows = get_app_session().output.get_size().rows
    except Exception:
        rows = shutil.get_terminal_size((80, 24)).lines
    return max(12, rows)


def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """*text* in lines that fit the terminal, broken between words, never inside one."""
    lines: list[str] = []
    for index, part in enumerate(text.split("\n")):
        start = first if (first is not None and index == 0) else indent
        lines.extend(
            textwrap.wrap(part, width() - 1, initial_indent=start, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False) or [start.rstrip()]
        )
    return lines


def say(text: str = "", style: str | None = None, indent: str = "", first: str | None = None) -> None:
    """Print *text* wrapped to the terminal (an empty line without text); answers may hold
    control characters, so they are shown as escapes."""
    from drafter.problems import printable_lines

    _print_lines(wrap(printable_lines(text), indent, first) if text else [""], style)


def _print_lines(lines: list[str], style: str | None) -> None:
    """The lines in one go, with one style sheet for the whole interview.

    questionary.print merges and parses prompt_toolkit's whole default style sheet again
    for every line it prints (a few ms each, and the texts before a question are several
    lines): the time between an answer and the next question on the screen."""
    from prompt_toolkit.application.current import get_app_or_none
    from prompt_toolkit.renderer import print_formatted_text

    if get_app_or_none() is not None:  # a prompt on the screen: questionary prints above it
        for line in lines:
            questionary.print(line, style=style)
        return
    fragments = []
    for line in lines:
        fragments += [(style or "", line), ("", "\n")]
    print_formatted_text(get_app_session().output, FormattedText(fragments), _print_style())


@lru_cache(maxsize=1)
def _print_style():
    # What prompt_toolkit's own print_formatted_text merges, made once.
    from prompt_toolkit.styles import default_pygments_style, default_ui_style, merge_styles

    return merge_styles([default_ui_style(), default_pygments_style()])


def clear() -> None:
    from prompt_toolkit.shortcuts import clear as clear_screen

    clear_screen()


# -- prompts -----------------------------------------------------------------------------

def select(message: str, choices: list[str], default: str | None = None, search: bool = False) -> str:
    question = questionary.select(
        message, choices=choices, default=default, instruction=SELECT_FILTER_HINT if search else SELECT_HINT,
        use_search_filter=search, use_jk_keys=not search,
    )
    return run(question, message)


def text(
    message: str,
    validate: Callable[[str], str | None],
    current: str = "",
    suggestion: str = "",
    multiline: bool = False,
    instruction: str | None = None,
    hint: str = "",
    name: str | None = None,
) -> str:
    """Ask for text. *current* is put in the line to be edited; *suggestion* is shown grey
    and taken by Enter on an empty line; without one, *hint* is shown grey in the empty line. *validate* returns a Danish reason or None.
    Returns the text typed, or the suggestion when nothing was typed. *name* says which
    question this is where the message alone does not (an entry of a list)."""
    bindings = KeyBindings()

    @bindings.add("c-c", eager=True)
    @bindings.add("<sigint>")
    def _stop(event):
        event.app.exit(exception=Stopped(event.app.current_buffer.text))

    empty = Condition(lambda: not get_app_session_buffer_text())

    @bindings.add("tab", filter=empty & Condition(lambda: bool(suggestion)))
    def _take_suggestion(event):
        event.app.current_buffer.insert_text(suggestion)

    if multiline:
        @bindings.add("enter")
        def _enter(event):
            # Enter on an empty line twice ends the answer (as does Esc, Enter); before
            # that, Enter starts a new line, and one empty line separates two paragraphs.
            buffer = event.app.current_buffer
            lines = buffer.document.text_before_cursor.split("\n")
            at_end = not buffer.document.text_after_cursor.strip()
            ending = len(lines) >= 3 and not lines[-1].strip() and not lines[-2].strip()
            if not buffer.text.strip() or (at_end and ending):
                buffer.text = buffer.text.rstrip()
                buffer.cursor_position = len(buffer.text)
                buffer.validate_and_handle()
            else:
                buffer.newline(copy_margin=False)

        @bindings.add("c-e")
        async def _editor(event):
            from prompt_toolkit.application import run_in_terminal

            buffer = event.app.current_buffer
            edited = await run_in_terminal(lambda: edit_in_editor(buffer.text), in_executor=True)
            if edited is not None:
                buffer.text = edited.rstrip()
                buffer.cursor_position = len(buffer.text)

    def check(typed: str) -> bool | str:
        if not typed.strip() and suggestion:
            typed = suggestion
        return validate(typed) or True

    question = questionary.text(
        message,
        default=current,
        validate=check,
        multiline=multiline,
        # A multi-line answer starts on a line of its own, its lines all at the left margin.
        instruction=(instruction or "") + ("\n›" if multiline else ""),
        prompt_continuation="  " if multiline else None,
        validate_while_typing=False,  # explain a wrong answer on Enter, not at every key
        key_bindings=bindings,
        placeholder=FormattedText([("fg:ansibrightblack", _first_line(suggestion) or hint)]) if suggestion or hint else None,
    )
    answer = run(question, name or message)
    return answer if answer.strip() or not suggestion else suggestion


def editor_command() -> list[str] | None:
    """The person's own editor: $VISUAL or $EDITOR, else Notepad on Windows; None if none."""
    import os
    import shlex

    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if chosen:
        return shlex.split(chosen, posix=os.name != "nt")
    if os.name == "nt":
        return ["notepad.exe"]
    found = next((name for name in ("editor", "nano", "vi") if shutil.which(name)), None)
    return [found] if found else None


def edit_in_editor(current: str) -> str | None:
    """*current* as the person left it in their own editor (a temporary UTF-8 file), or
    None when no editor could be started or it failed; the text in the prompt then stays."""
    import os
    import subprocess
    import tempfile

    command = editor_command()
    if command is None:
        return None
    handle, name = tempfile.mkstemp(prefix="drafter-", suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(current)
        try:
            if subprocess.call([*command, name]) != 0:
                return None
        except OSError:
            return None
        with open(name, encoding="utf-8-sig") as file:  # Notepad may add a byte-order mark
            return file.read().replace("\r\n", "\n")
    finally:
        os.unlink(name)


def _first_line(text_: str) -> str:
    return text_.split("\n", 1)[0] + (" …" if "\n" in text_ else "")


def get_app_session_buffer_text() -> str:
    from prompt_toolkit.application.current import get_app

    return get_app().current_buffer.text
