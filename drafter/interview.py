"""The interactive questionnaire behind `drafter new` and `drafter edit`: prompting only.

Every question comes from the kind's questionnaire data, and every answer goes into a draft
session (drafter.session), which reads typed text as every front end does (drafter.values),
checks it by the question's rule, and saves the draft atomically after each answer
(``complete: false``), so an interruption never loses more than the answer being typed.
Ctrl-C (or Ctrl-D) anywhere ends in one place, ``_guarded``, which turns it into a Danish
message saying where the draft is and how to continue.

The prompts are questionary's; ``unsafe_ask`` is used everywhere so that Ctrl-C reaches
``_guarded`` instead of being swallowed. Input and output come from prompt_toolkit's
current app session, so tests can drive the real prompts with a pipe. Lists and forms are
asked in drafter.interview_lists, the review at the end in drafter.interview_review.
"""

from __future__ import annotations

import datetime as _dt
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from drafter import prompts, shellquote
from drafter.dates import long_date
from drafter.errors import DrafterError, InvalidValue, OutputError, UsageError
from drafter.interrupts import Terminated, exit_code, set_grace
from drafter.interview_lists import NO, YES, ListQuestions, amount, clip, together_on_a_form
from drafter.interview_review import Review
from drafter.problems import format_problem
from drafter.prompts import (
    ECHO_STYLE, HEADING_STYLE, HELP_STYLE, LEFT_EMPTY_HINT, OPTIONAL_SUGGESTION_HINT, SUGGESTION_HINT, WARNING_STYLE, Stopped,
    say, select, text, width,
)
from drafter.questionnaire import (Question, Questionnaire, Section, and_list, available_kinds, load_questionnaire,
                                  missing_profile_data, missing_profile_note)
from drafter.session import DEFAULT_ANSWERS_DIR, AutosaveFailed, ChangedElsewhere, DraftSession, is_left_empty
from drafter.yamlread import is_empty

OTHER = "Andet (skriv selv)"
NONE_CHOICE = "(ingen)"
OPTIONAL_DATE_HINT = "tom: ingen dato; skriv i dag for dagens dato"
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


# -- the interview ------------------------------------------------------------------------

