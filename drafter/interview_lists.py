"""The interview's lists and forms: a list in one prompt (a line per entry), a form per record
(drafter.recordform), a menu to add, change or remove entries, a section's short questions on
one form (`form: true`); and how answers are shown on one line.

Every entry is read by the interview's draft session and saved the moment it is given; Ctrl-C
inside an entry keeps what was typed of it, marked unfinished, so --resume reopens it.
"""

from __future__ import annotations

import copy
import datetime as _dt
from typing import Any

from drafter import plain, prompts
from drafter.dates import long_date
from drafter.prompts import ECHO_STYLE, HEADING_STYLE, HELP_STYLE, WARNING_STYLE, Stopped, say, select, text, width
from drafter.questionnaire import Question, Section, one, split_paragraphs
from drafter.recordform import FormField, RecordForm
from drafter.session import is_left_empty
from drafter.yamlread import is_empty

YES, NO = "Ja", "Nej"
DONE, ADD, EDIT_ITEM, REMOVE_ITEM = "Færdig, videre", "Tilføj", "Ret et punkt", "Fjern et punkt"
LEFT_EMPTY_SHOWN = "(tomt med vilje)"  # the review's word for an answer left empty on purpose
EMPTY_LIST = "Tøm listen"  # an optional list, all its entries removed at once (left empty on purpose)
BACK = "Tilbage"


