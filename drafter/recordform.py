"""One small form for one entry of a list (a member, a milestone ...): every field on one
screen, Tab between them, each field checked when it is left. One Enter rule: Enter saves
the entry from any field (every field is checked then); Tab and the arrow keys move.

The layout follows the terminal's width: labels beside their fields when the longest label
takes at most half the width, else each label on a line of its own above its field. Every
text the form shows (labels, errors, the footer) is broken between words, never inside one.

Built on prompt_toolkit directly, since questionary has no form. An empty form (nothing
typed in any field) is the sign that the list is done; Ctrl-C raises prompts.Stopped with
every field's text so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition, has_completions
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import (
    ConditionalContainer,
    Float,
    FloatContainer,
    HSplit,
    Layout,
    VSplit,
    Window,
)
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.layout.menus import CompletionsMenu
from prompt_toolkit.layout.processors import Processor, Transformation
from prompt_toolkit.styles import Style

from drafter.prompts import DECLINED_ANSWER, Stopped

STYLE = Style.from_dict({
    "title": "bold",
    "label": "",
    "label.focused": "bold",
    "field": "underline",
    "placeholder": "fg:ansibrightblack",
    "error": "fg:ansired",
    "echo": "fg:ansigreen",
    "hint": "italic fg:ansibrightblack",
    "completion-menu": "bg:ansiblue fg:ansiwhite",
    "completion-menu.completion.current": "bg:ansiwhite fg:ansiblack",
})

KEYS_HINT = "Enter: gem · Tab: næste felt · Skift-Tab: forrige"
DECLINE_HINT = "Backspace: lad feltet stå tomt"  # an optional field showing its suggestion
CHOICE_KEYS_HINT = "↑/↓: vælg i listen · Tab: tag det valgte (ellers det øverste) og gå videre · Enter: tag det og gem"
LABEL_GAP = 2  # columns between the longest label and its field: a value never touches a label
FIELD_INDENT = 4  # a field under its label starts here
MENU_ROOM = 6  # lines kept free below the form while a list of choices is open


@dataclass
class FormField:
    """One field of the form. *check* gets the text typed (or the suggestion) and returns
    (Danish reason or None, what to show beside the field once it is left, e.g. a date in
    long form)."""

    key: str
    label: str
    check: Callable[[str], tuple[str | None, str]]
    current: str = ""
    suggestion: str = ""
    choices: list[str] = field(default_factory=list)
    help: str = ""
    optional: bool = False  # its suggestion may be declined (Backspace), leaving it empty
    declined: bool = False  # left empty on purpose before: it starts declined, as after Backspace


def matching(choices: list[str], typed: str) -> list[str]:
    """The choices that contain *typed* (anywhere, ignoring case); all of them for nothing typed."""
    wanted = typed.strip().lower()
    return [choice for choice in choices if not wanted or wanted in choice.lower()]


class _ChoiceCompleter(Completer):
    """The choices that contain what is typed (anywhere, ignoring case)."""

    def __init__(self, choices: list[str]):
        self.choices = choices

    def get_completions(self, document, complete_event):
        for choice in matching(self.choices, document.text):
            yield Completion(choice, start_position=-len(document.text), display=choice)


class _Placeholder(Processor):
    """Grey suggestion in an empty field (*text* says it: the suggestion, or that it was declined)."""

    def __init__(self, text: Callable[[], str]):
        self.text = text

    def apply_transformation(self, ti):
        shown = self.text()
        if ti.document.text or ti.lineno != 0 or not shown:
            return Transformation(ti.fragments)
        return Transformation(list(ti.fragments) + [("class:placeholder", shown)])


def _columns() -> int:
    from drafter.prompts import width

    return width()


def _wrapped(text: str, columns: int, indent: str = "") -> str:
    """*text* broken between words to *columns* (a word longer than the line is broken)."""
    import textwrap

    lines = []
    for part in text.split("\n"):
        lines.extend(textwrap.wrap(part, max(10, columns), initial_indent=indent, subsequent_indent=indent,
                                   break_on_hyphens=False) or [indent.rstrip()])
    return "\n".join(lines)


class RecordForm:
    """The form for one entry; ``app`` is the prompt_toolkit Application to run.

    The app returns {key: text} (suggestions taken where a field was left empty), or None
    when the form was sent empty (the list is done). With *empty_ends* False (a section's
    questions on one form) an empty form is checked and sent like any other.
    """

    def __init__(
        self, title: str, fields: list[FormField], done_hint: str, empty_error: str | None = None, focus: int = 0,
        empty_ends: bool = True,
    ):
        self.title = title
        self.fields = fields
        self.done_hint = done_hint
        self.empty_error = empty_error  # said when the form is sent empty but may not be
        self.empty_ends = empty_ends
        self.errors: dict[str, str] = {}
        self.echoes: dict[str, str] = {}
        # Optional fields whose suggestion was taken away (now, or when the answer was left empty before).
        self.declined: set[int] = {i for i, f in enumerate(fields) if f.declined and f.optional and f.suggestion}
        self.message = ""
        self.buffers = [
            Buffer(
                document=Document(f.current, len(f.current)),
                multiline=False,
                completer=_ChoiceCompleter(f.choices) if f.choices else None,
                complete_while_typing=bool(f.choices),
                name=f.key,
            )
            for f in fields
        ]
        self.windows = []
        columns = _columns()
        # "› " before the label, then the label, then a gap: the field never touches the label.
        label_width = 2 + max(len(f.label) for f in fields) + LABEL_GAP
        self.beside = label_width <= columns // 2
        rows = [Window(FormattedTextControl(lambda: [("class:title", _wrapped(self.title, _columns() - 1))]),
                       dont_extend_height=True)] if title else []  # a section's form stands under its heading
        for index, (form_field, buffer) in enumerate(zip(fields, self.buffers)):
            window = Window(
                BufferControl(buffer, input_processors=[_Placeholder(lambda index=index: self._placeholder(index))]),
                height=1, style="class:field", dont_extend_width=False,
            )
            self.windows.append(window)
            if self.beside:
                rows.append(VSplit([
                    Window(FormattedTextControl(self._label(index)), width=label_width, height=1),
                    window,
                ]))
            else:  # too narrow for both: the label on its own line(s), the field below it
                rows.append(Window(FormattedTextControl(self._label(index)), dont_extend_height=True))
                rows.append(VSplit([Window(width=FIELD_INDENT, height=1), window]))
            rows.append(ConditionalContainer(
                Window(FormattedTextControl(self._note(form_field.key)), dont_extend_height=True),
                filter=Condition(lambda key=form_field.key: key in self.errors or key in self.echoes),
            ))
        rows.append(Window(FormattedTextControl(self._footer), dont_extend_height=True))
        rows.append(ConditionalContainer(Window(height=MENU_ROOM), filter=has_completions))
        body = FloatContainer(
            HSplit(rows),
            floats=[Float(xcursor=True, ycursor=True, content=CompletionsMenu(max_height=6, scroll_offset=1))],
        )
        self.app = Application(
            layout=Layout(body, focused_element=self.windows[focus]),
            key_bindings=self._bindings(),
            style=STYLE,
            full_screen=False,
            mouse_support=False,
            erase_when_done=True,
        )

    # -- drawing -------------------------------------------------------------------------
    def _focused(self) -> int:
        current = self.app.layout.current_window
        return self.windows.index(current) if current in self.windows else 0

    def _label(self, index: int):
        def text():
            focused = index == self._focused()
            style = "class:label.focused" if focused else "class:label"
            label = self.fields[index].label
            if not self.beside:
                label = _wrapped(label, _columns() - 3, indent="  ")[2:]
            return [(style, ("› " if focused else "  ") + label)]

        return text

    def _placeholder(self, index: int) -> str:
        if index in self.declined:
            return DECLINED_ANSWER
        return self.fields[index].suggestion

    def _may_decline(self, index: int) -> bool:
        """An optional field, empty, showing its suggestion: Backspace would leave it empty."""
        form_field = self.fields[index]
        return (form_field.optional and bool(form_field.suggestion) and index not in self.declined
                and not self.buffers[index].text)

    def _note(self, key: str):
        def text():
            if key in self.errors:
                return [("class:error", _wrapped(self.errors[key], _columns() - 1, indent="    "))]
            return [("class:echo", _wrapped(self.echoes.get(key, ""), _columns() - 1, indent="    "))]

        return text

    def _footer(self):
        focused = self.fields[self._focused()]
        columns = _columns() - 1
        lines = []
        menu_open = self.buffers[self._focused()].complete_state is not None
        if menu_open:  # the list of choices opens over this line
            lines.append(("", "\n"))
        elif self.message:
            lines.append(("class:error", _wrapped(self.message, columns) + "\n"))
        elif focused.help:
            lines.append(("class:hint", _wrapped(focused.help[:200], columns) + "\n"))
        else:
            lines.append(("", "\n"))
        if menu_open:
            lines.append(("class:hint", _wrapped(CHOICE_KEYS_HINT, columns)))
        else:
            keys = f"{KEYS_HINT} · {self.done_hint}" if self.done_hint else KEYS_HINT
            if self._may_decline(self._focused()):
                keys += f" · {DECLINE_HINT}"
            lines.append(("class:hint", _wrapped(keys, columns)))
        return lines

    # -- checking ------------------------------------------------------------------------
    def _text(self, index: int) -> str:
        typed = self.buffers[index].text
        return typed if typed.strip() or index in self.declined else self.fields[index].suggestion

    def _check(self, index: int) -> bool:
        form_field = self.fields[index]
        reason, echo = form_field.check(self._text(index))
        self.errors.pop(form_field.key, None)
        self.echoes.pop(form_field.key, None)
        if reason:
            self.errors[form_field.key] = reason
        elif echo:
            self.echoes[form_field.key] = echo
        return reason is None

    def _empty(self) -> bool:
        return not any(b.text.strip() for b in self.buffers)

    def _submit(self, event) -> None:
        if self.empty_ends and self._empty():
            if self.empty_error:
                self.message = self.empty_error
                return
            event.app.exit(result=None)
            return
        self.message = ""
        bad = [i for i in range(len(self.fields)) if not self._check(i)]
        if bad:
            event.app.layout.focus(self.windows[bad[0]])
            return
        event.app.exit(result={f.key: self._text(i) for i, f in enumerate(self.fields)})

    def _move(self, event, step: int) -> None:
        index = self._focused()
        if self.buffers[index].text.strip() or step > 0:
            self._check(index)
        self.message = ""
        target = index + step
        if 0 <= target < len(self.windows):
            event.app.layout.focus(self.windows[target])

    # -- keys ----------------------------------------------------------------------------
    def _bindings(self) -> KeyBindings:
        from drafter.prompts import one_line

        bindings = KeyBindings()
        menu_open = has_completions
        chosen = Condition(lambda: self._completion_chosen())

        @bindings.add("c-c", eager=True)
        @bindings.add("<sigint>")
        def _stop(event):
            event.app.exit(exception=Stopped({f.key: b.text for f, b in zip(self.fields, self.buffers)}))

        @bindings.add("c-z")
        def _nothing(event):
            """Ctrl-Z types no control character (suspending is not offered here)."""

        @bindings.add(Keys.BracketedPaste)
        def _paste(event):
            # A field holds one line: pasted line breaks and tabs become spaces, and the form says so.
            joined, changed = one_line(event.data)
            event.current_buffer.insert_text(joined)
            if changed:
                self.message = "Det indsatte havde linjeskift eller tabulatorer; de er gjort til mellemrum."

        # Up and Down walk an open list of choices; Tab always goes to the next field.
        @bindings.add("down", filter=menu_open)
        def _next_choice(event):
            event.app.current_buffer.complete_next()

        @bindings.add("up", filter=menu_open)
        def _previous_choice(event):
            event.app.current_buffer.complete_previous()

        @bindings.add("tab")
        @bindings.add("down", filter=~menu_open)
        def _next(event):
            event.app.current_buffer.complete_state = None  # keeps a chosen completion's text
            self._take_listed(self._focused())
            self._move(event, +1)

        @bindings.add("s-tab")
        @bindings.add("up", filter=~menu_open)
        def _previous(event):
            event.app.current_buffer.complete_state = None
            self._move(event, -1)

        @bindings.add("backspace", filter=Condition(lambda: self._may_decline(self._focused())))
        @bindings.add("delete", filter=Condition(lambda: self._may_decline(self._focused())))
        def _decline_suggestion(event):
            self.declined.add(self._focused())

        # One Enter rule: Enter saves the entry, from whichever field (a chosen item of an
        # open list is taken first).
        @bindings.add("enter")
        @bindings.add("c-j")
        @bindings.add("escape", "enter")
        def _enter(event):
            event.app.current_buffer.complete_state = None
            self._take_listed(self._focused())
            self._submit(event)

        return bindings

    def _take_listed(self, index: int) -> None:
        """Typed text that the list of choices matches becomes the first match, as a choice
        with search takes the item it points at ("Næs" is "Næstved Kommune"): what the list
        showed is what is saved, never the fragment that found it. Text that matches no
        choice stays the person's own."""
        choices, buffer = self.fields[index].choices, self.buffers[index]
        typed = buffer.text.strip()
        if not choices or not typed or buffer.text == self.fields[index].current:
            return  # an earlier answer passed over (`edit`) stays as it was written
        exact = next((c for c in choices if c.lower() == typed.lower()), None)
        listed = exact or next(iter(matching(choices, typed)), None)
        if listed is not None and listed != buffer.text:
            buffer.document = Document(listed, len(listed))

    def _completion_chosen(self) -> bool:
        state = self.app.current_buffer.complete_state
        return bool(state and state.current_completion is not None)