class Interview:
    """Asks the questions of one questionnaire; every answer goes into the draft session."""

    def __init__(self, session: DraftSession, presets: set[str] | frozenset[str] = frozenset()):
        self.session = session
        session.resumes_in_interview = True  # a failed save names `drafter new KIND --resume`: the interview goes on
        self.presets = set(presets)  # answer paths given before the interview (--set): not asked
        self.kept = ""  # what an interruption kept of an answer being typed, for the message
        self.notes: list[str] = []  # true things to add to a stop message: where else answers are
        self.lists = ListQuestions(self)
        self.review = Review(self)

    @property
    def questionnaire(self) -> Questionnaire:
        return self.session.questionnaire

    @property
    def values(self) -> dict[str, dict[str, Any]]:
        return self.session.values

    @property
    def path(self) -> Path | None:
        return self.session.path

    def get(self, dotted: str) -> Any:
        return self.session.get(dotted)

    def set(self, dotted: str, value: Any) -> None:
        self.session.put(dotted, value)
        self.save()

    # -- the draft on disk -----------------------------------------------------------------
    def save(self) -> None:
        """Write the draft (drafter.session). A new draft's name that is taken, and a file
        changed elsewhere since it was read, are the person's to decide; before the group has
        a name there is nowhere to write."""
        session = self.session
        if session.path is None:
            name = session.draft_name()
            if name is None:
                return
            session.path = self.new_path(name)
        try:
            session.save()
        except ChangedElsewhere:
            self.changed_on_disk()

    def new_path(self, name: str) -> Path:
        """Where a new draft goes: named after the group; if that name is taken, ask."""
        path, taken = self.session.new_path(name)
        if taken is None:
            return path
        say(f"Der findes allerede {taken} for en gruppe med det navn.", WARNING_STYLE)
        if taken.suffix == ".yaml" and taken.is_file():
            say(f"Vil du fortsætte den, så stop her (Ctrl-C) og skriv: drafter new {self.questionnaire.kind} "
                f"--resume {shellquote.quote(taken)}", HELP_STYLE)
        picked = select("Hvad skal den nye svarfil hedde?", [f"Gem den nye som {path}", "Giv gruppen et andet navn"])
        if picked.startswith("Gem"):
            return path
        question = self.session.name_question
        self.session.put(question.path, self.ask_value(question, None, label="Hvad skal gruppen hedde i stedet?"))
        return self.new_path(self.get(question.path))

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
            self.session.save_beside()
            self.notes.append(f"{original} er ændret uden for drafter og er ikke rørt.")
            raise
        if picked == RELOAD and self.reload():
            return
        self.save_beside()

    def reload(self) -> bool:
        """Merge the file's changes with this session's; False when the file cannot be read now."""
        try:
            conflicts, beside = self.session.reload()
        except ChangedElsewhere:  # changed once more meanwhile
            self.changed_on_disk()
            return True
        except AutosaveFailed:
            raise
        except DrafterError as exc:
            say("Filen kan ikke indlæses, som den er nu:", WARNING_STYLE)
            for line in exc.lines():
                say(f"  {line}", WARNING_STYLE)
            return False
        if beside is None:
            say(f"Filens ændringer er indlæst, og dine svar er gemt sammen med dem i {self.path}.", HELP_STYLE)
            return True
        self.notes.append(f"Dine svar, der også var ændret i filen, står i {beside}.")
        say(
            f"Filens ændringer er indlæst. Disse svar var ændret både i filen og her: {', '.join(conflicts)}; "
            f"{self.path} har filens udgave, og alle dine svar står i {beside}.",
            WARNING_STYLE,
        )
        return True

    def save_beside(self) -> None:
        """This session's answers go to a new file beside the changed one, which stays as it is."""
        original = self.path
        self.session.save_beside()
        say(f"Dine svar er gemt i {self.path}; {original} er ikke rørt. Svarene gemmes nu i den nye fil.", HELP_STYLE)

    def interrupted_message(self) -> str:
        if self.path is None:
            return "Afbrudt. Intet er gemt, for gruppens navn var ikke angivet endnu."
        where = shellquote.quote(self.path)
        kept = "".join(f"\n{line}" for line in [self.kept, *self.notes] if line)
        if self.session.complete:
            return (
                f"Afbrudt. Dine ændringer indtil nu er gemt i {self.path}.{kept}\n"
                f"Ret videre med:\n  drafter edit {where}"
            )
        return (
            f"Afbrudt. Dine svar indtil nu er gemt i {self.path}.{kept}\n"
            f"Fortsæt, hvor du slap, med:\n  drafter new {self.questionnaire.kind} --resume {where}"
        )

    # -- flows -----------------------------------------------------------------------------
    def heading(self, section: Section) -> None:
        numbers = [s.number for s in self.questionnaire.sections if s.number]
        title = f"{section.number}/{max(numbers)} {section.title}" if section.number else section.title
        say()
        say(title, HEADING_STYLE)
        if section.intro:
            say(section.intro, HELP_STYLE)

    def run_new(self) -> None:
        say(f"{self.questionnaire.name}.")
        say("Svarene gemmes efter hvert spørgsmål. Tryk Ctrl-C for at stoppe og fortsætte senere.", HELP_STYLE)
        self.save()
        plan = [q.path for q in self.resume_plan()]
        for key in dict.fromkeys(path.partition(".")[0] for path in plan):  # the sections, in order
            section = self.questionnaire.section(key)
            questions = [q for q in section.questions if q.path in plan]
            self.heading(section)
            self.ask_questions(section, questions, editing=False)

    def resume_plan(self) -> list[Question]:
        """The questions still to ask: from the first unfinished one (a list being filled, an
        answer stopped half-typed), else from the first unanswered one after the last answer.

        Empty optional questions before that point were skipped on purpose and are not asked
        again. Pre-answered (--set) questions are never asked here.
        """
        unfinished = self.session.unfinished
        order = [q for q in self.questionnaire.questions if q.path not in self.presets]
        stopped_in = [i for i, q in enumerate(order) if q.path in unfinished]
        answered = [i for i, q in enumerate(order) if not is_empty(self.get(q.path)) or is_left_empty(self.session, q)]
        start = min(stopped_in) if stopped_in else max(answered, default=-1) + 1
        return [
            q for i, q in enumerate(order)
            if i >= start or q.path in unfinished or (is_empty(self.get(q.path)) and q.required)
        ]

    def ask_section(self, section: Section) -> None:
        self.heading(section)
        self.ask_questions(section, section.questions, editing=True)

    def ask_questions(self, section: Section, questions: list[Question], editing: bool) -> None:
        """A section's questions in order (each of the kind now: a kind switch brings its own
        wording); its leading one-line questions on one form when the kind says so (`form: true`)."""
        together = together_on_a_form(section, questions)
        if together:
            self.lists.section_form(section, together)
        for question in questions[len(together):]:
            self.ask(self.questionnaire.question(question.path) or question, editing=editing)

    def ask(self, question: Question, editing: bool) -> None:
        if not self.session.is_asked(question):  # switched off by an earlier answer ('when')
            if self.session.clear_unasked([question]):
                self.save()
            return
        say()
        if question.is_repeating:
            self.lists.ask(question, editing)
            return
        try:
            value = self.ask_value(question, self.get(question.path))
        except Stopped as stopped:
            self.keep_typed(question, stopped.typed)
            raise
        self.session.mark_unfinished(question.path, False)
        other = self.session.kind_named_by(question, value) if not editing else None
        if other:
            self.switch_kind(other)
        self.set(question.path, value)

    def switch_kind(self, kind: str) -> None:
        """One route to each kind: an answer that names another kind (a project group asked
        in the ad-hoc kind) continues with that kind's questions and wording."""
        other = self.session.switch_kind(kind)
        say(f"{other.name}: kommissoriet skrives med typen {kind} (de samme spørgsmål, typens egen ordlyd "
            "i dokumentet).", HELP_STYLE)

    def keep_typed(self, question: Question, typed: str) -> None:
        """Ctrl-C inside an answer: keep the text typed so far in the draft, marked unfinished,
        and say exactly what was kept (or why it could not be)."""
        if not isinstance(typed, str) or not typed.strip():
            return
        label = f'"{question.prompt}"'
        if question.type == "paragraphs":  # the prompt's lines are its paragraphs
            typed = prompts.lines_to_paragraphs(typed)
        try:
            value = self.read(question, typed)
        except InvalidValue as exc:
            self.kept = f'Det halvt skrevne svar på {label} ("{clip(typed)}") er ikke gemt: {exc}.'
            return
        self.session.put(question.path, value)
        self.session.mark_unfinished(question.path)
        self.save()
        if self.path is not None:
            self.kept = (
                f"Også det, du var i gang med at skrive som svar på {label}, er gemt ({amount(value)}: "
                f'"{clip(value)}"), markeret som ufærdigt; du fortsætter med det.'
            )

    # -- one value -------------------------------------------------------------------------
    def read(self, question: Question, typed: str) -> Any:
        """The answer typed text stands for (drafter.session reads it as every front end does)."""
        return self.session.read(question, typed)

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
            value = self.read(question, text)
        except InvalidValue as exc:
            reason = str(exc)
            return reason[:1].upper() + reason[1:]
        if is_empty(value) and question.required:
            return "Feltet skal udfyldes"
        reason = self.session.cross_check(question, value)
        if not reason:
            return None
        earlier = self.questionnaire.question(question.not_before) if question.not_before else None
        if earlier is not None:  # the other answer by its question, not its key in the file
            reason = reason.replace(earlier.path, f'svaret på "{earlier.prompt}"')
        return reason[:1].upper() + reason[1:]

    def suggestion(self, question: Question) -> Any:
        """What *question* suggests; nothing for one answered empty on purpose (the file says so)."""
        if is_left_empty(self.session, question):
            return None
        return question.default_value(self.session.today, self.values)

    def ask_value(self, question: Question, current: Any, label: str | None = None) -> Any:
        """Ask one value with the prompt fitting its type; return it normalised (or None)."""
        message = label or question.prompt
        if question.help:
            say(question.help, HELP_STYLE)
        # Left empty on purpose before: it starts empty, its suggestion one Tab away (text).
        left_empty = is_left_empty(self.session, question)
        note = question.default_note(self.values) if is_empty(current) and not left_empty else None
        if note:
            say(note, WARNING_STYLE)
        suggested = current if not is_empty(current) else self.suggestion(question)
        if left_empty and question.type in ("text", "paragraphs", "date"):
            suggested = question.default_value(self.session.today, self.values)
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
                if shown and not question.required:
                    say(LEFT_EMPTY_HINT if left_empty else OPTIONAL_SUGGESTION_HINT, HELP_STYLE)
                typed = text(message, lambda t: self.problem(question, t), suggestion=shown,
                             optional=not question.required, declined=left_empty)
            value = self.read(question, typed)
            if value:
                say(f"  {long_date(_dt.date.fromisoformat(value))}", ECHO_STYLE)
            return value
        multiline = question.type == "paragraphs"
        # An earlier answer is there to be edited; a suggestion is grey until Enter or Tab.
        given = "" if is_empty(current) else str(current)
        suggestion = "" if given or is_empty(suggested) else str(suggested)
        if suggestion:
            say(LEFT_EMPTY_HINT if left_empty else SUGGESTION_HINT if question.required else OPTIONAL_SUGGESTION_HINT,
                HELP_STYLE)
        typed = text(message, lambda t: self.problem(question, t), current=given, suggestion=suggestion,
                     multiline=multiline, optional=not question.required, declined=left_empty)
        if multiline and given and typed == prompts.lines_to_paragraphs(given):
            return current  # kept as it was (a line break inside a paragraph too)
        return self.read(question, typed)

    def _ask_choice(self, question: Question, message: str, current: Any, suggested: Any) -> Any:
        choices = question.offered_choices(suggested)
        if len(choices) == 1 and question.required and not question.allow_other:
            say(f"{message} {choices[0]}")  # nothing to choose
            return choices[0]
        if isinstance(suggested, str) and suggested in choices:  # the suggested choice first
            choices.remove(suggested)
            choices.insert(0, suggested)
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
                return self.read(question, picked)
            own = str(picked)
        elif picked == NONE_CHOICE:
            return None
        elif picked != OTHER:
            return picked
        else:
            own = current if isinstance(current, str) and current not in question.choices else ""
        typed = text(f"{message} (skriv selv)", lambda t: self.problem(question, t), current=own)
        return self.read(question, typed)

    # -- the end ---------------------------------------------------------------------------
    def finish(self) -> Result:
        """Mark the answers complete, save them and render through `drafter render`'s code."""
        self.session.complete = True
        self.save()
        try:
            finished = self.session.render()
        except OutputError as exc:  # e.g. the document was edited in Word since
            where = shellquote.quote(self.path)
            raise OutputError(
                f"{exc}\nDine svar er gemt i {self.path}. Lav dokumentet under et andet navn med: "
                f"drafter render {where} -o NYT-NAVN.docx, eller overskriv det med: drafter render {where} --force"
            ) from None
        self.review.show_remarks(finished)
        return Result(self.path, finished.rendered.output, finished.rendered.status,
                      findings=[format_problem(f) for f in finished.findings])


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