class ListQuestions:
    """The repeating questions of one interview (*interview*: drafter.interview.Interview)."""

    def __init__(self, interview):
        self.interview = interview
        self.session = interview.session

    def ask(self, question: Question, editing: bool) -> None:
        items = list(self.session.get(question.path) or [])
        say(question.prompt, HEADING_STYLE)
        if question.help:
            say(question.help, HELP_STYLE)
        if not items:
            suggested = self.interview.suggestion(question)  # none for a list emptied on purpose before
            if isinstance(suggested, list) and suggested:  # e.g. from the reference data
                items.extend(copy.deepcopy(suggested))
                say("Forslag fra drafters data (behold, ret eller fjern punkterne):", HELP_STYLE)
                editing = True  # keeping the suggestion is one Enter
        self.session.put(question.path, items)
        if editing and items:
            self.edit_menu(question, items)
        else:
            self.show_items(question, items)
            self.fill(question, items)
        self.session.put(question.path, items)  # as it ends: emptied, it was left empty on purpose
        self.session.mark_unfinished(question.path, False)
        self.interview.save()

    def fill(self, question: Question, items: list) -> None:
        """New entries until an empty one: a form per record; a list's in one prompt, a line each."""
        self.session.mark_unfinished(question.path)
        if question.type == "list":
            self.list_lines(question, items)
            return
        if question.type == "records":
            for number, entry in enumerate(items, 1):  # an entry interrupted half-way: finish it first
                stopped_in = f"{question.path}[{number}]" in self.session.unfinished
                if stopped_in or any(f.required and is_empty(entry.get(f.key)) for f in question.fields):
                    filled = self.form(question, items, number, entry, resumed=True)
                    if filled is not None:
                        items[number - 1] = filled
                    self.session.mark_unfinished(f"{question.path}[{number}]", False)
                    self.interview.save()
        while True:
            number = len(items) + 1
            entry = self.form(question, items, number, None) if question.type == "records" else self.list_item(question, items, number)
            if entry is None:
                if not items:
                    say("  (ingen)", ECHO_STYLE)
                return
            items.append(entry)
            self.interview.save()
            if question.type == "records":  # the form is gone from the screen; this line stays
                say(f"✓ {noun(question, number)}: {summary(question, entry)}", ECHO_STYLE, indent="    ", first="  ")

    @staticmethod
    def done_hint(question: Question, items: list) -> tuple[str, str | None]:
        """What an empty entry does here, and the error when it may not end the list yet."""
        if items or not question.required:
            return ("tom formular: færdig" if items else "tom formular: ingen, videre"), None
        return "", f"Angiv mindst {one(question.item_name or 'post')}."

    def list_item(self, question: Question, items: list, number: int, current: str = "") -> str | None:
        hint, empty_error = self.done_hint(question, items)
        # One entry of a list obeys the text rule, through the same Question.check.
        item_question = plain.replace(question, type="text", required=True, default=None, help="", default_from=None)

        def check(typed: str) -> str | None:
            if not typed.strip():
                return None if empty_error is None else empty_error
            return self.interview.problem(item_question, typed)

        try:
            typed = text(f"{noun(question, number)}:", check, current=current, hint=f"({hint})" if hint else "",
                         name=f"{question.prompt} ({noun(question, number)})")
        except Stopped as stopped:
            if isinstance(stopped.typed, str) and stopped.typed.strip() and not self.interview.problem(item_question, stopped.typed):
                items.append(self.interview.read(item_question, stopped.typed))
                self.interview.save()
                self.interview.kept = (f'Også {question.item_name or "punktet"} du var i gang med at skrive, er gemt '
                                       f'("{clip(items[-1])}"), markeret som ufærdigt.')
            raise
        return self.interview.read(item_question, typed) if typed.strip() else None

    def list_lines(self, question: Question, items: list) -> None:
        """A list's new entries in one multi-line prompt, one a line; Enter on an empty line ends
        it (issue 28: one prompt, not one per entry). Ctrl-C keeps the valid lines typed so far."""
        item_question = plain.replace(question, type="text", required=True, default=None, help="", default_from=None)
        name = question.item_name or "punkt"

        def wrong(lines: list[str]) -> str | None:
            if not lines and not items and question.required:
                return f"Angiv mindst {one(name)}"
            for number, line in enumerate(lines, len(items) + 1):
                reason = self.interview.problem(item_question, line)
                if reason:
                    return f"{noun(question, number)}: {reason[:1].lower()}{reason[1:]}"
            return None

        try:
            typed = text(f"{one(name).capitalize()} pr. linje:", lambda t: wrong([x for x in t.split("\n") if x]),
                         multiline=True, entries=one(name), name=question.prompt)
        except Stopped as stopped:
            kept = [line for line in prompts.entry_lines(stopped.typed or "").split("\n")
                    if line and not self.interview.problem(item_question, line)]
            if kept:
                items.extend(self.interview.read(item_question, line) for line in kept)
                self.interview.save()
                lines = "den linje" if len(kept) == 1 else f"de {len(kept)} linjer"
                self.interview.kept = (f'Også {lines}, du var i gang med at skrive, er gemt i listen '
                                       f'("{clip(kept[-1])}"), markeret som ufærdig.')
            raise
        items.extend(self.interview.read(item_question, line) for line in typed.split("\n") if line)
        if not items:
            say("  (ingen)", ECHO_STYLE)

    def form(self, question: Question, items: list, number: int, entry: dict | None, resumed: bool = False) -> dict | None:
        """One entry as a form; None when it was sent empty (the list is done). An entry
        stopped half-way (*resumed*) opens in the last field that has text, to go on typing."""
        fields = [self.form_field(f, (entry or {}).get(f.key), suggest=entry is None) for f in question.fields]
        hint, empty_error = self.done_hint(question, [e for e in items if e is not entry])
        if entry is not None:
            hint, empty_error = "", None
        typed_in = [i for i, f in enumerate(fields) if f.current]
        focus = typed_in[-1] if resumed and typed_in else 0
        record_form = RecordForm(f"{noun(question, number)}:", fields, hint, empty_error, focus=focus)
        try:
            typed = prompts.run(record_form.app, f"{question.prompt} ({noun(question, number)})")
        except Stopped as stopped:
            self.keep_entry(question, items, number, entry, stopped.typed)
            raise
        if typed is None:
            return None
        return {f.key: self.interview.read(f, typed[f.key]) for f in question.fields}

    def form_field(self, field_question: Question, current: Any, suggest: bool, label: str | None = None) -> FormField:
        """One field of a form for *field_question*: its current value shown, its suggestion grey."""
        shown = "" if is_empty(current) else str(current)
        suggested = self.interview.suggestion(field_question) if suggest else None
        declined = suggest and is_left_empty(self.session, field_question)  # its suggestion one Tab away
        if declined:
            suggested = field_question.default_value(self.session.today, self.session.values)
        if field_question.type == "date":
            shown = long_date(_dt.date.fromisoformat(shown)) if shown else ""
            suggested = long_date(_dt.date.fromisoformat(suggested)) if isinstance(suggested, str) and suggested else None
        if field_question.type == "bool":
            shown = {True: YES, False: NO}.get(current, "")
        return FormField(
            key=field_question.key,
            label=label or field_question.prompt,
            check=self.field_check(field_question),
            current=shown,
            suggestion="" if is_empty(suggested) else str(suggested),
            choices=list(field_question.choices) or ([YES, NO] if field_question.type == "bool" else []),
            help=field_question.help,
            optional=not field_question.required,
            declined=declined,
        )

    def section_form(self, section: Section, questions: list[Question]) -> None:
        """Several one-line questions on one form: one prompt, Tab between the fields, and
        Enter saves them all (issue 28: a document's date, version, status and author)."""
        say()
        fields = []
        for question in questions:
            current = self.session.get(question.path)
            # An optional date is never invented: "today" is typed, not suggested.
            invent = question.type == "date" and not question.required and question.default == "today"
            label = (question.label or question.prompt) + ("" if question.required else " (kan springes over)")
            fields.append(self.form_field(question, current, suggest=is_empty(current) and not invent, label=label))
        section_form = RecordForm("", fields, "", None, empty_ends=False)  # under the section's heading
        try:
            typed = prompts.run(section_form.app, f"{questions[0].prompt} ({section.title})")
        except Stopped as stopped:
            self.keep_section_form(section, questions, stopped.typed)
            raise
        for question in questions:
            self.session.put(question.path, self.interview.read(question, typed[question.key]))
            self.session.mark_unfinished(question.path, False)
        self.interview.save()
        shown = [f"{q.short_name}: {show_value(q, self.session.get(q.path))}"
                 for q in questions if not is_empty(self.session.get(q.path))]
        say(f"✓ {' · '.join(shown) or '(ingen)'}", ECHO_STYLE, indent="    ", first="  ")

    def keep_section_form(self, section: Section, questions: list[Question], typed: Any) -> None:
        """Ctrl-C inside a section's form: keep every field typed and valid, marked unfinished."""
        if not isinstance(typed, dict):
            return
        kept = []
        for question in questions:
            value = typed.get(question.key, "")
            if value.strip() and not self.interview.problem(question, value):
                self.session.put(question.path, self.interview.read(question, value))
                self.session.mark_unfinished(question.path)
                kept.append(question.short_name)
        if kept:
            self.interview.save()
            self.interview.kept = (f"Også det, du havde skrevet under {section.title} ({', '.join(kept)}), er gemt, "
                                   "markeret som ufærdigt.")

    def field_check(self, field_question: Question):
        def check(typed: str) -> tuple[str | None, str]:
            reason = self.interview.problem(field_question, typed)
            if reason or field_question.type != "date" or not typed.strip():
                return reason, ""
            return None, long_date(_dt.date.fromisoformat(self.interview.read(field_question, typed)))

        return check

    def keep_entry(self, question: Question, items: list, number: int, entry: dict | None, typed: Any) -> None:
        """Ctrl-C inside a form: keep every field that was typed and is valid, in the draft."""
        if not isinstance(typed, dict):
            return
        kept = dict(entry or {f.key: None for f in question.fields})
        lost = []
        for field_question in question.fields:
            value = typed.get(field_question.key, "")
            if not value.strip():
                continue
            if self.interview.problem(field_question, value):
                lost.append(field_question.short_name)
                continue
            kept[field_question.key] = self.interview.read(field_question, value)
        if all(is_empty(v) for v in kept.values()):
            return
        if entry is None:
            items.append(kept)
        else:
            items[number - 1] = kept
        self.session.mark_unfinished(f"{question.path}[{number}]")  # --resume reopens this entry's form
        self.interview.save()
        shown = summary(question, kept)
        self.interview.kept = (f"Også {noun(question, number).lower()}, som du var i gang med, er gemt ({shown}), "
                               "markeret som ufærdig.")
        if lost:
            self.interview.kept += f" Ikke gemt, fordi det ikke var gyldigt endnu: {', '.join(lost)}."

    def edit_menu(self, question: Question, items: list) -> None:
        while True:
            self.show_items(question, items)
            choices = [DONE, ADD] + ([EDIT_ITEM, REMOVE_ITEM] if items else [])
            if items and not question.required:
                choices.append(EMPTY_LIST)
            picked = select("Hvad vil du?", choices, default=DONE)
            if picked == DONE:
                if question.required and not items:
                    say(f"Angiv mindst {one(question.item_name or 'post')}.", WARNING_STYLE)
                    continue
                return
            if picked == ADD:
                self.fill(question, items)
                continue
            if picked == EMPTY_LIST:
                items.clear()
                say("  (listen er tom)", ECHO_STYLE)
                self.interview.save()
                continue
            index = self.pick(question, items, "Hvilket punkt?")
            if picked == REMOVE_ITEM:
                del items[index]
            elif question.type == "list":
                items[index] = self.list_item(question, items, index + 1, current=items[index]) or items[index]
            else:
                items[index] = self.form(question, items, index + 1, items[index]) or items[index]
            self.interview.save()

    @staticmethod
    def pick(question: Question, items: list, message: str) -> int:
        labels = [clip(f"{n}. {summary(question, item)}", width() - 8) for n, item in enumerate(items, 1)]
        return labels.index(select(message, labels))

    @staticmethod
    def show_items(question: Question, items: list) -> None:
        if not items:
            return
        say(f"Indtil nu ({len(items)}):")
        for number, item in enumerate(items, 1):
            say(summary(question, item), indent="     ", first=f"  {number}. ")


