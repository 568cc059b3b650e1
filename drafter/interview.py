"""The interactive questionnaire behind `drafter new` and `drafter edit`.

Every question comes from the kind's questionnaire data, and every typed value is checked
by the same ``Question.check`` that validates answer files. After each answer the draft
is written atomically (``complete: false``), so an interruption never loses more than the
answer being typed. Ctrl-C (or Ctrl-D) anywhere ends in one place, ``_guarded``, which
turns it into a Danish message saying where the draft is and how to continue.

The prompts are questionary's; ``unsafe_ask`` is used everywhere so that Ctrl-C reaches
``_guarded`` instead of being swallowed. Input and output come from prompt_toolkit's
current app session, so tests can drive the real prompts with a pipe.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import questionary

from drafter.answers import Answers, check_file, load_answers
from drafter.yamlio import save_answers
from drafter.yamlread import is_empty, parse_answer_text
from drafter.dates import DateError, iso_date, long_date
from drafter.errors import DrafterError, OutputError, UsageError
from drafter.fsutil import windows_safe_stem
from drafter.interrupts import deferred, set_grace
from drafter.problems import format_problem, printable
from drafter.yamlio import NewFileExists, StaleFile
from drafter.batch import DEFAULT_OUT_DIR
from drafter import prompts, shellquote
from drafter.prompts import (
    ECHO_STYLE,
    HEADING_STYLE,
    HELP_STYLE,
    SUGGESTION_HINT,
    WARNING_STYLE,
    Stopped,
    say,
    select,
    text,
    width,
    height,
    clear,
    wrap,
)
from drafter.rules import WAIVER_KEY, WAIVER_RULE
from drafter.errors import InvalidValue
from drafter.questionnaire import one, Question, Questionnaire, Section, split_paragraphs
from drafter.suggest import suggest
from drafter.session import (
    DEFAULT_ANSWERS_DIR, RECOVERY_SUFFIX, UNFINISHED_KEY, AutosaveFailed, DraftSession, free_path, kept_meta,
    load_for_resume, recovery_folders, slugify, unfinished_paths,
)
from drafter.validate import cross_field_message, is_asked, validate


OTHER = "Andet (skriv selv)"
NONE_CHOICE = "(ingen)"
YES, NO = "Ja", "Nej"
DONE, ADD, EDIT_ITEM, REMOVE_ITEM = "Færdig, videre", "Tilføj", "Ret et punkt", "Fjern et punkt"
APPROVE = "Godkend: gem og lav Word-dokumentet"
SHOW_SECTION = "Se"
WAIVE = "Undtag en regel (med en skrevet begrundelse)"
LAYOUT = "Titel, overskrifter og rækkefølge (kan springes over)"
DONE_LAYOUT = "Færdig"
OPTIONAL_DATE_HINT = "tom: ingen dato; skriv i dag for dagens dato"
BACK = "Tilbage"
NEXT_PAGE = "Næste side"
DATE_HINT = "Fx 1/12-2026, 1. december 2026, i dag, i morgen eller fredag."
RELOAD = "Indlæs filen igen, og læg mine svar oven i dens ændringer"
SAVE_BESIDE = "Gem mine svar i en ny fil ved siden af (filen røres ikke)"


class Interrupted(DrafterError):
    """The person stopped the interview (Ctrl-C); the message says how to go on."""

    exit_code = 130


@dataclass
class Result:
    answers_path: Path | None
    output: Path | None = None
    status: str = ""  # the renderer's "skrevet" / "uændret"; "" when nothing was rendered
    kind: str = ""
    findings: list[str] = dataclasses.field(default_factory=list)  # rule warnings and waivers, as `drafter check` prints them


# -- --set KEY=VALUE -----------------------------------------------------------------------

def parse_presets(questionnaire: Questionnaire, settings: list[str]) -> dict[str, Any]:
    """--set KEY=VALUE for `drafter new`, read by the draft session as every door reads it
    (drafter.values) and checked by each question's rule: {"gruppe.navn": value}. An empty
    value pre-answers nothing (the question is asked)."""
    session = DraftSession(questionnaire)
    paths = {key.split("[")[0] for key in session.apply(settings)}
    return {path: session.get(path) for path in sorted(paths) if not is_empty(session.get(path))}


# -- the interview ------------------------------------------------------------------------

class Interview:
    """Asks the questions of one questionnaire and keeps the draft on disk up to date."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        values: dict[str, dict[str, Any]] | None = None,
        path: Path | None = None,
        answers_dir: Path = DEFAULT_ANSWERS_DIR,
        out_dir: Path | None = None,
        presets: dict[str, Any] | None = None,
        complete: bool = False,
        today: _dt.date | None = None,
    ):
        self.questionnaire = questionnaire
        self.values: dict[str, dict[str, Any]] = {s.key: {} for s in questionnaire.sections}
        for section, given in (values or {}).items():
            self.values.setdefault(section, {}).update(given)
        self.path = path
        self.answers_dir = answers_dir
        self.out_dir = out_dir
        self.presets = dict(presets or {})
        self.complete = complete
        self.today = today
        self.meta: dict[str, Any] = {}  # other meta keys of the file (e.g. undtagelser), kept on save
        self.kept = ""  # what an interruption kept of an answer being typed, for the message
        self.base: bytes | None = None  # the file's bytes as last read or written: no save may lose edits made since
        self.notes: list[str] = []  # true things to add to a stop message: where else answers are
        for dotted, value in self.presets.items():
            self._put(dotted, value)
        # The draft is named after the first question answered with text: the group's name.
        self.name_question = next((q for q in questionnaire.questions if q.type in ("text", "choice")), None)

    # -- values and the draft on disk ------------------------------------------------------
    def get(self, dotted: str) -> Any:
        section, _, key = dotted.partition(".")
        return self.values.get(section, {}).get(key)

    def _put(self, dotted: str, value: Any) -> None:
        section, _, key = dotted.partition(".")
        self.values.setdefault(section, {})[key] = value

    def set(self, dotted: str, value: Any) -> None:
        self._put(dotted, value)
        self.save()

    @property
    def unfinished(self) -> list[str]:
        """Answer paths the person was still working on (a list being filled, an answer
        stopped half-typed); saved in the draft as 'ufaerdige' so --resume goes back there."""
        return self.meta.setdefault(UNFINISHED_KEY, [])

    def mark_unfinished(self, path: str, unfinished: bool = True) -> None:
        if unfinished and path not in self.unfinished:
            self.unfinished.append(path)
        elif not unfinished and path in self.unfinished:
            self.unfinished.remove(path)

    def save(self) -> None:
        """Write the draft atomically; before the group has a name there is nowhere to write."""
        if self.path is None:
            if self.name_question is None:  # a kind without a name question: named after the kind
                name = self.questionnaire.kind
            else:
                name = self.get(self.name_question.path)
            if is_empty(name):
                return
            try:
                self.path = self.new_path(name)
            except OSError as exc:  # answers/ cannot be made (a read-only folder)
                from drafter.fsutil import describe_oserror

                self.autosave_failed(self.answers_dir / f"{slugify(name)}.yaml",
                                     f"mappen {self.answers_dir} kan ikke oprettes ({describe_oserror(exc)})")
        if self.complete:
            self.meta.pop(UNFINISHED_KEY, None)
        try:
            with deferred():  # a closed terminal (SIGHUP) waits for the answer to be on disk
                self.base = save_answers(
                    self.path, self.questionnaire, self.values, complete=self.complete, meta=self.meta, base=self.base
                )
        except NewFileExists:  # the name was taken meanwhile: the next free one
            self.path = free_path(self.path.parent, self.path.stem, self.out_dir or DEFAULT_OUT_DIR)
            self.save()
        except StaleFile:
            self.changed_on_disk()
        except (OutputError, OSError) as exc:  # a full disk, a read-only folder ...
            from drafter.fsutil import describe_oserror

            self.autosave_failed(self.path, str(exc) if isinstance(exc, DrafterError) else f"{self.path}: {describe_oserror(exc)}")

    def autosave_failed(self, path: Path, reason: str) -> None:
        """The draft cannot be written: every answer goes to a recovery file, and the
        interview stops saying where it is and how to go on. Nothing stays only in memory."""
        recovery = self.write_recovery(path)
        lines = [f"Svarene kan ikke gemmes: {reason}."]
        if recovery is not None:
            lines += [f"Alle dine svar er gemt i {recovery}.", "Fortsæt, hvor du slap, med:",
                      f"  drafter new {self.questionnaire.kind} --resume {shellquote.quote(recovery)}"]
        else:
            from drafter import yamlio

            lines += ["Der kunne heller ikke skrives en gendannelsesfil; her er dine svar, som de ville stå i filen:",
                      yamlio.to_yaml(self.questionnaire, self.values, False, self.meta)]
        raise AutosaveFailed("\n".join(lines))

    def write_recovery(self, path: Path) -> Path | None:
        """Every answer as a draft file beside *path*, else in the user's cache folder; None
        when neither can be written. A new file each time, never over another."""
        from drafter import yamlio
        from drafter.fsutil import atomic_write

        data = yamlio.to_yaml(self.questionnaire, self.values, False, self.meta).encode("utf-8")
        for folder in recovery_folders(path.parent):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                target = free_path(folder, f"{path.stem}{RECOVERY_SUFFIX}")
                atomic_write(target, data)
                return target
            except (OSError, DrafterError):
                continue
        return None

    def changed_on_disk(self) -> None:
        """Someone changed the file since it was read: reload it, or save beside it. Nothing is lost."""
        say()
        say(
            f"Svarfilen {self.path} er ændret uden for drafter, efter den blev læst (fx i en editor). "
            "Dit seneste svar er ikke gemt i den endnu.",
            WARNING_STYLE,
        )
        try:
            picked = select("Hvad vil du gøre?", choices=[RELOAD, SAVE_BESIDE])
        except (KeyboardInterrupt, EOFError):  # stopped here: the answers go beside the changed file
            original = self.path
            self.save_beside(announce=False)
            self.notes.append(f"{original} er ændret uden for drafter og er ikke rørt.")
            raise
        if picked == RELOAD and self.reload():
            return
        self.save_beside()

    def reload(self) -> bool:
        """Merge the file's changes with this session's; False when the file cannot be read now."""
        from drafter.edits import merge_answers

        try:
            theirs = load_answers(self.path, self.questionnaire.kind)
            base = check_file(parse_answer_text(self.base or b"", str(self.path)), self.questionnaire.kind)
        except DrafterError as exc:
            say("Filen kan ikke indlæses, som den er nu:", WARNING_STYLE)
            for line in exc.lines():
                say(f"  {line}", WARNING_STYLE)
            return False
        mine = copy.deepcopy(self.values)
        merged, conflicts = merge_answers(self.questionnaire, base.values, mine, theirs.values)
        self.values, self.meta, self.base = merged, kept_meta(theirs), theirs.source.raw
        self.save()
        if not conflicts:
            say(f"Filens ændringer er indlæst, og dine svar er gemt sammen med dem i {self.path}.", HELP_STYLE)
            return True
        merged_path, merged_base = self.path, self.base
        self.values = mine
        self.save_beside(announce=False)
        beside = self.path
        self.path, self.base, self.values = merged_path, merged_base, merged
        self.notes.append(f"Dine svar, der også var ændret i filen, står i {beside}.")
        say(
            f"Filens ændringer er indlæst. Disse svar var ændret både i filen og her: {', '.join(conflicts)}; "
            f"{self.path} har filens udgave, og alle dine svar står i {beside}.",
            WARNING_STYLE,
        )
        return True

    def save_beside(self, announce: bool = True) -> None:
        """This session's answers go to a new file beside the changed one, which stays as it is."""
        original = self.path
        self.path = free_path(original.parent, f"{original.stem}-mine-svar", self.out_dir or DEFAULT_OUT_DIR)
        self.base = None
        self.save()
        if announce:
            say(f"Dine svar er gemt i {self.path}; {original} er ikke rørt. Svarene gemmes nu i den nye fil.", HELP_STYLE)

    def new_path(self, name: str) -> Path:
        """Where a new draft goes: named after the group; if that name is taken, ask."""
        self.answers_dir.mkdir(parents=True, exist_ok=True)
        out_dir = self.out_dir or DEFAULT_OUT_DIR
        wanted = self.answers_dir / f"{slugify(name)}.yaml"
        path = free_path(self.answers_dir, slugify(name), out_dir)
        if path == wanted:
            return path
        taken = wanted if (wanted.exists() or wanted.is_symlink()) else out_dir / f"{wanted.stem}.docx"
        say(f"Der findes allerede {taken} for en gruppe med det navn.", WARNING_STYLE)
        if wanted.is_file():
            say(f"Vil du fortsætte den, så stop her (Ctrl-C) og skriv: drafter new {self.questionnaire.kind} "
                f"--resume {shellquote.quote(wanted)}", HELP_STYLE)
        picked = select("Hvad skal den nye svarfil hedde?", [f"Gem den nye som {path}", "Giv gruppen et andet navn"])
        if picked.startswith("Gem"):
            return path
        question = self.name_question
        self._put(question.path, self.ask_value(question, None, label="Hvad skal gruppen hedde i stedet?"))
        return self.new_path(self.get(question.path))

    def interrupted_message(self) -> str:
        if self.path is None:
            return "Afbrudt. Intet er gemt, for gruppens navn var ikke angivet endnu."
        where = shellquote.quote(self.path)
        kept = "".join(f"\n{line}" for line in [self.kept, *self.notes] if line)
        if self.complete:
            return (
                f"Afbrudt. Dine ændringer indtil nu er gemt i {self.path}.{kept}\n"
                f"Ret videre med:\n  drafter edit {where}"
            )
        return (
            f"Afbrudt. Dine svar indtil nu er gemt i {self.path}.{kept}\n"
            f"Fortsæt, hvor du slap, med:\n  drafter new {self.questionnaire.kind} --resume {where}"
        )

    # -- output --------------------------------------------------------------------------
    def heading(self, section: Section) -> None:
        numbers = [s.number for s in self.questionnaire.sections if s.number]
        title = f"{section.number}/{max(numbers)} {section.title}" if section.number else section.title
        say()
        say(title, HEADING_STYLE)
        if section.intro:
            say(section.intro, HELP_STYLE)

    # -- flows -----------------------------------------------------------------------------
    def run_new(self) -> None:
        say(f"{self.questionnaire.name}.")
        say("Svarene gemmes efter hvert spørgsmål. Tryk Ctrl-C for at stoppe og fortsætte senere.", HELP_STYLE)
        self.save()
        plan = {q.path for q in self.resume_plan()}
        for section in self.questionnaire.sections:
            questions = [q for q in section.questions if q.path in plan]
            if not questions:
                continue
            self.heading(section)
            self.ask_questions(section, questions, editing=False)

    def resume_plan(self) -> list[Question]:
        """The questions still to ask: from the first unfinished one (a list being filled, an
        answer stopped half-typed), else from the first unanswered one after the last answer.

        Empty optional questions before that point were skipped on purpose and are not asked
        again. Pre-answered (--set) questions are never asked here.
        """
        order = [q for q in self.questionnaire.questions if q.path not in self.presets]
        unfinished = [i for i, q in enumerate(order) if q.path in self.unfinished]
        answered = [i for i, q in enumerate(order) if not is_empty(self.get(q.path))]
        start = min(unfinished) if unfinished else max(answered, default=-1) + 1
        return [
            q for i, q in enumerate(order)
            if i >= start or q.path in self.unfinished or (is_empty(self.get(q.path)) and q.required)
        ]

    def ask_section(self, section: Section) -> None:
        self.heading(section)
        self.ask_questions(section, section.questions, editing=True)

    def ask_questions(self, section: Section, questions: list[Question], editing: bool) -> None:
        """A section's questions in order; its leading one-line questions on one form when
        the kind says so (`form: true`)."""
        together = together_on_a_form(section, questions)
        if together:
            self.ask_together(section, together)
        for question in questions[len(together):]:
            self.ask(question, editing=editing)

    def ask_together(self, section: Section, questions: list[Question]) -> None:
        """Several one-line questions on one form: one prompt, Tab between the fields, and
        Enter saves them all (issue 28: a document's date, version, status and author)."""
        from drafter.recordform import RecordForm

        say()
        fields = []
        for question in questions:
            current = self.get(question.path)
            # An optional date is never invented: "today" is typed, not suggested.
            invent = question.type == "date" and not question.required and question.default == "today"
            label = (question.label or question.prompt) + ("" if question.required else " (kan springes over)")
            fields.append(self._form_field(question, current, suggest=is_empty(current) and not invent, label=label))
        form = RecordForm("", fields, "", None, empty_ends=False)  # under the section's heading
        try:
            typed = prompts.run(form.app, f"{questions[0].prompt} ({section.title})")
        except Stopped as stopped:
            self._keep_together(section, questions, stopped.typed)
            raise
        for question in questions:
            self._put(question.path, self._normalise(question, typed[question.key]))
            self.mark_unfinished(question.path, False)
        self.save()
        shown = [f"{q.label or q.prompt}: {show_value(q, self.get(q.path))}" for q in questions if not is_empty(self.get(q.path))]
        say(f"✓ {' · '.join(shown) or '(ingen)'}", ECHO_STYLE, indent="    ", first="  ")

    def _keep_together(self, section: Section, questions: list[Question], typed: Any) -> None:
        """Ctrl-C inside a section's form: keep every field typed and valid, marked unfinished."""
        if not isinstance(typed, dict):
            return
        kept = []
        for question in questions:
            value = typed.get(question.key, "")
            if value.strip() and not self.problem(question, value):
                self._put(question.path, self._normalise(question, value))
                self.mark_unfinished(question.path)
                kept.append(question.label or question.prompt)
        if kept:
            self.save()
            self.kept = f"Også det, du havde skrevet under {section.title} ({', '.join(kept)}), er gemt, markeret som ufærdigt."

    def ask(self, question: Question, editing: bool) -> None:
        if not is_asked(question, self.values):
            if not is_empty(self.get(question.path)):
                self.set(question.path, [] if question.is_repeating else None)
            return
        say()
        if question.is_repeating:
            self.ask_repeating(question, editing)
            return
        try:
            value = self.ask_value(question, self.get(question.path))
        except Stopped as stopped:
            self.keep_typed(question, stopped.typed)
            raise
        self.mark_unfinished(question.path, False)
        other = question.kind_for.get(value) if not editing else None
        if other and other != self.questionnaire.kind:
            self.switch_kind(other)
        self.set(question.path, value)

    def switch_kind(self, kind: str) -> None:
        """One route to each kind: an answer that names another kind (a project group asked
        in the ad-hoc kind) continues with that kind's questions and wording."""
        from drafter.questionnaire import load_questionnaire

        other = load_questionnaire(kind)
        say(f"{other.name}: kommissoriet skrives med typen {kind} (de samme spørgsmål, typens egen ordlyd "
            "i dokumentet).", HELP_STYLE)
        self.questionnaire = other

    def keep_typed(self, question: Question, typed: str) -> None:
        """Ctrl-C inside an answer: keep the text typed so far in the draft, marked unfinished,
        and say exactly what was kept (or why it could not be)."""
        if not isinstance(typed, str) or not typed.strip():
            return
        label = f'"{question.prompt}"'
        if question.type == "paragraphs":  # the prompt's lines are its paragraphs
            typed = prompts.lines_to_paragraphs(typed)
        try:
            value = self._normalise(question, typed)
        except (InvalidValue, DateError) as exc:
            self.kept = f'Det halvt skrevne svar på {label} ("{_clip(typed)}") er ikke gemt: {exc}.'
            return
        self._put(question.path, value)
        self.mark_unfinished(question.path)
        self.save()
        if self.path is not None:
            self.kept = (
                f"Også det, du var i gang med at skrive som svar på {label}, er gemt ({_amount(value)}: "
                f'"{_clip(value)}"), markeret som ufærdigt; du fortsætter med det.'
            )

    # -- one value -------------------------------------------------------------------------
    def problem(self, question: Question, text: str) -> str | None:
        """Why *text* is not an acceptable answer (Danish), or None if it is."""
        if not text.strip():
            return "Feltet skal udfyldes" if question.required else None
        if question.type != "paragraphs" and prompts.one_line(text)[1]:
            return "Svaret skal stå på én linje: fjern linjeskift og tabulatorer"
        if any("\udc80" <= char <= "\udcff" for char in text):  # bytes the terminal's encoding could not read
            import sys

            return (f"Teksten har tegn, som terminalens tegnkodning ({sys.stdin.encoding}) ikke kunne læse; "
                    "skriv dem igen, eller sæt terminalen til UTF-8")
        try:
            value = self._normalise(question, text)
        except (InvalidValue, DateError) as exc:
            reason = str(exc)
            return reason[:1].upper() + reason[1:]
        if is_empty(value) and question.required:
            return "Feltet skal udfyldes"
        reason = cross_field_message(question, value, self.values)
        if not reason:
            return None
        earlier = self.questionnaire.question(question.not_before) if question.not_before else None
        if earlier is not None:  # the other answer by its question, not its key in the file
            reason = reason.replace(earlier.path, f'svaret på "{earlier.prompt}"')
        return reason[:1].upper() + reason[1:]

    def suggestion(self, question: Question) -> Any:
        return question.default_value(self.today, self.values)

    def ask_value(self, question: Question, current: Any, label: str | None = None) -> Any:
        """Ask one value with the prompt fitting its type; return it normalised (or None)."""
        message = label or question.prompt
        if question.help:
            say(question.help, HELP_STYLE)
        note = question.default_note(self.values) if is_empty(current) else None
        if note:
            say(note, WARNING_STYLE)
        suggested = current if not is_empty(current) else self.suggestion(question)
        if question.type == "choice":
            return self._ask_choice(question, message, current, suggested)
        if question.type == "bool":
            start = NO if suggested is False or (suggested is None and not question.required) else YES
            return select(message, [YES, NO], default=start) == YES
        if question.type == "date":
            shown = long_date(_dt.date.fromisoformat(suggested)) if isinstance(suggested, str) and suggested else ""
            if not question.help:
                say(DATE_HINT, HELP_STYLE)
            if not question.required and question.default == "today" and is_empty(current):
                # An optional date is never invented: Enter leaves it out; "i dag" is typed.
                typed = text(message, lambda t: self.problem(question, t), hint=OPTIONAL_DATE_HINT)
            else:
                typed = text(message, lambda t: self.problem(question, t), suggestion=shown)
            value = self._normalise(question, typed)
            if value:
                say(f"  {long_date(_dt.date.fromisoformat(value))}", ECHO_STYLE)
            return value
        multiline = question.type == "paragraphs"
        # An earlier answer is there to be edited; a suggestion is grey until Enter or Tab.
        given = "" if is_empty(current) else str(current)
        suggestion = "" if given or is_empty(suggested) else str(suggested)
        if suggestion:
            say(SUGGESTION_HINT, HELP_STYLE)
        typed = text(message, lambda t: self.problem(question, t), current=given, suggestion=suggestion,
                     multiline=multiline)
        if multiline and given and typed == prompts.lines_to_paragraphs(given):
            return current  # kept as it was (a line break inside a paragraph too)
        return self._normalise(question, typed)

    def _ask_choice(self, question: Question, message: str, current: Any, suggested: Any) -> Any:
        choices = list(question.choices)
        if len(choices) == 1 and question.required and not question.allow_other:
            say(f"{message} {choices[0]}")  # nothing to choose
            return choices[0]
        if isinstance(suggested, str) and suggested in choices:  # the suggested choice first
            choices.remove(suggested)
            choices.insert(0, suggested)
        elif isinstance(suggested, str) and suggested.strip() and question.allow_other:
            choices.insert(0, suggested)  # e.g. the workspace's organisation, not in the profile's lists
        if question.allow_other:
            choices.append(OTHER)
        if not question.required:
            choices.append(NONE_CHOICE)
        if isinstance(suggested, str) and suggested in choices:
            start = suggested
        elif not is_empty(current) and question.allow_other:
            start = OTHER
        elif is_empty(suggested) and not question.required:
            start = NONE_CHOICE  # an unanswered optional choice stays unanswered on Enter
        else:
            start = None
        picked = select(message, choices, default=start, search=len(choices) > 7, own_text=question.allow_other)
        if isinstance(picked, prompts.Typed):  # typed text that matches no item: the person's own answer
            if not self.problem(question, picked):
                return self._normalise(question, picked)
            own = str(picked)
        elif picked == NONE_CHOICE:
            return None
        elif picked != OTHER:
            return picked
        else:
            own = current if isinstance(current, str) and current not in question.choices else ""
        typed = text(f"{message} (skriv selv)", lambda t: self.problem(question, t), current=own)
        return self._normalise(question, typed)

    def _normalise(self, question: Question, text_: str) -> Any:
        if not text_.strip():
            return None
        if question.type == "date":
            text_ = iso_date(text_, self.today)
        value = question.check(text_)
        return None if is_empty(value) else value

    # -- repeating groups ------------------------------------------------------------------
    def ask_repeating(self, question: Question, editing: bool) -> None:
        items = list(self.get(question.path) or [])
        self._put(question.path, items)
        say(question.prompt, HEADING_STYLE)
        if question.help:
            say(question.help, HELP_STYLE)
        if not items:
            suggested = self.suggestion(question)
            if isinstance(suggested, list) and suggested:  # e.g. from the reference data
                items.extend(copy.deepcopy(suggested))
                say("Forslag fra drafters data (behold, ret eller fjern punkterne):", HELP_STYLE)
                editing = True  # keeping the suggestion is one Enter
        if editing and items:
            self._edit_menu(question, items)
        else:
            self._show_items(question, items)
            self._fill(question, items)
        self.mark_unfinished(question.path, False)
        self.save()

    def _fill(self, question: Question, items: list) -> None:
        """New entries until an empty one: a form per record; a list's in one prompt, a line each."""
        self.mark_unfinished(question.path)
        if question.type == "list":
            self._list_lines(question, items)
            return
        if question.type == "records":
            for number, entry in enumerate(items, 1):  # an entry interrupted half-way: finish it first
                stopped_in = f"{question.path}[{number}]" in self.unfinished
                if stopped_in or any(f.required and is_empty(entry.get(f.key)) for f in question.fields):
                    filled = self._form(question, items, number, entry, resumed=True)
                    if filled is not None:
                        items[number - 1] = filled
                    self.mark_unfinished(f"{question.path}[{number}]", False)
                    self.save()
        while True:
            number = len(items) + 1
            entry = self._form(question, items, number, None) if question.type == "records" else self._list_item(question, items, number)
            if entry is None:
                if not items:
                    say("  (ingen)", ECHO_STYLE)
                return
            items.append(entry)
            self.save()
            if question.type == "records":  # the form is gone from the screen; this line stays
                say(f"✓ {self._noun(question, number)}: {summary(question, entry)}", ECHO_STYLE, indent="    ", first="  ")

    def _noun(self, question: Question, number: int | None = None) -> str:
        noun = (question.item_name or "punkt").capitalize()
        return f"{noun} {number}" if number else noun

    def _done_hint(self, question: Question, items: list) -> tuple[str, str | None]:
        """What an empty entry does here, and the error when it may not end the list yet."""
        if items or not question.required:
            return ("tom formular: færdig" if items else "tom formular: ingen, videre"), None
        return "", f"Angiv mindst {one(question.item_name or 'post')}."

    def _list_item(self, question: Question, items: list, number: int, current: str = "") -> str | None:
        hint, empty_error = self._done_hint(question, items)
        item_question = self._item_question(question)

        def check(typed: str) -> str | None:
            if not typed.strip():
                return None if empty_error is None else empty_error
            return self.problem(item_question, typed)

        try:
            typed = text(f"{self._noun(question, number)}:", check, current=current, hint=f"({hint})" if hint else "",
                         name=f"{question.prompt} ({self._noun(question, number)})")
        except Stopped as stopped:
            if isinstance(stopped.typed, str) and stopped.typed.strip() and not self.problem(item_question, stopped.typed):
                items.append(self._normalise(item_question, stopped.typed))
                self.save()
                self.kept = (f'Også {question.item_name or "punktet"} du var i gang med at skrive, er gemt '
                             f'("{_clip(items[-1])}"), markeret som ufærdigt.')
            raise
        return self._normalise(item_question, typed) if typed.strip() else None

    def _list_lines(self, question: Question, items: list) -> None:
        """A list's new entries in one multi-line prompt, one a line; Enter on an empty line ends
        it (issue 28: one prompt, not one per entry). Ctrl-C keeps the valid lines typed so far."""
        item_question = self._item_question(question)
        noun = question.item_name or "punkt"

        def wrong(lines: list[str]) -> str | None:
            if not lines and not items and question.required:
                return f"Angiv mindst {one(noun)}"
            for number, line in enumerate(lines, len(items) + 1):
                reason = self.problem(item_question, line)
                if reason:
                    return f"{self._noun(question, number)}: {reason[:1].lower()}{reason[1:]}"
            return None

        try:
            typed = text(f"{one(noun).capitalize()} pr. linje:", lambda t: wrong([x for x in t.split("\n") if x]),
                         multiline=True, entries=one(noun), name=question.prompt)
        except Stopped as stopped:
            kept = [line for line in prompts.entry_lines(stopped.typed or "").split("\n")
                    if line and not self.problem(item_question, line)]
            if kept:
                items.extend(self._normalise(item_question, line) for line in kept)
                self.save()
                lines = "den linje" if len(kept) == 1 else f"de {len(kept)} linjer"
                self.kept = (f'Også {lines}, du var i gang med at skrive, er gemt i listen '
                             f'("{_clip(kept[-1])}"), markeret som ufærdig.')
            raise
        items.extend(self._normalise(item_question, line) for line in typed.split("\n") if line)
        if not items:
            say("  (ingen)", ECHO_STYLE)

    def _item_question(self, question: Question) -> Question:
        # One entry of a list obeys the text rule, through the same Question.check.
        return dataclasses.replace(question, type="text", required=True, default=None, help="", default_from=None)

    def _form(
        self, question: Question, items: list, number: int, entry: dict | None, resumed: bool = False
    ) -> dict | None:
        """One entry as a form; None when it was sent empty (the list is done). An entry
        stopped half-way (*resumed*) opens in the last field that has text, to go on typing."""
        from drafter.recordform import RecordForm

        fields = [self._form_field(f, (entry or {}).get(f.key), suggest=entry is None) for f in question.fields]
        hint, empty_error = self._done_hint(question, [e for e in items if e is not entry])
        if entry is not None:
            hint, empty_error = "", None
        typed_in = [i for i, f in enumerate(fields) if f.current]
        focus = typed_in[-1] if resumed and typed_in else 0
        form = RecordForm(f"{self._noun(question, number)}:", fields, hint, empty_error, focus=focus)
        try:
            typed = prompts.run(form.app, f"{question.prompt} ({self._noun(question, number)})")
        except Stopped as stopped:
            self._keep_entry(question, items, number, entry, stopped.typed)
            raise
        if typed is None:
            return None
        return {f.key: self._normalise(f, typed[f.key]) for f in question.fields}

    def _form_field(self, field_question: Question, current: Any, suggest: bool, label: str | None = None):
        """One field of a form for *field_question*: its current value shown, its suggestion grey."""
        from drafter.recordform import FormField

        shown = "" if is_empty(current) else str(current)
        suggested = self.suggestion(field_question) if suggest else None
        if field_question.type == "date":
            shown = long_date(_dt.date.fromisoformat(shown)) if shown else ""
            suggested = long_date(_dt.date.fromisoformat(suggested)) if isinstance(suggested, str) and suggested else None
        if field_question.type == "bool":
            shown = {True: YES, False: NO}.get(current, "")
        return FormField(
            key=field_question.key,
            label=label or field_question.prompt,
            check=self._field_check(field_question),
            current=shown,
            suggestion="" if is_empty(suggested) else str(suggested),
            choices=list(field_question.choices) or ([YES, NO] if field_question.type == "bool" else []),
            help=field_question.help,
        )

    def _field_check(self, field_question: Question):
        def check(typed: str) -> tuple[str | None, str]:
            reason = self.problem(field_question, typed)
            if reason or field_question.type != "date" or not typed.strip():
                return reason, ""
            return None, long_date(_dt.date.fromisoformat(self._normalise(field_question, typed)))

        return check

    def _keep_entry(self, question: Question, items: list, number: int, entry: dict | None, typed: Any) -> None:
        """Ctrl-C inside a form: keep every field that was typed and is valid, in the draft."""
        if not isinstance(typed, dict):
            return
        kept = dict(entry or {f.key: None for f in question.fields})
        lost = []
        for field_question in question.fields:
            value = typed.get(field_question.key, "")
            if not value.strip():
                continue
            if self.problem(field_question, value):
                lost.append(field_question.prompt)
                continue
            kept[field_question.key] = self._normalise(field_question, value)
        if all(is_empty(v) for v in kept.values()):
            return
        if entry is None:
            items.append(kept)
        else:
            items[number - 1] = kept
        self.mark_unfinished(f"{question.path}[{number}]")  # --resume reopens this entry's form
        self.save()
        shown = summary(question, kept)
        self.kept = f"Også {self._noun(question, number).lower()}, som du var i gang med, er gemt ({shown}), markeret som ufærdig."
        if lost:
            self.kept += f" Ikke gemt, fordi det ikke var gyldigt endnu: {', '.join(lost)}."

    def _edit_menu(self, question: Question, items: list) -> None:
        while True:
            self._show_items(question, items)
            choices = [DONE, ADD] + ([EDIT_ITEM, REMOVE_ITEM] if items else [])
            picked = select("Hvad vil du?", choices, default=DONE)
            if picked == DONE:
                if question.required and not items:
                    say(f"Angiv mindst {one(question.item_name or 'post')}.", WARNING_STYLE)
                    continue
                return
            if picked == ADD:
                self._fill(question, items)
                continue
            index = self._pick(question, items, "Hvilket punkt?")
            if picked == REMOVE_ITEM:
                del items[index]
            elif question.type == "list":
                items[index] = self._list_item(question, items, index + 1, current=items[index]) or items[index]
            else:
                items[index] = self._form(question, items, index + 1, items[index]) or items[index]
            self.save()

    def _pick(self, question: Question, items: list, message: str) -> int:
        labels = [f"{n}. {summary(question, item)}" for n, item in enumerate(items, 1)]
        picked = select(message, [_clip(label, width() - 8) for label in labels])
        return [_clip(label, width() - 8) for label in labels].index(picked)

    def _show_items(self, question: Question, items: list) -> None:
        if not items:
            return
        say(f"Indtil nu ({len(items)}):")
        for number, item in enumerate(items, 1):
            say(summary(question, item), indent="     ", first=f"  {number}. ")

    # -- review and the end ----------------------------------------------------------------
    def review(self) -> None:
        """The problems first, in plain Danish with the section to fix; then each section on
        a page of its own. A rule finding can be waived here with a written reason. Loops
        until the answers are approved and nothing blocks the document."""
        sections = self.questionnaire.sections
        notice = ""
        while True:
            problems = self.review_problems()
            blocking = [p for p in problems if p.blocking]
            waivable = [p for p in problems if p.finding is not None and p.finding.waived is None]
            choices = [APPROVE]
            for section in sections:
                count = sum(1 for p in problems if p.section is section)
                choices.append(f"{SHOW_SECTION} {section.heading}" + (f"  (! {count})" if count else ""))
            if waivable:
                choices.append(WAIVE)
            if self.questionnaire.uses_body:
                choices.append(LAYOUT)
            clear()
            say("Gennemsyn af dine svar", HEADING_STYLE)
            if notice:
                say(notice, WARNING_STYLE)
            room = height() - len(choices) - 6 - (2 if notice else 0)
            self._show_problems(problems, blocking, room)
            notice = ""
            picked = select("Hvad vil du nu?", choices)
            if picked == APPROVE:
                if blocking:
                    notice = "Dokumentet kan ikke laves endnu: ret først det, der står herunder."
                    continue
                return
            if picked == WAIVE:
                self.waive(waivable)
                continue
            if picked == LAYOUT:
                self.layout_step()
                continue
            self.section_page(sections[choices.index(picked) - 1], problems)

    def _show_problems(self, problems: list, blocking: list, room: int) -> None:
        if not problems:
            say("Alle spørgsmål er besvaret, og samarbejdets regler har ingen bemærkninger.")
            say()
            return
        if blocking:
            say("Det skal rettes, før dokumentet kan laves:", WARNING_STYLE)
        else:
            say("Bemærkninger (dokumentet kan laves alligevel, men ret gerne først):", HEADING_STYLE)
        ordered = blocking + [p for p in problems if not p.blocking]
        lines: list[tuple[str, str | None]] = []
        for number, problem in enumerate(ordered):
            style = WARNING_STYLE if problem.blocking else None
            wrapped = wrap(problem.full_text, indent="   ", first=" • ")
            if len(lines) + len(wrapped) > max(3, room) - (number + 1 < len(ordered)):
                lines.append((f"   … og {len(ordered) - number} til: se afsnittene mærket med !", style))
                break
            lines.extend((line, style) for line in wrapped)
        for line, style in lines:
            questionary.print(printable(line), style=style)  # answers may hold control characters
        say()

    def section_page(self, section: Section, problems: list) -> None:
        """One section's answers, a screen at a time; change it from here."""
        lines: list[tuple[str, str | None]] = []
        for problem in problems:
            if problem.section is section:
                lines.extend((line, WARNING_STYLE) for line in wrap(problem.text, indent="   ", first=" ! "))
        for question in section.questions:
            if not is_asked(question, self.values):
                continue  # switched off by an earlier answer: not part of the commission
            for number, line in enumerate(describe(question, self.get(question.path))):
                lines.extend((part, None) for part in wrap(line.strip(), indent="      ", first="  " if number == 0 else "    "))
        room = max(4, height() - 7)
        pages = [lines[i:i + room] for i in range(0, len(lines), room)] or [[]]
        page = 0
        change = f"Ret {section.heading}"
        while True:
            clear()
            title = section.heading + (f"  (side {page + 1} af {len(pages)})" if len(pages) > 1 else "")
            say(title, HEADING_STYLE)
            for line, style in pages[page]:
                questionary.print(printable(line), style=style)  # answers may hold control characters
            choices = ([NEXT_PAGE] if page + 1 < len(pages) else []) + [BACK, change]
            picked = select("Hvad vil du?", choices)
            if picked == NEXT_PAGE:
                page += 1
            elif picked == BACK:
                return
            else:
                clear()
                self.ask_section(section)
                return

    def layout_step(self) -> None:
        """The commission's own title, headings and order of sections (titel, overskrifter,
        orden in the file); the kind's stand where nothing is given."""
        from drafter.body import Layout

        layout = Layout(self.questionnaire, self.meta)
        clear()
        say(LAYOUT.split(" (")[0], HEADING_STYLE)
        say("En tom titel eller overskrift giver typens; en tom rækkefølge ændrer intet.", HELP_STYLE)
        title = text("Dokumentets titel?", lambda typed: None, current=layout.titel or "",
                     hint=f"fx {self.questionnaire.cover.get('title', '') or 'Kommissorium for …'}")
        sections = self.questionnaire.body_sections(layout.orden)
        for number, section in enumerate(sections, 1):
            say(f"{number}. {layout.overskrifter.get(section.key) or section.title}", indent="     ", first="  ")

        def check_order(typed: str) -> str | None:
            numbers = typed.replace(",", " ").split()
            if not all(n.isdigit() and 1 <= int(n) <= len(sections) for n in numbers):
                return f"Skriv afsnittenes numre (1-{len(sections)}) i den nye rækkefølge, fx 2 1 3"
            if len(set(numbers)) != len(numbers):
                return "Et afsnit kan kun stå én gang"
            return None

        order = text("Ny rækkefølge (numrene; de afsnit, du ikke nævner, følger efter)?", check_order)
        if order.strip():
            named = [sections[int(n) - 1].key for n in order.replace(",", " ").split()]
            self.meta["orden"] = named
            sections = self.questionnaire.body_sections(named)
        headings = dict(layout.overskrifter)
        while True:
            labels = [f"{s.title}" + (f" → {headings[s.key]}" if headings.get(s.key) else "") for s in sections]
            picked = select("Vil du give et afsnit en anden overskrift?", labels + [DONE_LAYOUT])
            if picked == DONE_LAYOUT:
                break
            section = sections[labels.index(picked)]
            typed = text(f"Overskrift for {section.title}?", lambda typed: None, current=headings.get(section.key, ""))
            if typed.strip():
                headings[section.key] = " ".join(typed.split())
            else:
                headings.pop(section.key, None)
        for key, value in (("titel", " ".join(title.split())), ("overskrifter", headings)):
            if value:
                self.meta[key] = value
            else:
                self.meta.pop(key, None)
        self.save()

    def waive(self, waivable: list) -> None:
        """Waive a rule from the review, with a written reason saved as 'undtagelser'."""
        from drafter.rules import MIN_REASON_WORDS, RULES_BY_ID

        labels = [_clip(p.full_text, width() - 8) for p in waivable]
        picked = select("Hvilken regel skal undtages?", labels + [BACK])
        if picked == BACK:
            return
        finding = waivable[labels.index(picked)].finding
        rule = RULES_BY_ID[finding.rule]
        say()
        say(f"Reglen: {rule.title}", HEADING_STYLE)
        say(f"Kilde: {rule.source}", HELP_STYLE)
        say("En undtagelse gemmes i svarfilen med din begrundelse og står i 'drafter check'.", HELP_STYLE)

        def check(typed: str) -> str | None:
            if typed.strip() and len(typed.split()) < MIN_REASON_WORDS:
                return f"Skriv en begrundelse på mindst {MIN_REASON_WORDS} ord"
            return None

        reason = text("Hvorfor skal reglen ikke gælde her?", check, instruction="(tom: fortryd)")
        if not reason.strip():
            return
        waivers = self.meta.setdefault(WAIVER_KEY, [])
        waivers.append({"regel": finding.rule, "begrundelse": " ".join(reason.split())})
        self.save()

    def review_problems(self) -> list["ReviewProblem"]:
        """What stands between the answers and a finished document, then the rules' remarks."""
        problems = [self.plain(p.field, p.message, blocking=True) for p in self.final_problems() if not isinstance(p, str)]
        if problems:
            return problems
        report = self.rule_report()
        for finding in report.findings if report is not None else []:
            if finding.rule == WAIVER_RULE or finding.waived is not None:
                continue
            problems.append(self.plain(finding.field, finding.message, blocking=finding.is_error(), finding=finding))
        return problems

    def plain(self, field: str | None, message: str, blocking: bool, finding=None) -> "ReviewProblem":
        """A problem in plain Danish: which section, which answer (an entry by its number and
        first text), what is wrong. No file names, line numbers or field paths."""
        section = self.section_of(field)
        match = re.match(r"([a-z0-9_]+)\.([a-z0-9_]+)(?:\[(\d+)\])?(?:\.([a-z0-9_]+))?", field or "")
        question = self.questionnaire.question(f"{match.group(1)}.{match.group(2)}") if match else None
        place = ""
        if question is not None:
            place = f'Svaret på "{question.prompt}"'
            if match.group(3) and question.is_repeating:
                number = int(match.group(3))
                items = self.get(question.path) or []
                entry = items[number - 1] if number <= len(items) else None
                place = self._noun(question, number)
                name = _entry_name(question, entry)
                if name:
                    place += f' ("{_clip(name, 40)}")'
                field_question = question.field_named(match.group(4) or "")
                if field_question is not None and field_question.type != "date":
                    place += f", {field_question.prompt.rstrip('?').lower()}"
        for known in self.questionnaire.questions:  # "tidsplan.start" in a message -> its question
            message = re.sub(rf"\b{re.escape(known.path)}\b", f'svaret på "{known.prompt}"', message)
        text_ = message[:1].upper() + message[1:]
        if finding is not None and finding.waived is not None:
            text_ += f' (undtaget med begrundelsen: "{finding.waived}")'
        if place:
            text_ = f"{place}: {text_}"
        return ReviewProblem(section, text_, blocking, finding)

    def finished_data(self) -> dict[str, Any]:
        """The answers as plain data, as they would be saved once finished."""
        meta = {k: v for k, v in self.meta.items() if k != UNFINISHED_KEY}
        return {
            "kind": self.questionnaire.kind, "schema_version": self.questionnaire.schema_version,
            **meta, **self.values,
        }

    def final_problems(self) -> list:
        """What stops the answers from being a finished commission (drafter.validate, in memory)."""
        return validate(self.finished_data(), self.questionnaire)[1]

    def rule_report(self):
        """The collaboration's rules on the answers as they would be finished, as `drafter check`
        runs them; None while the answers are not yet valid."""
        from drafter.rules import check_answers

        data = self.finished_data()
        values, problems = validate(data, self.questionnaire)
        if problems:
            return None
        return check_answers(Answers(self.questionnaire, values, data, None, complete=True))

    def section_of(self, field: str | None) -> Section | None:
        """"formandskab.formaend[1].fra" -> the section "formandskab"; None for other keys."""
        key = re.split(r"[.\[]", field or "", maxsplit=1)[0]
        return next((s for s in self.questionnaire.sections if s.key == key), None)

    def finish(self, out_dir: Path | None) -> Result:
        """Mark the answers complete, save them and render through `drafter render`'s code."""
        from drafter.batch import default_output, render_file

        self.complete = True
        self.save()
        output = default_output(self.path, out_dir if out_dir is not None else DEFAULT_OUT_DIR)
        try:
            rendered = render_file(self.path, output)
        except OutputError as exc:  # e.g. the document was edited in Word since
            where = shellquote.quote(self.path)
            raise OutputError(
                f"{exc}\nDine svar er gemt i {self.path}. Lav dokumentet under et andet navn med: "
                f"drafter render {where} -o NYT-NAVN.docx, eller overskriv det med: drafter render {where} --force"
            ) from None
        report = self.rule_report()
        findings = [format_problem(f) for f in report.findings] if report is not None else []
        remarks = [self.plain(f.field, f.message, False, f).full_text for f in report.findings] if findings else []
        if remarks:  # shown again next to the document
            say()
            say(f"Dokumentet {rendered.output} er lavet med bemærkninger fra samarbejdets regler:", HEADING_STYLE)
            for line in remarks:
                say(line, indent="   ", first=" • ")
            say(f"Ret dem med: drafter edit {shellquote.quote(self.path)}", HELP_STYLE)
        return Result(self.path, rendered.output, rendered.status, findings=findings)