def warn_missing_profile_data(questionnaire: Questionnaire) -> None:
    missing = missing_profile_data(questionnaire)
    if missing:
        say(f"{questionnaire.name}: profilen mangler {and_list(missing)}; de svar skriver du selv.", WARNING_STYLE)


def choose_kind() -> str:
    """`drafter new` without a kind: offer the kinds there are; a kind that needs data the
    profile lacks (a cluster kind in a municipality's workspace) is listed last, with one
    line saying what is missing, and cannot be chosen."""
    from questionary import Choice, Separator

    kinds = [load_questionnaire(name) for name in available_kinds()]
    usable = [k for k in kinds if not missing_profile_data(k)]
    labels = [f"{k.name} ({k.kind})" for k in usable]
    lacking = [k for k in kinds if k not in usable]
    choices: list = list(labels)
    if lacking:
        choices.append(Separator("── Kræver data, som profilen ikke har:"))
        for kind in lacking:  # one line each: "- Temagruppe (mangler temagrupper, klynger og rotationsplan)"
            reason = missing_profile_note(kind)
            choices.append(Choice(clip(kind.name, max(10, width() - 12 - len(reason))), disabled=reason))
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
        message = interview.interrupted_message()
        if isinstance(exc, Terminated):
            # A signal can land while prompt_toolkit is drawing (Ctrl-C never does: it is a
            # key), leaving the cursor at the end of the question's line: start on a new one.
            message = "\n" + message
        interrupted = Interrupted(message)
        if isinstance(exc, KeyboardInterrupt):
            interrupted.exit_code = exit_code(exc)  # 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP
        raise interrupted from None