def together_on_a_form(section: Section, questions: list[Question]) -> list[Question]:
    """The leading one-line questions of *section* that its kind asks on one form (`form:
    true`): text, date, choice and yes/no, none that switches the kind or depends on another;
    [] when fewer than two."""
    if not section.form:
        return []
    together = []
    for question in questions:
        if question.type not in ("text", "date", "choice", "bool") or question.kind_for or question.when:
            break
        together.append(question)
    return together if len(together) > 1 else []


# -- answers shown on one line ----------------------------------------------------------------

def noun(question: Question, number: int | None = None) -> str:
    """What one entry is called: 'Medlem 2' (the question's item name), else 'Punkt 2'."""
    name = (question.item_name or "punkt").capitalize()
    return f"{name} {number}" if number else name


def entry_name(question: Question, entry: Any) -> str:
    """How an entry is called in a message: its first text field that is not a date."""
    if not isinstance(entry, dict):
        return str(entry or "")
    for field_question in question.fields:
        value = entry.get(field_question.key)
        if field_question.type in ("text", "choice") and not is_empty(value):
            return str(value)
    return ""


def clip(text_: Any, limit: int = 60) -> str:
    text_ = " ".join(str(text_).split())
    return text_ if len(text_) <= limit else text_[: limit - 1] + "…"