@dataclass
class ReviewProblem:
    section: Section | None
    text: str  # plain Danish, naming the answer it is about
    blocking: bool  # stops the document from being made
    finding: Any = None  # the rule finding, when it is one (it may be waived)

    @property
    def full_text(self) -> str:
        """With the section to fix it in, for lists of problems from every section."""
        return f"{self.section.heading} – {self.text}" if self.section is not None else self.text


def _entry_name(question: Question, entry: Any) -> str:
    """How an entry is called in a message: its first text field that is not a date."""
    if not isinstance(entry, dict):
        return str(entry or "")
    for field_question in question.fields:
        value = entry.get(field_question.key)
        if field_question.type in ("text", "choice") and not is_empty(value):
            return str(value)
    return ""


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


def _clip(text_: Any, limit: int = 60) -> str:
    text_ = " ".join(str(text_).split())
    return text_ if len(text_) <= limit else text_[: limit - 1] + "…"


def _amount(value: Any) -> str:
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
    """One entry on one line, its fields labelled: 'Navn: Lone Bæk · Titel: Sygeplejerske'."""
    if isinstance(item, dict):
        parts = [
            f"{f.prompt.rstrip('?').split(' (')[0]}: {show_value(f, item[f.key])}"
            for f in question.fields if not is_empty(item.get(f.key))
        ]
        return " · ".join(parts) or "(tom)"
    return str(item)


