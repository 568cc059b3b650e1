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
# Where the person may also write their own text: what Enter does when nothing matches.
SELECT_OTHER_HINT = "(piletaster og Enter, eller skriv: Enter gemmer det skrevne, hvis intet i listen passer)"
# The one way to end a multi-line answer, shown under the field: each line is a paragraph.
MULTILINE_HINT = "Enter: nyt afsnit · Enter på en tom linje: færdig · Ctrl-E: skriv i din egen editor"
# The same for a list entered in one prompt: each line an entry ("{one}": "én opgave").
LINES_HINT = "{one} pr. linje · Enter på en tom linje: færdig · Ctrl-E: skriv i din egen editor"
SUGGESTION_HINT = "Enter: brug forslaget · Tab: ret i forslaget · eller skriv noget andet"
# An optional question's suggestion may be declined: Backspace takes it away, as deleting the
# text does in the web form, and Enter then leaves the answer empty.
OPTIONAL_SUGGESTION_HINT = "Enter: brug forslaget · Tab: ret i forslaget · Backspace: lad feltet stå tomt · eller skriv noget andet"
# An optional question answered empty on purpose before (the file keeps "key: ''"): it starts
# empty, declined, and its suggestion is one Tab away.
LEFT_EMPTY_HINT = "Feltet står tomt med vilje · Enter: lad det stå tomt · Tab: forslaget igen · eller skriv noget"
DECLINED_PLACEHOLDER = "(tomt; Tab: forslaget igen)"
DECLINED_ANSWER = "(tomt)"  # the answered prompt's line, once it is sent
ONE_LINE_NOTE = "Svaret skal stå på én linje: de indsatte linjeskift og tabulatorer er gjort til mellemrum."
EDITOR_LIMIT = 1_000_000  # characters taken back from an editor; a multi-line answer holds 50.000


class Typed(str):
    """What was typed at a choice with search when it matches no item: the person's own text."""


class EditorFailed(Exception):
    """The person's editor could not be used; the message is Danish and says why."""


def one_line(text: str) -> tuple[str, bool]:
    """*text* with its line breaks and tabs made spaces (runs of them one space), and whether
    there were any: a one-line answer never keeps a pasted line break out of sight."""
    import re

    joined = re.sub(r"[ \t]*[\r\n\t\v\f]+[ \t]*", " ", text)
    return joined, joined != text


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

def fit_prompt(message: str, instruction: str = "") -> tuple[str, str]:
    """A prompt's question and instruction broken between words to the terminal's width
    (questionary draws them as "? question instruction" and the terminal would break
    them inside a word). The instruction goes on a line of its own when it does not fit."""
    import textwrap

    columns = width() - 1
    lines = textwrap.wrap(message, columns - 3, break_on_hyphens=False) or [""]
    message = "\n  ".join(lines)
    if not instruction:
        return message, ""
    if len(lines[-1]) + 3 + len(instruction) <= columns:  # "? " before, " " after the question
        return message, instruction
    return message, "\n  " + "\n  ".join(textwrap.wrap(instruction, columns - 2, break_on_hyphens=False))


def select(
    message: str, choices: list[str], default: str | None = None, search: bool = False, own_text: bool = False
) -> str:
    """One of *choices*. With *search*, typing filters the list (any letter, æ, ø and å too);
    with *own_text*, Enter on typed text that matches no item returns that text as ``Typed``."""
    hint = SELECT_OTHER_HINT if own_text else SELECT_FILTER_HINT if search or own_text else SELECT_HINT
    shown, hint = fit_prompt(message, hint)
    # The answer is drawn after the question once chosen: where the longest would not fit on
    # the question's last line, it goes on a line of its own (the terminal would break it
    # inside a word).
    longest = max((len(c if isinstance(c, str) else str(getattr(c, "title", c))) for c in choices), default=0)
    if len(shown.split("\n")[-1]) + 3 + longest > width() - 1:
        shown += "\n "
    question = questionary.select(
        shown, choices=choices, default=default, instruction=hint,
        use_search_filter=search or own_text, use_jk_keys=not (search or own_text),
    )
    if search or own_text:
        _search_any_letter(question, own_text)
    return run(question, message)