def new(
    questionnaire: Questionnaire,
    answers_dir: Path = DEFAULT_ANSWERS_DIR,
    out_dir: Path | None = None,
    resume: Path | None = None,
    settings: list[str] = (),
    today: _dt.date | None = None,
) -> Result:
    """`drafter new KIND`: ask, autosave, review, then render; or continue a draft (--resume).
    *settings* (--set KEY=VALUE) pre-answer questions, which are then not asked."""
    options: dict[str, Any] = {"answers_dir": answers_dir, "out_dir": out_dir, "today": today}
    if resume is not None:  # resuming a finished file keeps it finished
        session = DraftSession.resume(resume, questionnaire.kind, **options)
    else:
        session = DraftSession(questionnaire, **options)
    for note in session.notes:
        say(note, WARNING_STYLE)
    presets = {key.split("[")[0] for key in session.apply(list(settings))}
    interview = Interview(session, presets={path for path in presets if not is_empty(session.get(path))
                                            or path in session.left_empty})

    def flow() -> Result:
        interview.run_new()
        interview.review.run()
        return interview.finish()

    return _guarded(interview, flow)


def edit(path: Path, section: str | None = None, out_dir: Path | None = None, today: _dt.date | None = None) -> Result:
    """`drafter edit FILE`: ask again with every answer as the default; save; render if complete."""
    session = DraftSession.open(path, out_dir=out_dir, today=today)
    sections = session.questionnaire.sections
    if section is not None:
        sections = [pick_section(session.questionnaire, section)]
    interview = Interview(session)

    def flow() -> Result:
        for chosen in sections:
            interview.ask_section(chosen)
        interview.save()
        if not session.complete:
            return Result(interview.path, kind=interview.questionnaire.kind)
        if any(p.blocking for p in interview.review.problems()):
            interview.review.run()  # the problems first; the document once they are fixed or waived
        return interview.finish()

    return _guarded(interview, flow)


def pick_section(questionnaire: Questionnaire, wanted: str) -> Section:
    """--section 3 (the number in the document) or --section tidsplan (the key)."""
    for section in questionnaire.sections:
        if wanted == section.key or (section.number is not None and wanted.strip() == str(section.number)):
            return section
    known = ", ".join(str(s.number) if s.number else s.key for s in questionnaire.sections)
    raise UsageError(f'--section {wanted}: intet afsnit med det nummer eller navn; vælg mellem {known}')