def describe(question: Question, value: Any) -> list[str]:
    """Lines for the review: '  Prompt: value', entries of lists on lines of their own."""
    label = question.prompt.rstrip("?").rstrip()
    if is_empty(value):
        return [f"  {label}: (ikke besvaret)"]
    if question.is_repeating:
        return [f"  {label}:"] + [f"    {n}. {summary(question, item)}" for n, item in enumerate(value, 1)]
    text_ = show_value(question, value).replace("\n\n", " ¶ ")
    return [f"  {label}: {text_ if len(text_) <= 300 else text_[:299] + '…'}"]


def say_profile() -> None:
    """Outside a workspace, say once (before the first question) which profile is used."""
    from drafter import workspace

    current = workspace.current()
    if current.root is not None:
        return
    say(f"Ingen arbejdsmappe her, så drafter bruger den indbyggede profil {current.profile.name}: "
        f"{current.profile.describe()}.", HELP_STYLE)
    say("Jeres egen: drafter init MAPPE --profile NAVN (drafter profiles viser profilerne), og kør drafter i den mappe.",
        HELP_STYLE)


# The profile's lists a kind's required question can take its choices from, and what each
# is called when the profile lacks it (the lists a cluster kind needs).
PROFILE_LISTS = {
    "klynger": "klynger ('klynger')",
    "perioder": "en plan for rotation i formandskaberne ('rotation')",
    "temagrupper": "temagrupper (grupper med 'er_temagruppe: true')",
}
PROFILE_LISTS_SHORT = {"klynger": "klynger", "perioder": "rotationsplan", "temagrupper": "temagrupper"}