def _search_any_letter(question: Any, own_text: bool) -> None:
    """questionary's search takes ASCII only; here every printable letter searches, a paste
    too, and (with *own_text*) Enter keeps typed text that matches no item."""
    from prompt_toolkit.keys import Keys
    from questionary.prompts.common import InquirerControl

    app = question.application
    control = next(c for c in app.layout.find_all_controls() if isinstance(c, InquirerControl))
    bindings = app.key_bindings

    def add(text_: str) -> None:
        for char in one_line(text_)[0]:
            if char.isprintable():
                control.add_search_character(char)

    def nothing_found() -> bool:
        wanted = (control.search_filter or "").lower()
        return bool(wanted) and not any(wanted in str(c.title).lower() for c in control.choices)

    def answer(event) -> None:
        if own_text and nothing_found():
            from questionary import Choice

            typed = Typed(control.search_filter.strip())
            control.choices, control.search_filter, control.pointed_at = [Choice(typed)], None, 0
        control.is_answered = True  # (for typed text the answered line shows it, not the first item)
        event.app.exit(result=control.get_pointed_at().value)

    @bindings.add(Keys.CPRResponse, eager=True, save_before=lambda event: False)
    def _cursor_position(event):
        """The terminal's answer to "where is the cursor?" (asked as every prompt is drawn) goes
        to the renderer, as prompt_toolkit's own binding does: the eager any-key binding below
        would otherwise take it, and the prompt would wait a second for it as it closes."""
        row = int(event.data[2:-1].split(";")[0])
        event.app.renderer.report_absolute_cursor_row(row)

    @bindings.add(Keys.Any, eager=True)
    def _letter(event):
        if event.data in ("\n", "\r"):  # Enter typed ahead in cooked mode arrives as "\n"
            answer(event)
        elif event.data and event.data.isprintable() and not event.data.isascii():
            add(event.data)

    @bindings.add(Keys.BracketedPaste, eager=True)
    def _paste(event):
        add(event.data)

    @bindings.add(Keys.ControlM, eager=True)
    def _enter(event):
        answer(event)

    @bindings.add("c-z", eager=True)
    def _nothing(event):
        """Ctrl-Z types no control character."""


def text(
    message: str,
    validate: Callable[[str], str | None],
    current: str = "",
    suggestion: str = "",
    multiline: bool = False,
    instruction: str | None = None,
    hint: str = "",
    name: str | None = None,
    entries: str | None = None,
    optional: bool = False,
    declined: bool = False,
) -> str:
    """Ask for text. *current* is put in the line to be edited; *suggestion* is shown grey
    and taken by Enter on an empty line; without one, *hint* is shown grey in the empty line. *validate* returns a Danish reason or None.
    Returns the text typed, or the suggestion when nothing was typed. *name* says which
    question this is where the message alone does not (an entry of a list). With *entries*
    (multi-line only: "én opgave"), each line is an entry of a list, not a paragraph.
    With *optional*, Backspace in the empty field declines the suggestion: Enter then
    returns no answer (OPTIONAL_SUGGESTION_HINT says so); *declined* starts it declined (an
    answer left empty on purpose before: LEFT_EMPTY_HINT), Tab still takes it."""
    from prompt_toolkit.keys import Keys

    to_lines = entry_lines if entries else paragraph_lines

    bindings = KeyBindings()
    notice = {"text": ""}  # said under the field: a paste made one line, an editor that failed

    @bindings.add("c-c", eager=True)
    @bindings.add("<sigint>")
    def _stop(event):
        event.app.exit(exception=Stopped(event.app.current_buffer.text))

    @bindings.add("c-z")
    def _nothing(event):
        """Ctrl-Z types no control character."""

    offered = _Suggestion(suggestion, hint, optional)
    offered.declined = declined and optional and bool(suggestion)
    offered.bind(bindings)

    if not multiline:
        @bindings.add(Keys.BracketedPaste)
        def _paste(event):
            joined, changed = one_line(event.data)
            event.app.current_buffer.insert_text(joined)
            notice["text"] = ONE_LINE_NOTE if changed else ""

    if multiline:
        @bindings.add("c-u")
        def _empty_line(event):
            """Ctrl-U empties the line up to the cursor, and only that line: at a line's start it
            does not join it to the one before (two entries or paragraphs would run together)."""
            buffer = event.app.current_buffer
            buffer.delete_before_cursor(len(buffer.document.current_line_before_cursor))

        @bindings.add(Keys.BracketedPaste)
        def _paste_paragraphs(event):
            event.app.current_buffer.insert_text(to_lines(event.data) if "\n" in event.data.strip() else event.data)

        @bindings.add("enter")
        @bindings.add("escape", "enter")  # Esc-Enter (Alt-Enter) is Enter here: no second, unsaid way to end
        def _enter(event):
            # The one way to end: Enter on an empty line (an empty answer too). Before that,
            # Enter starts a new line, and each line is a paragraph (or a list's entry) of its own.
            buffer = event.app.current_buffer
            document = buffer.document
            if not document.current_line.strip() and not document.text_after_cursor.strip():
                buffer.text = buffer.text.rstrip()
                buffer.cursor_position = len(buffer.text)
                buffer.validate_and_handle()
            else:
                buffer.newline(copy_margin=False)

        @bindings.add("c-e")
        async def _editor(event):
            from prompt_toolkit.application import run_in_terminal

            buffer = event.app.current_buffer

            def edit() -> str | None:
                try:
                    return edit_in_editor(buffer.text)
                except EditorFailed as failed:
                    notice["text"] = str(failed)
                    return None

            notice["text"] = ""
            edited = await run_in_terminal(edit, in_executor=True)
            if edited is not None:
                buffer.text = to_lines(edited)
                buffer.cursor_position = len(buffer.text)

    def toolbar():
        lines = [LINES_HINT.format(one=entries[:1].upper() + entries[1:]) if entries else MULTILINE_HINT] if multiline else []
        if notice["text"]:
            lines.append(notice["text"])
        if not lines:
            return None
        return FormattedText([("fg:ansibrightblack noreverse", "\n".join(wrap_plain(line) for line in lines))])

    def check(typed: str) -> bool | str:
        typed = offered.answer(typed)
        return validate(to_lines(typed) if entries else lines_to_paragraphs(typed) if multiline else typed) or True

    if multiline:
        current = to_lines(current)

    shown, instruction = fit_prompt(message, instruction or "")
    # A long question gets its answer on a line of its own, so the answer is not broken
    # inside a word at the terminal's edge (as a multi-line answer always has).
    last = (instruction or shown).split("\n")[-1]
    own_line = multiline or len(last) + 3 > width() // 2
    question = questionary.text(
        shown,
        default=current,
        validate=check,
        multiline=multiline,
        # A multi-line answer starts on a line of its own, its lines all at the left margin.
        instruction=instruction + ("\n›" if own_line else ""),
        prompt_continuation="  " if multiline else None,
        validate_while_typing=False,  # explain a wrong answer on Enter, not at every key
        key_bindings=bindings,
        placeholder=offered.placeholder if suggestion or hint else None,
        bottom_toolbar=toolbar,
        style=questionary.Style([("bottom-toolbar", "noreverse")]),
    )
    answer = run(question, name or message)
    if entries:
        return to_lines(answer)
    if multiline:
        answer = lines_to_paragraphs(answer)
    return offered.answer(answer)