def amount(value: Any) -> str:
    text_ = str(value)
    paragraphs = len(split_paragraphs(text_))
    return f"{len(text_)} tegn" + (f" i {paragraphs} afsnit" if paragraphs > 1 else "")


def show_value(question: Question, value: Any) -> str:
    """A value as people read it: dates long, yes/no in words."""
    if isinstance(value, bool):
        return YES if value else NO
    if question.type == "date" and isinstance(value, str):
        try:
            return long_date(_dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def summary(question: Question, item: Any) -> str:
    """One entry on one line, its fields named by their labels: 'Navn: Lone Bæk · Titel: Sygeplejerske'."""
    if isinstance(item, dict):
        parts = [
            f"{f.short_name}: {show_value(f, item[f.key])}"
            for f in question.fields if not is_empty(item.get(f.key))
        ]
        return " · ".join(parts) or "(tom)"
    return str(item)


def describe(question: Question, value: Any, left_empty: bool = False) -> list[str]:
    """Lines for the review: '  Label: value' (as the web's review names it), entries of
    lists on lines of their own; *left_empty*: an empty answer was left empty on purpose
    (its suggestion declined)."""
    label = question.short_name
    if is_empty(value):
        return [f"  {label}: {LEFT_EMPTY_SHOWN if left_empty else '(ikke besvaret)'}"]
    if question.is_repeating:
        return [f"  {label}:"] + [f"    {n}. {summary(question, item)}" for n, item in enumerate(value, 1)]
    text_ = show_value(question, value).replace("\n\n", " ¶ ")
    return [f"  {label}: {text_ if len(text_) <= 300 else text_[:299] + '…'}"]