def missing_profile_data(questionnaire: Questionnaire, short: bool = False) -> list[str]:
    """What a kind needs from the profile that the profile lacks: a required question whose
    choices come from one of PROFILE_LISTS, or whose entries are the profile's clusters, finds none."""
    names = PROFILE_LISTS_SHORT if short else PROFILE_LISTS
    missing: list[str] = []
    for question in questionnaire.questions:
        for asked in [question, *question.fields]:
            if not asked.required:
                continue
            needed = asked.choices_from if asked.choices_from in PROFILE_LISTS and not asked.choices else None
            lookup = (asked.default_from or {}).get("lookup")
            if lookup == "klynger" and not asked.default_value(None, {}):
                needed = "klynger"
            if needed and names[needed] not in missing:
                missing.append(names[needed])
    return missing


def warn_missing_profile_data(questionnaire: Questionnaire) -> None:
    missing = missing_profile_data(questionnaire)
    if missing:
        say(f"{questionnaire.name}: profilen mangler {_and_list(missing)}; de svar skriver du selv.", WARNING_STYLE)


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def choose_kind() -> str:
    """`drafter new` without a kind: offer the kinds there are; a kind that needs data the
    profile lacks (a cluster kind in a municipality's workspace) is listed last, with one
    line saying what is missing, and cannot be chosen."""
    from questionary import Choice, Separator

    from drafter.questionnaire import available_kinds, load_questionnaire

    kinds = [load_questionnaire(name) for name in available_kinds()]
    usable = [k for k in kinds if not missing_profile_data(k)]
    labels = [f"{k.name} ({k.kind})" for k in usable]
    lacking = [k for k in kinds if k not in usable]
    choices: list = list(labels)
    if lacking:
        choices.append(Separator("── Kræver data, som profilen ikke har:"))
        for kind in lacking:  # one line each: "- Temagruppe (mangler temagrupper, klynger og rotationsplan)"
            reason = "mangler " + _and_list(missing_profile_data(kind, short=True))
            choices.append(Choice(_clip(kind.name, max(10, width() - 12 - len(reason))), disabled=reason))
    try:
        picked = select("Hvilken slags kommissorium vil du skrive?", choices, search=len(labels) > 7)
    except (KeyboardInterrupt, EOFError):
        raise Interrupted("Afbrudt. Intet er gemt.") from None
    return usable[labels.index(picked)].kind


