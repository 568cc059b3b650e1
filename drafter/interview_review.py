"""The interview's review: the problems first, in plain Danish with the section to fix them
in; each section on a page of its own; a rule waived with a written reason; the
commission's own title, headings and order. Loops until the answers are approved and
nothing blocks the document. The checks are the draft session's (drafter.session)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import questionary

from drafter import shellquote
from drafter.interview_lists import BACK, clip, describe, entry_name, noun
from drafter.problems import printable
from drafter.prompts import HEADING_STYLE, HELP_STYLE, WARNING_STYLE, clear, height, say, select, text, width, wrap
from drafter.questionnaire import Section
from drafter.rules import WAIVER_RULE
from drafter.session import is_left_empty, reason_problem, rule_named

APPROVE = "Godkend: gem og lav Word-dokumentet"
SHOW_SECTION = "Se"
WAIVE = "Undtag en regel (med en skrevet begrundelse)"
LAYOUT = "Titel, overskrifter og rækkefølge (kan springes over)"
DONE_LAYOUT = "Færdig"
NEXT_PAGE = "Næste side"


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


class Review:
    """The review of one interview (*interview*: drafter.interview.Interview)."""

    def __init__(self, interview):
        self.interview = interview
        self.session = interview.session

    def run(self) -> None:
        sections = self.session.questionnaire.sections
        notice = ""
        while True:
            problems = self.problems()
            blocking = [p for p in problems if p.blocking]
            waivable = [p for p in problems if p.finding is not None and p.finding.waived is None]
            choices = [APPROVE]
            for section in sections:
                count = sum(1 for p in problems if p.section is section)
                choices.append(f"{SHOW_SECTION} {section.heading}" + (f"  (! {count})" if count else ""))
            if waivable:
                choices.append(WAIVE)
            if self.session.questionnaire.uses_body:
                choices.append(LAYOUT)
            clear()
            say("Gennemsyn af dine svar", HEADING_STYLE)
            if notice:
                say(notice, WARNING_STYLE)
            room = height() - len(choices) - 6 - (2 if notice else 0)
            self.show_problems(problems, blocking, room)
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

    @staticmethod
    def show_problems(problems: list, blocking: list, room: int) -> None:
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
            if not self.session.is_asked(question):
                continue  # switched off by an earlier answer: not part of the commission
            left_empty = is_left_empty(self.session, question)
            for number, line in enumerate(describe(question, self.session.get(question.path), left_empty)):
                lines.extend((part, None) for part in wrap(line.strip(), indent="      " if number == 0 else "       ", first="  " if number == 0 else "    "))
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
                self.interview.ask_section(section)
                return

    def layout_step(self) -> None:
        """The commission's own title, headings and order of sections (titel, overskrifter,
        orden in the file); the kind's stand where nothing is given."""
        questionnaire = self.session.questionnaire
        layout = self.session.layout()
        clear()
        say(LAYOUT.split(" (")[0], HEADING_STYLE)
        say("En tom titel eller overskrift giver typens; en tom rækkefølge ændrer intet.", HELP_STYLE)
        asked = "Dokumentets titel?"
        # The title an empty answer gives, on the prompt's line: clipped, never wrapped inside a word.
        title = text(asked, lambda typed: None, current=layout.titel or "",
                     hint=clip(f"tom: {layout.kind_title(self.session.values)}", max(12, width() - len(asked) - 4)))
        sections = questionnaire.body_sections(layout.orden)
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
        named = layout.orden
        if order.strip():
            named = [sections[int(n) - 1].key for n in order.replace(",", " ").split()]
            sections = questionnaire.body_sections(named)
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
        self.session.set_layout(title, headings, named)
        self.interview.save()

    def waive(self, waivable: list) -> None:
        """Waive a rule from the review, with a written reason saved as 'undtagelser'."""
        labels = [clip(p.full_text, width() - 8) for p in waivable]
        picked = select("Hvilken regel skal undtages?", labels + [BACK])
        if picked == BACK:
            return
        finding = waivable[labels.index(picked)].finding
        rule = rule_named(finding.rule)
        say()
        say(f"Reglen: {rule.title}", HEADING_STYLE)
        say(f"Kilde: {rule.source}", HELP_STYLE)
        say("En undtagelse gemmes i svarfilen med din begrundelse og står i 'drafter check'.", HELP_STYLE)

        def check(typed: str) -> str | None:
            problem = reason_problem(typed) if typed.strip() else None
            return problem[:1].upper() + problem[1:] if problem else None

        reason = text("Hvorfor skal reglen ikke gælde her?", check, instruction="(tom: fortryd)")
        if not reason.strip():
            return
        self.session.waive(finding.rule, reason)
        self.interview.save()

    def problems(self) -> list[ReviewProblem]:
        """What stands between the answers and a finished document, then the rules' remarks."""
        problems = [self.plain(p.field, p.message, blocking=True) for p in self.session.problems(complete=True)]
        if problems:
            return problems
        report = self.session.rule_report()
        for finding in report.findings if report is not None else []:
            if finding.rule == WAIVER_RULE or finding.waived is not None:
                continue
            problems.append(self.plain(finding.field, finding.message, blocking=finding.is_error(), finding=finding))
        return problems

    def plain(self, field: str | None, message: str, blocking: bool, finding=None) -> ReviewProblem:
        """A problem in plain Danish: which section, which answer (an entry by its number and
        first text), what is wrong. No file names, line numbers or field paths."""
        questionnaire = self.session.questionnaire
        key = re.split(r"[.\[]", field or "", maxsplit=1)[0]
        section = next((s for s in questionnaire.sections if s.key == key), None)
        match = re.match(r"([a-z0-9_]+)\.([a-z0-9_]+)(?:\[(\d+)\])?(?:\.([a-z0-9_]+))?", field or "")
        question = questionnaire.question(f"{match.group(1)}.{match.group(2)}") if match else None
        place = ""
        if question is not None:
            place = f'Svaret på "{question.prompt}"'
            if match.group(3) and question.is_repeating:
                number = int(match.group(3))
                items = self.session.get(question.path) or []
                entry = items[number - 1] if number <= len(items) else None
                place = noun(question, number)
                name = entry_name(question, entry)
                if name:
                    place += f' ("{clip(name, 40)}")'
                field_question = question.field_named(match.group(4) or "")
                if field_question is not None and field_question.type != "date":
                    place += f", {field_question.prompt.rstrip('?').lower()}"
        for known in questionnaire.questions:  # "tidsplan.start" in a message -> its question
            message = re.sub(rf"\b{re.escape(known.path)}\b", f'svaret på "{known.prompt}"', message)
        text_ = message[:1].upper() + message[1:]
        if finding is not None and finding.waived is not None:
            text_ += f' (undtaget med begrundelsen: "{finding.waived}")'
        if place:
            text_ = f"{place}: {text_}"
        return ReviewProblem(section, text_, blocking, finding)

    def show_remarks(self, finished) -> None:
        """The rules' remarks again, next to the document just made (*finished*: drafter.session.Finished)."""
        if not finished.findings:
            return
        say()
        say(f"Dokumentet {finished.rendered.output} er lavet med bemærkninger fra samarbejdets regler:", HEADING_STYLE)
        for finding in finished.findings:
            say(self.plain(finding.field, finding.message, False, finding).full_text, indent="   ", first=" • ")
        say(f"Ret dem med: drafter edit {shellquote.quote(finished.answers_path)}", HELP_STYLE)