class _Suggestion:
    """A text prompt's grey suggestion (or, without one, its grey *hint*): Tab in the empty
    line puts it there to be edited, Enter on the empty line takes it, and for an *optional*
    answer Backspace (or Delete) in the empty line declines it, so that Enter leaves the
    answer empty, as deleting the suggested text does in the web form."""

    def __init__(self, text_: str, hint: str, optional: bool):
        self.text = text_
        self.hint = hint
        self.optional = optional
        self.declined = False

    def bind(self, bindings: KeyBindings) -> None:
        empty = Condition(lambda: not get_app_session_buffer_text())

        @bindings.add("tab", filter=empty & Condition(lambda: bool(self.text)))
        def _take_suggestion(event):
            event.app.current_buffer.insert_text(self.text)

        if self.optional and self.text:
            @bindings.add("backspace", filter=empty & Condition(lambda: not self.declined))
            @bindings.add("delete", filter=empty & Condition(lambda: not self.declined))
            def _decline_suggestion(event):
                self.declined = True

    def placeholder(self) -> FormattedText:
        from prompt_toolkit.application.current import get_app

        done = get_app().is_done
        if self.declined:
            shown = DECLINED_ANSWER if done else DECLINED_PLACEHOLDER
        elif done and not self.text:
            shown = DECLINED_ANSWER  # a hint explains the empty line; sent empty, it would read as the answer
        else:
            shown = _first_line(self.text) or self.hint
        return FormattedText([("fg:ansibrightblack", shown)])

    def answer(self, typed: str) -> str:
        """What *typed* stands for: the suggestion when nothing was typed and it stands."""
        return typed if typed.strip() or not self.text or self.declined else self.text