# -- entry points for the command line ---------------------------------------------------

INTERVIEW_GRACE_SECONDS = 0.5  # after SIGHUP/SIGTERM, then the interview process ends


def _guarded(interview: Interview, action: Callable[[], Result]) -> Result:
    """The one place an interruption is handled: the draft is on disk; say how to go on."""
    # Every answer is on disk the moment it is given (see save), so after a signal there is
    # nothing left to save: a closed terminal ends the interview within a second, even
    # when prompt_toolkit's clean-up would wait for a terminal that is gone.
    set_grace(INTERVIEW_GRACE_SECONDS)
    try:
        return action()
    except (KeyboardInterrupt, EOFError) as exc:
        from drafter.interrupts import exit_code

        interrupted = Interrupted(interview.interrupted_message())
        if isinstance(exc, KeyboardInterrupt):
            interrupted.exit_code = exit_code(exc)  # 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP
        raise interrupted from None


def new(
    questionnaire: Questionnaire,
    answers_dir: Path = DEFAULT_ANSWERS_DIR,
    out_dir: Path | None = None,
    resume: Path | None = None,
    presets: dict[str, Any] | None = None,
    today: _dt.date | None = None,
) -> Result:
    """`drafter new KIND`: ask, autosave, review, then render; or continue a draft (--resume)."""
    answers, notes = load_for_resume(resume, questionnaire.kind) if resume is not None else (None, [])
    for note in notes:
        say(note, WARNING_STYLE)
    interview = Interview(
        questionnaire, answers.values if answers else None, path=resume, answers_dir=answers_dir, out_dir=out_dir,
        presets=presets, today=today,
        complete=bool(answers and answers.complete),  # resuming a finished file keeps it finished
    )
    if answers is not None:
        interview.meta = kept_meta(answers)
        if UNFINISHED_KEY in interview.meta:
            interview.meta[UNFINISHED_KEY] = unfinished_paths(interview.meta[UNFINISHED_KEY], questionnaire)
        interview.base = answers.source.raw

    def flow() -> Result:
        interview.run_new()
        interview.review()
        return interview.finish(out_dir)

    return _guarded(interview, flow)


