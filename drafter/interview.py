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

from drafter import shellquote
from drafter.answers import Answers, is_empty, load_answers, save_answers
from drafter.errors import DrafterError, UsageError
from drafter.problems import format_problem, printable_lines
from drafter.main import DEFAULT_OUT_DIR
from drafter.questionnaire import (
    InvalidValue,
    Question,
    Questionnaire,
    Section,
    suggest,
)
from drafter.validate import cross_field_message, is_asked, validate

DEFAULT_ANSWERS_DIR = Path("answers")

OTHER = "Andet (skriv selv)"
NONE_CHOICE = "(ingen)"
YES, NO = "Ja", "Nej"
ADD_FIRST, SKIP_LIST = "Ja, tilføj", "Nej, videre"
ADD_MORE, DONE, EDIT_ITEM, REMOVE_ITEM = "Ja, tilføj flere", "Nej, videre", "Ret et punkt", "Fjern et punkt"
APPROVE = "Alt er rigtigt: gem og lav Word-dokumentet"
SELECT_HINT = "(vælg med piletasterne og Enter)"
MULTILINE_HINT = "(afslut med Esc og derefter Enter; en tom linje skiller to afsnit)\n>"  # answer below

HELP_STYLE = "italic fg:ansibrightblack"
HEADING_STYLE = "bold"
WARNING_STYLE = "fg:ansired"


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


# -- names of draft files ------------------------------------------------------------------

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(name: str, fallback: str = "kommissorium", limit: int = 60) -> str:
    """'Ad-hoc gruppe om skrøbelige ældre' -> 'ad-hoc-gruppe-om-skroebelige-aeldre'."""
    text = name.translate(_DANISH).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:
        text = text[:limit].rsplit("-", 1)[0] or text[:limit]
    return text.strip("-") or fallback


def free_path(folder: Path, slug: str, out_dir: Path | None = None) -> Path:
    """folder/slug.yaml, or slug-2.yaml, slug-3.yaml ...: never a file that exists already.

    A name whose Word document already exists in *out_dir* is passed over too, so the new
    commission never ends up replacing another one's document.
    """
    number = 1
    while True:
        stem = slug if number == 1 else f"{slug}-{number}"
        candidate = folder / f"{stem}.yaml"
        taken = candidate.exists() or candidate.is_symlink()
        if out_dir is not None:
            document = out_dir / f"{stem}.docx"
            taken = taken or document.exists() or document.is_symlink()
        if not taken:
            return candidate
        number += 1


# -- --set KEY=VALUE -----------------------------------------------------------------------