def editor_command() -> list[str]:
    """The person's own editor: $VISUAL or $EDITOR, else Notepad on Windows, else the first
    of editor, nano, vi found; EditorFailed (Danish) when there is none or it cannot be read."""
    import os
    import shlex

    for variable in ("VISUAL", "EDITOR"):
        chosen = os.environ.get(variable)
        if chosen and chosen.strip():
            try:
                command = shlex.split(chosen, posix=os.name != "nt")
            except ValueError as exc:  # e.g. an unbalanced quote
                raise EditorFailed(f'{variable}="{chosen}" kan ikke læses som en kommando ({exc}); ret {variable}.') from None
            if not command:
                raise EditorFailed(f"{variable} er tom; sæt den til din editor, fx {variable}=nano.")
            return command
    if os.name == "nt":
        return ["notepad.exe"]
    found = next((name for name in ("editor", "nano", "vi") if shutil.which(name)), None)
    if found is None:
        raise EditorFailed("Der er ingen editor at åbne; sæt EDITOR til din editor, fx EDITOR=nano.")
    return [found]


def edit_in_editor(current: str) -> str | None:
    """*current* as the person left it in their own editor (a UTF-8 file in a private
    temporary folder). EditorFailed (Danish) when the editor cannot be started, fails, or
    leaves something that is not a readable text; the text in the prompt then stays."""
    import os
    import subprocess
    import tempfile

    from drafter.fsutil import describe_oserror
    from drafter.questionnaire import MAX_LENGTH

    command = editor_command()
    folder = tempfile.mkdtemp(prefix="drafter-")
    name = os.path.join(folder, "svar.txt")
    unchanged = " Teksten i feltet er uændret."
    try:
        with open(name, "w", encoding="utf-8", newline="") as file:
            file.write(current)
        try:
            code = subprocess.call([*command, name])
        except OSError as exc:
            raise EditorFailed(f'Editoren "{command[0]}" kan ikke startes ({describe_oserror(exc)}); '
                               f"sæt EDITOR til en editor, der findes.{unchanged}") from None
        if code != 0:
            raise EditorFailed(f'Editoren "{command[0]}" sluttede med en fejl (kode {code}).{unchanged}')
        if os.path.isdir(name):
            raise EditorFailed(f"Editoren efterlod en mappe i stedet for tekstfilen.{unchanged}")
        if not os.path.isfile(name):
            raise EditorFailed(f"Editoren slettede tekstfilen uden at gemme den.{unchanged}")
        limit = MAX_LENGTH["paragraphs"]
        try:
            with open(name, encoding="utf-8-sig") as file:  # Notepad may add a byte-order mark
                text_ = file.read(limit + 1)
        except UnicodeDecodeError:
            raise EditorFailed(f"Editoren gemte teksten i en anden tegnkodning end UTF-8; gem den som UTF-8 "
                               f"og prøv igen.{unchanged}") from None
        except OSError as exc:
            raise EditorFailed(f"Tekstfilen fra editoren kan ikke læses ({describe_oserror(exc)}).{unchanged}") from None
        if len(text_) > limit:
            raise EditorFailed(f"Teksten fra editoren er for lang (over {limit:,} tegn).{unchanged}".replace(",", "."))
        return text_.replace("\r\n", "\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def paragraph_lines(text_: str) -> str:
    """Text arriving in bulk (an earlier answer, an editor, a paste) as the multi-line prompt
    shows it: one paragraph a line. With blank lines, they separate paragraphs (a paragraph's
    own line breaks become spaces); without, every line is a paragraph."""
    import re

    text_ = text_.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n[ \t]*\n", text_.strip()):
        parts = re.split(r"\n[ \t]*\n", text_)
        return "\n".join(" ".join(p.split()) for p in parts if p.strip())
    return "\n".join(line.strip() for line in text_.split("\n") if line.strip())


def entry_lines(text_: str) -> str:
    """Text arriving for a list entered in one prompt: one entry a line (blank lines dropped)."""
    text_ = text_.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.strip() for line in text_.split("\n") if line.strip())


def lines_to_paragraphs(text_: str) -> str:
    """The multi-line prompt's text as an answer: each line a paragraph (blank line between)."""
    return "\n\n".join(line.strip() for line in paragraph_lines(text_).split("\n") if line.strip())


def wrap_plain(text_: str) -> str:
    """*text_* broken between words to the terminal's width, as one string."""
    return "\n".join(wrap(text_))


def _first_line(text_: str) -> str:
    return text_.split("\n", 1)[0] + (" …" if "\n" in text_ else "")


def get_app_session_buffer_text() -> str:
    from prompt_toolkit.application.current import get_app

    return get_app().current_buffer.text