def edit(path: Path, section: str | None = None, out_dir: Path | None = None, today: _dt.date | None = None) -> Result:
    """`drafter edit FILE`: ask again with every answer as the default; save; render if complete."""
    answers = load_answers(path)
    questionnaire = answers.questionnaire
    sections = questionnaire.sections
    if section is not None:
        sections = [pick_section(questionnaire, section)]
    interview = Interview(
        questionnaire, answers.values, path=path, out_dir=out_dir, complete=answers.complete, today=today,
    )
    interview.meta = kept_meta(answers)
    interview.base = answers.source.raw

    def flow() -> Result:
        for chosen in sections:
            interview.ask_section(chosen)
        interview.save()
        if not interview.complete:
            return Result(interview.path, kind=questionnaire.kind)
        if any(p.blocking for p in interview.review_problems()):
            interview.review()  # the problems first; the document once they are fixed or waived
        return interview.finish(out_dir)

    return _guarded(interview, flow)


def pick_section(questionnaire: Questionnaire, wanted: str) -> Section:
    """--section 3 (the number in the document) or --section tidsplan (the key)."""
    for section in questionnaire.sections:
        if wanted == section.key or (section.number is not None and wanted.strip() == str(section.number)):
            return section
    known = ", ".join(str(s.number) if s.number else s.key for s in questionnaire.sections)
    raise UsageError(f'--section {wanted}: intet afsnit med det nummer eller navn; vælg mellem {known}')