def parse_presets(questionnaire: Questionnaire, settings: list[str]) -> dict[str, Any]:
    """--set gruppe.navn=... -> {"gruppe.navn": value}, checked by the question's own rule.

    A list question may be set more than once; each --set adds one entry.
    """
    presets: dict[str, Any] = {}
    paths = [q.path for q in questionnaire.questions]
    for setting in settings:
        key, sep, text = setting.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f'--set "{setting}": skriv NØGLE=VÆRDI, fx --set gruppe.navn="Ad-hoc gruppe om ..."')
        question = questionnaire.question(key)
        if question is None:
            raise UsageError(f'--set {key}: ukendt spørgsmål{suggest(key, paths)}; kendte nøgler: {", ".join(paths)}')
        if question.type == "records":
            raise UsageError(f"--set {key}: en liste med flere felter kan ikke sættes med --set; skriv den i svarfilen")
        try:
            if question.type == "list":
                presets.setdefault(key, []).extend(question.check([text]))
            else:
                value = question.check(text)
                if is_empty(value):
                    raise InvalidValue("må ikke være tom")
                presets[key] = value
        except InvalidValue as exc:
            raise UsageError(f"--set {key}: {exc}") from None
    return presets


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

    def save(self) -> None:
        """Write the draft atomically; before the group has a name there is nowhere to write."""
        if self.path is None:
            if self.name_question is None:  # a kind without a name question: named after the kind
                name = self.questionnaire.kind
            else:
                name = self.get(self.name_question.path)
            if is_empty(name):
                return
            self.answers_dir.mkdir(parents=True, exist_ok=True)
            self.path = free_path(self.answers_dir, slugify(name), self.out_dir or DEFAULT_OUT_DIR)
        save_answers(self.path, self.questionnaire, self.values, complete=self.complete, meta=self.meta)

    def interrupted_message(self) -> str:
        if self.path is None:
            return "Afbrudt. Intet er gemt, for gruppens navn var ikke angivet endnu."
        where = shellquote.quote(self.path)
        if self.complete:
            return (
                f"Afbrudt. Dine ændringer indtil nu er gemt i {self.path}.\n"
                f"Ret videre med:\n  drafter edit {where}"
            )
        return (
            f"Afbrudt. Dine svar indtil nu er gemt i {self.path}.\n"
            f"Fortsæt, hvor du slap, med:\n  drafter new {self.questionnaire.kind} --resume {where}"
        )

    # -- output --------------------------------------------------------------------------
    @staticmethod
    def say(text: str = "", style: str | None = None) -> None:
        questionary.print(printable_lines(text), style=style)  # answers may hold control characters

    def heading(self, section: Section) -> None:
        numbers = [s.number for s in self.questionnaire.sections if s.number]
        title = f"{section.number}/{max(numbers)} {section.title}" if section.number else section.title
        self.say()
        self.say(title, HEADING_STYLE)
        if section.intro:
            self.say(section.intro, HELP_STYLE)

    # -- flows -----------------------------------------------------------------------------
    def run_new(self) -> None:
        self.say(f"{self.questionnaire.name}.")
        self.say("Svarene gemmes efter hvert spørgsmål. Tryk Ctrl-C for at stoppe og fortsætte senere.", HELP_STYLE)
        self.save()
        plan = {q.path for q in self.resume_plan()}
        for section in self.questionnaire.sections:
            questions = [q for q in section.questions if q.path in plan]
            if not questions:
                continue
            self.heading(section)
            for question in questions:
                self.ask(question, editing=False)

    def resume_plan(self) -> list[Question]:
        """The questions still to ask: from the first unanswered one after the last answer.

        Empty optional questions before the last answer were skipped on purpose and are not
        asked again; a repeating question that holds the last answer is reopened, so more
        entries can be added. Pre-answered (--set) questions are never asked here.
        """
        order = [q for q in self.questionnaire.questions if q.path not in self.presets]
        answered = [i for i, q in enumerate(order) if not is_empty(self.get(q.path))]
        last = max(answered, default=-1)
        plan = []
        for index, question in enumerate(order):
            empty = is_empty(self.get(question.path))
            if index < last:
                wanted = empty and question.required
            elif index == last:
                wanted = question.is_repeating
            else:
                wanted = True
            if wanted:
                plan.append(question)
        return plan

    def ask_section(self, section: Section) -> None:
        self.heading(section)
        for question in section.questions:
            self.ask(question, editing=True)

    def ask(self, question: Question, editing: bool) -> None:
        if not is_asked(question, self.values):
            if not is_empty(self.get(question.path)):
                self.set(question.path, [] if question.is_repeating else None)
            return
        self.say()
        if question.is_repeating:
            self.ask_repeating(question, editing)
        else:
            self.set(question.path, self.ask_value(question, self.get(question.path)))

    # -- one value -------------------------------------------------------------------------
    def problem(self, question: Question, text: str) -> str | None:
        """Why *text* is not an acceptable answer (Danish), or None if it is."""
        if not text.strip():
            return "Feltet skal udfyldes" if question.required else None
        try:
            value = question.check(text)
        except InvalidValue as exc:
            reason = str(exc)
            return reason[:1].upper() + reason[1:]
        if is_empty(value) and question.required:
            return "Feltet skal udfyldes"
        reason = cross_field_message(question, value, self.values)
        return reason[:1].upper() + reason[1:] if reason else None

    def validator(self, question: Question) -> Callable[[str], bool | str]:
        def check(text: str) -> bool | str:
            return self.problem(question, text) or True

        return check

    def ask_value(self, question: Question, current: Any, label: str | None = None) -> Any:
        """Ask one value with the prompt fitting its type; return it normalised (or None)."""
        message = label or question.prompt
        if question.help:
            self.say(question.help, HELP_STYLE)
        note = question.default_note(self.values) if is_empty(current) else None
        if note:
            self.say(note, WARNING_STYLE)
        default = current if not is_empty(current) else question.default_value(self.today, self.values)
        if question.type == "choice":
            return self._ask_choice(question, message, current, default)
        if question.type == "bool":
            start = NO if default is False or (default is None and not question.required) else YES
            return _select(message, choices=[YES, NO], default=start).unsafe_ask() == YES
        multiline = question.type == "paragraphs"
        instruction = MULTILINE_HINT if multiline else ("(ÅÅÅÅ-MM-DD)" if question.type == "date" else None)
        text = questionary.text(
            message,
            default="" if default is None else str(default),
            validate=self.validator(question),
            multiline=multiline,
            instruction=instruction,
            validate_while_typing=False,  # explain a wrong answer on Enter, not at every key
        ).unsafe_ask()
        return self._normalise(question, text)

    def _ask_choice(self, question: Question, message: str, current: Any, default: Any) -> Any:
        choices = list(question.choices)
        if question.allow_other:
            choices.append(OTHER)
        if not question.required:
            choices.append(NONE_CHOICE)
        if isinstance(default, str) and default in question.choices:
            start = default
        elif not is_empty(current) and question.allow_other:
            start = OTHER
        elif is_empty(default) and not question.required:
            start = NONE_CHOICE  # an unanswered optional choice stays unanswered on Enter
        else:
            start = None
        picked = _select(message, choices=choices, default=start).unsafe_ask()
        if picked == NONE_CHOICE:
            return None
        if picked != OTHER:
            return picked
        own = current if isinstance(current, str) and current not in question.choices else ""
        text = questionary.text(
            f"{message} (skriv selv)", default=own, validate=self.validator(question), validate_while_typing=False
        ).unsafe_ask()
        return self._normalise(question, text)

    def _normalise(self, question: Question, text: str) -> Any:
        if not text.strip():
            return None
        value = question.check(text)  # already accepted by the validator; this normalises
        return None if is_empty(value) else value

    # -- repeating groups ------------------------------------------------------------------
    def ask_repeating(self, question: Question, editing: bool) -> None:
        items = list(self.get(question.path) or [])
        self._put(question.path, items)
        self.say(question.prompt, HEADING_STYLE)
        if question.help:
            self.say(question.help, HELP_STYLE)
        if question.type == "records":
            for number, entry in enumerate(items, 1):  # an entry interrupted half-way
                missing = [f for f in question.fields if f.required and is_empty(entry.get(f.key))]
                if missing:
                    self.say(f"{(question.item_name or 'punkt').capitalize()} {number} mangler stadig:")
                for field_question in missing:
                    entry[field_question.key] = self.ask_value(field_question, None)
                    self.save()
        if not items:
            suggested = question.default_value(self.today, self.values)
            if isinstance(suggested, list) and suggested:  # e.g. from the reference data
                items.extend(copy.deepcopy(suggested))
                self.say("Forslag (behold, ret eller fjern punkterne):")
                editing = True  # keeping the suggestion is one Enter
        if not items:
            if not question.required:
                wanted = _select(
                    f"{question.prompt} (kan springes over)", choices=[ADD_FIRST, SKIP_LIST]
                ).unsafe_ask()
                if wanted == SKIP_LIST:
                    self.save()
                    return
            self._add(question, items)
        while True:
            self._show_items(question, items)
            choices = [ADD_MORE, DONE] + ([EDIT_ITEM, REMOVE_ITEM] if items else [])
            picked = _select(
                "Tilføj flere?", choices=choices, default=DONE if editing else ADD_MORE
            ).unsafe_ask()
            if picked == ADD_MORE:
                self._add(question, items)
            elif picked == DONE:
                if question.required and not items:
                    self.say(f"Angiv mindst én {question.item_name or 'post'}.", WARNING_STYLE)
                    continue
                self.save()  # a kept suggestion is an answer too
                return
            elif picked == EDIT_ITEM:
                index = self._pick(question, items, "Hvilket punkt vil du rette?")
                self._edit(question, items, index)
            elif picked == REMOVE_ITEM:
                index = self._pick(question, items, "Hvilket punkt vil du fjerne?")
                del items[index]
                self.save()

    def _item_question(self, question: Question, number: int) -> Question:
        # One entry of a list obeys the text rule, through the same Question.check.
        return dataclasses.replace(
            question, type="text", required=True, default=None, help="",
            prompt=f"{question.prompt} ({question.item_name or 'punkt'} {number})",
        )

    def _add(self, question: Question, items: list) -> None:
        number = len(items) + 1
        if question.type == "list":
            items.append(self.ask_value(self._item_question(question, number), None))
            self.save()
            return
        self.say(f"{(question.item_name or 'punkt').capitalize()} {number}:", HEADING_STYLE)
        entry: dict[str, Any] = {}
        for position, field_question in enumerate(question.fields):
            entry[field_question.key] = self.ask_value(field_question, None)
            if position == 0:
                items.append(entry)
            self.save()

    def _edit(self, question: Question, items: list, index: int) -> None:
        if question.type == "list":
            items[index] = self.ask_value(self._item_question(question, index + 1), items[index])
            self.save()
            return
        entry = items[index]
        for field_question in question.fields:
            entry[field_question.key] = self.ask_value(field_question, entry.get(field_question.key))
            self.save()

    def _pick(self, question: Question, items: list, message: str) -> int:
        labels = [f"{n}. {summary(question, item)}" for n, item in enumerate(items, 1)]
        picked = _select(message, choices=labels).unsafe_ask()
        return labels.index(picked)

    def _show_items(self, question: Question, items: list) -> None:
        self.say(f"Indtil nu ({len(items)}):" if items else "Ingen endnu.")
        for number, item in enumerate(items, 1):
            self.say(f"  {number}. {summary(question, item)}")

    # -- review and the end ----------------------------------------------------------------
    def review(self) -> None:
        """Show every answer per section, and what the rules say; let the person change
        sections until it is right. Rule errors keep the review open: the draft stays saved."""
        sections = self.questionnaire.sections
        labels = [f"Ret {s.heading}" for s in sections]
        while True:
            self.say()
            self.say("Gennemsyn af dine svar", HEADING_STYLE)
            for section in sections:
                self.say()
                self.say(section.heading, HEADING_STYLE)
                for question in section.questions:
                    if not is_asked(question, self.values):
                        continue  # switched off by an earlier answer: not part of the commission
                    for line in describe(question, self.get(question.path)):
                        self.say(line)
            report = self.rule_report()
            if report is not None and report.findings:
                self.say()
                self.show_findings(report)
            self.say()
            picked = _select(
                "Er alt rigtigt, eller vil du rette et afsnit?", choices=[APPROVE, *labels]
            ).unsafe_ask()
            if picked == APPROVE:
                problems = self.final_problems()
                if problems:
                    self.say("Der er stadig noget, der skal rettes:", WARNING_STYLE)
                    for problem in problems:
                        self.say(f"  {problem}", WARNING_STYLE)
                    continue
                report = self.rule_report()
                if report is not None and report.errors():
                    self.explain_rule_errors(report)
                    continue
                return
            self.ask_section(sections[labels.index(picked)])

    def finished_data(self) -> dict[str, Any]:
        """The answers as plain data, as they would be saved once finished."""
        return {
            "kind": self.questionnaire.kind, "schema_version": self.questionnaire.schema_version,
            **self.meta, **self.values,
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

    def show_findings(self, report) -> None:
        """The rules' findings, worded as `drafter check` prints them; waived ones with their reason."""
        errors = report.errors()
        if errors:
            self.say("Samarbejdets regler finder fejl, som skal rettes, før dokumentet kan laves:", WARNING_STYLE)
        else:
            self.say(
                "Bemærkninger fra samarbejdets regler (dokumentet kan laves alligevel, men ret gerne afsnittet først):",
                HEADING_STYLE,
            )
        for finding in report.findings:
            self.say(f"  {format_problem(finding)}", WARNING_STYLE if finding.is_error() else None)

    def explain_rule_errors(self, report) -> None:
        """Why the document is not made yet, and which section to change for each error."""
        self.say()
        self.say(
            "Dokumentet laves ikke endnu: samarbejdets regler finder fejl. Dine svar er gemt i "
            f"{self.path}, og du kan rette dem nu.",
            WARNING_STYLE,
        )
        for finding in report.errors():
            self.say(f"  {format_problem(finding)}", WARNING_STYLE)
            section = self.section_of(finding.field)
            if section is not None:
                self.say(f"    Ret det i afsnittet {section.heading} (vælg: Ret {section.heading})", WARNING_STYLE)
            else:
                self.say(
                    f"    Det rettes i svarfilen {self.path} (fx undtagelserne); ret filen i en teksteditor, "
                    f"og fortsæt med: drafter edit {shellquote.quote(self.path)}",
                    WARNING_STYLE,
                )
        self.say(
            "Vælg det afsnit, der skal rettes. Er der en god grund til at fravige en regel, kan den undtages "
            "med en skrevet begrundelse i svarfilen (undtagelser: - regel: ... begrundelse: ...).",
            WARNING_STYLE,
        )

    def section_of(self, field: str | None) -> Section | None:
        """"formandskab.formaend[1].fra" -> the section "formandskab"; None for other keys."""
        key = re.split(r"[.\[]", field or "", maxsplit=1)[0]
        return next((s for s in self.questionnaire.sections if s.key == key), None)

    def finish(self, out_dir: Path | None) -> Result:
        """Mark the answers complete, save them and render through `drafter render`'s code."""
        from drafter.main import default_output, render_file

        self.complete = True
        self.save()
        output = default_output(self.path, out_dir if out_dir is not None else DEFAULT_OUT_DIR)
        rendered = render_file(self.path, output)
        report = self.rule_report()
        findings = [format_problem(f) for f in report.findings] if report is not None else []
        if findings:  # shown again next to the document, as `drafter check` words them
            self.say()
            self.say(f"Dokumentet {rendered.output} er lavet med bemærkninger fra samarbejdets regler:", HEADING_STYLE)
            for line in findings:
                self.say(f"  {line}")
            self.say(f"Ret dem med: drafter edit {shellquote.quote(self.path)}", HELP_STYLE)
        return Result(self.path, rendered.output, rendered.status, findings=findings)


def _select(message: str, choices: list[str], default: str | None = None):
    return questionary.select(message, choices=choices, default=default, instruction=SELECT_HINT)


def summary(question: Question, item: Any) -> str:
    if isinstance(item, dict):
        return ", ".join(str(item[f.key]) for f in question.fields if not is_empty(item.get(f.key))) or "(tom)"
    return str(item)


def describe(question: Question, value: Any) -> list[str]:
    """Lines for the review: '  Prompt: value', entries of lists on lines of their own."""
    label = question.prompt.rstrip("?").rstrip()
    if is_empty(value):
        return [f"  {label}: (ikke besvaret)"]
    if question.is_repeating:
        return [f"  {label}:"] + [f"    - {summary(question, item)}" for item in value]
    if isinstance(value, bool):
        return [f"  {label}: {YES if value else NO}"]
    text = str(value).replace("\n\n", " ¶ ")
    return [f"  {label}: {text if len(text) <= 160 else text[:159] + '…'}"]


# -- entry points for the command line ---------------------------------------------------

def _guarded(interview: Interview, action: Callable[[], Result]) -> Result:
    """The one place an interruption is handled: the draft is on disk; say how to go on."""
    try:
        return action()
    except (KeyboardInterrupt, EOFError):
        raise Interrupted(interview.interrupted_message()) from None


def new(
    questionnaire: Questionnaire,
    answers_dir: Path = DEFAULT_ANSWERS_DIR,
    out_dir: Path | None = None,
    resume: Path | None = None,
    presets: dict[str, Any] | None = None,
    today: _dt.date | None = None,
) -> Result:
    """`drafter new KIND`: ask, autosave, review, then render; or continue a draft (--resume)."""
    answers = load_answers(resume, questionnaire.kind) if resume is not None else None
    interview = Interview(
        questionnaire, answers.values if answers else None, path=resume, answers_dir=answers_dir, out_dir=out_dir,
        presets=presets, today=today,
        complete=bool(answers and answers.complete),  # resuming a finished file keeps it finished
    )
    if answers is not None:
        interview.meta = kept_meta(answers)

    def flow() -> Result:
        interview.run_new()
        interview.review()
        return interview.finish(out_dir)

    return _guarded(interview, flow)


def kept_meta(answers) -> dict[str, Any]:
    """Meta keys of a loaded file that the interview does not ask about but must not drop."""
    from drafter.answers import META_KEYS

    data = answers.data
    return {k: data[k] for k in META_KEYS if k in data and k not in ("kind", "schema_version", "complete")}


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

    def flow() -> Result:
        for chosen in sections:
            interview.ask_section(chosen)
        interview.save()
        if not interview.complete:
            return Result(interview.path, kind=questionnaire.kind)
        report = None if interview.final_problems() else interview.rule_report()
        if report is None or report.errors():
            if report is not None:
                interview.explain_rule_errors(report)
            interview.review()
        return interview.finish(out_dir)

    return _guarded(interview, flow)


def pick_section(questionnaire: Questionnaire, wanted: str) -> Section:
    """--section 3 (the number in the document) or --section tidsplan (the key)."""
    for section in questionnaire.sections:
        if wanted == section.key or (section.number is not None and wanted.strip() == str(section.number)):
            return section
    known = ", ".join(str(s.number) if s.number else s.key for s in questionnaire.sections)
    raise UsageError(f'--section {wanted}: intet afsnit med det nummer eller navn; vælg mellem {known}')
