"""A section of the questionnaire as a page of `drafter serve`, and saving it (a button or autosave)."""

from __future__ import annotations

import datetime as _dt
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from drafter import api
from drafter.errors import DrafterError, KindError
from drafter.session import AutosaveFailed, answer_digest, held_digest, is_left_empty, note_left_empty
from drafter.web import form as forms
from drafter.web.commission import Commission, browser_words, command_of, not_saved, would_lose_message
from drafter.web.server import Request, Response, parse_form
from drafter.web.site import Site
from drafter.yamlread import is_empty

if TYPE_CHECKING:  # a name for annotations only: the web reaches the kinds through api and the session
    from drafter.questionnaire import Section


def section_base(section: Section, values: dict[str, Any], shown: dict[str, Any] | None = None,
                 left_empty: Any = ()) -> str:
    """The answers of a section as the page was made from them, for merging a later save
    (``DraftSession.merge_typed``): 'key:digest,...'. Where the page shows a suggestion in
    place of an empty answer, both count: 'key:digest|digest'. An answer left empty on
    purpose (a path in *left_empty*) has a digest of its own."""
    parts = []
    for question in section.questions:
        digests = [held_digest(question, values.get(question.key), question.path in left_empty)]
        if shown is not None and answer_digest(shown.get(question.key)) not in digests:
            digests.append(answer_digest(shown.get(question.key)))
        parts.append(f"{question.key}:{'|'.join(digests)}")
    return ",".join(parts)


def parse_base(text: str) -> dict[str, tuple[str, ...]]:
    pairs = (part.partition(":") for part in text.split(",")[:500] if part)
    return {key: tuple(digests.split("|")[:2]) for key, _, digests in pairs}


def with_own_save(section: Section, base: dict[str, tuple[str, ...]], own: str, current: dict[str, Any],
                  today: _dt.date | None) -> dict[str, tuple[str, ...]]:
    """*base* and, per answer, what the page's own save still under way typed (*own*: that
    save's form, which app.js sends along when the page is left meanwhile): the file may
    hold that already, which is no change made elsewhere."""
    if not own:
        return base
    try:
        form = parse_form(own)
    except (UnicodeDecodeError, ValueError):
        return base
    earlier = forms.read_section(section, form, current, today)
    widened = dict(base)
    for question in section.questions:
        path = question.path

        def its(name: str) -> bool:
            return name == path or name.startswith(path + ".")

        # Only an answer that save sent and could read (an unreadable one keeps the file's, which says nothing).
        if any(map(its, form)) and not any(map(its, earlier.errors)) and question.key in earlier.values:
            widened[question.key] = (*base.get(question.key, ()), answer_digest(earlier.values[question.key]))
    return widened


def label_for(section: Section, name: str) -> str:
    """The question (and row and field) a form name stands for, as the person reads it."""
    parts = name.split(".")
    question = next((q for q in section.questions if q.key == (parts[1] if len(parts) > 1 else "")), None)
    if question is None:
        return name
    label = question.prompt
    if len(parts) >= 3 and parts[2].isdigit():
        label = f"{question.prompt.rstrip('?')} ({question.item_name or 'punkt'} {int(parts[2]) + 1})"
        if len(parts) >= 4 and question.field_named(parts[3].split("~")[0]):
            label += ": " + question.field_named(parts[3].split("~")[0]).prompt
    return label


class SectionPages:
    def __init__(self, site: Site, today: _dt.date | None = None):
        self.site = site
        self.today = today

    def resume_url(self, commission: Commission) -> str:
        """Where the person was: the section after the last one answered, unless that one
        still lacks a required answer; the review when nothing is missing."""
        values = commission.values
        sections = commission.questionnaire.sections
        answered = [i for i, s in enumerate(sections) if any(not is_empty(values[s.key].get(q.key))
                                                              or is_left_empty(commission.session, q) for q in s.questions)]
        last = max(answered, default=0)
        for index in range(last, len(sections)):
            section = sections[index]
            if index > last or any(q.required and is_empty(values[section.key].get(q.key)) for q in section.questions):
                return f"/k/{commission.slug}/afsnit/{section.key}"
        return f"/k/{commission.slug}/gennemse"

    def section_values(self, commission: Commission, section: Section) -> dict[str, Any]:
        """The section's answers; a question not reached yet (after the last one answered)
        shows its suggestion, as the terminal's interview offers it; one left empty on purpose
        stays empty."""
        values, session = commission.values, commission.session
        order = commission.questionnaire.questions
        answered = [i for i, q in enumerate(order)
                    if not is_empty(values[q.path.split(".")[0]].get(q.key)) or is_left_empty(session, q)]
        last = max(answered, default=-1)
        shown = dict(values[section.key])
        for question in section.questions:
            if is_empty(shown.get(question.key)) and order.index(question) > last and not is_left_empty(session, question):
                if question.default == "today" and not question.required:
                    continue  # an optional date is never invented; the calendar offers today
                shown[question.key] = question.default_value(self.today, values)
        return shown

    def declined(self, commission: Commission, section: Section) -> dict[str, str]:
        """The section's questions left empty on purpose, and the suggestion that was declined
        (said under the field, as the terminal says "Tab: forslaget igen")."""
        declined = {}
        for question in section.questions:
            if is_left_empty(commission.session, question):
                suggested = question.default_value(self.today, commission.values)
                if isinstance(suggested, list):
                    suggested = "; ".join(str(item) for item in suggested if not isinstance(item, dict))
                if not is_empty(suggested):
                    declined[question.key] = forms.shown_text(question, suggested)
        return declined

    def page(
        self, commission: Commission, section: Section, data: forms.SectionInput | None = None,
        status: int = 200, banner: str = "", focus: str | None = None, saved: bool = False,
        conflicts: dict[str, str] | None = None,
    ) -> Response:
        values = data.values if data is not None else self.section_values(commission, section)
        rows = {}
        for question in section.questions:
            if question.is_repeating:
                shown = data.rows.get(question.key) if data is not None else None
                if shown is None:
                    shown = list(values.get(question.key) or [])
                if not shown:
                    shown = [{} if question.type == "records" else None]
                rows[question.key] = shown
        sections = commission.questionnaire.sections
        index = sections.index(section)
        errors = data.errors if data is not None else {}
        if commission.lost and not banner:
            banner = would_lose_message(commission, commission.lost)
        return self.site.page(
            "section.html", status=status, title=f"{section.heading} – {commission.title}",
            commission=commission, section=section, sections=sections, index=index,
            values=values, rows=rows, typed=data.typed if data is not None else {}, errors=errors,
            error_list=[(name, label_for(section, name), message) for name, message in errors.items()],
            banner=banner, focus=focus, saved=saved, conflicts=conflicts or {}, skip_to=first_field(section),
            declined=self.declined(commission, section),
            base=section_base(section, commission.values[section.key], values, commission.session.left_empty),
            previous=sections[index - 1] if index > 0 else None,
            next=sections[index + 1] if index + 1 < len(sections) else None,
        )

    def save(self, commission: Commission, section: Section, request: Request) -> Response:
        action = request.value("action", "gem")
        session = commission.session
        current = commission.values[section.key]  # the file as it is now
        before = section_base(section, current, None, set(session.left_empty))
        data = forms.read_section(section, request.form, current, self.today)
        focus = forms.apply_action(section, data, action) if ":" in action else None
        shown = dict(data.values)  # what the page shows again: the typed answers
        conflicts: dict[str, str] = {}
        if request.value("version") != commission.version:
            # Saved elsewhere since the page was made (another tab, an editor): merged per answer;
            # a true conflict keeps the file's value, and the typed one is shown beside it.
            questions = {q.key: q for q in section.questions}
            base = with_own_save(section, parse_base(request.value("base")), request.value("forrige"), current,
                                 self.today)
            for key in session.merge_typed(section.key, data.values, base):
                conflicts[questions[key].path] = ("(tomt med vilje)" if is_left_empty(session, questions[key])
                                                  else api.full_text(questions[key], current.get(key)))
        else:
            session.values[section.key] = dict(data.values)
            for key, value in data.values.items():  # a field sent empty: left empty on purpose
                note_left_empty(session, f"{section.key}.{key}", value)
        banner = follow_kind(commission, section, data)
        section = commission.questionnaire.section(section.key) or section
        session.clear_unasked(section.questions)
        cross_check(commission, section, current, data)
        data.values = session.values[section.key]
        for key, value in data.values.items():  # what the merge and the checks kept is shown as saved
            if key not in shown or answer_digest(value) != answer_digest(shown[key]):
                if forms.path_name((section.key, key)) not in conflicts:
                    shown[key] = value
        # Autosave got there first: nothing to write.
        unchanged = section_base(section, data.values, None, session.left_empty) == before and not banner
        if not unchanged and session.complete and session.problems(complete=True):
            session.complete = False
            banner = banner or ("Kommissoriet er en kladde igen, indtil alle spørgsmål er besvaret: "
                                "gør det færdigt fra siden Gennemse.")
        try:
            if not unchanged:
                commission.save()
        except DrafterError as exc:
            if isinstance(exc, AutosaveFailed):  # every answer is in a recovery file: where, and the command
                message = not_saved(exc, self.site.workspace)
            else:
                message = "Svarene er ikke gemt. " + browser_words(" ".join(exc.lines()), self.site.workspace)
            if request.wants_json:
                return Response.json({"saved": False, "message": str(message), "command": command_of(message)},
                                     HTTPStatus.CONFLICT)
            data.values = shown
            return self.site.after(commission, section.key, f"/k/{commission.slug}/afsnit/{section.key}", data=data,
                                   status=HTTPStatus.CONFLICT, banner=message)
        if request.wants_json:
            return Response.json({"saved": True, "version": commission.version,
                                  "base": section_base(section, data.values, None, session.left_empty), "errors": data.errors,
                                  "banner": banner, "conflicts": conflicts,
                                  "labels": {n: label_for(section, n) for n in data.errors}})
        data.values = shown
        return self.saved(commission, section, action, data, banner, focus, conflicts)

    def saved(self, commission: Commission, section: Section, action: str, data: forms.SectionInput,
              banner: str, focus: str | None, conflicts: dict[str, str]) -> Response:
        """Where a button goes once the section is saved: the same page again (with its messages),
        or the section before or after, or the review."""
        sections = commission.questionnaire.sections
        index = sections.index(section)
        if data.errors or ":" in action or action == "gem" or banner or conflicts:
            conflict_note = (
                "Nogle svar er ændret et andet sted (i en anden fane eller i filen), mens du skrev. Dit eget står "
                "i feltet, og det, der står i filen nu, står under det; gem igen for at bruge dit eget."
            ) if conflicts else ""
            banner = " ".join(part for part in (banner, conflict_note) if part)
            status = HTTPStatus.UNPROCESSABLE_ENTITY if data.errors else (HTTPStatus.CONFLICT if conflicts else 200)
            return self.site.after(commission, section.key, f"/k/{commission.slug}/afsnit/{section.key}", data=data,
                                   status=status, banner=banner, focus=focus,
                                   saved=not data.errors and not conflicts, conflicts=conflicts)
        if action == "forrige" and index > 0:
            return Response.redirect(f"/k/{commission.slug}/afsnit/{sections[index - 1].key}")
        if action == "naeste" and index + 1 < len(sections):
            return Response.redirect(f"/k/{commission.slug}/afsnit/{sections[index + 1].key}")
        return Response.redirect(f"/k/{commission.slug}/gennemse")


def first_field(section: Section) -> str | None:
    """The form field of the section's first question (where "skip to the form" lands)."""
    first = section.questions[0] if section.questions else None
    if first is None:
        return None
    if first.type == "records":
        return forms.dom_id(f"{first.path}.0.{first.fields[0].key}")
    if first.type == "list":
        return forms.dom_id(f"{first.path}.0")
    if first.type == "bool":
        return forms.dom_id(first.path) + "-ja"
    return forms.dom_id(first.path)


def follow_kind(commission: Commission, section: Section, data: forms.SectionInput) -> str:
    """An answer that names another kind (a project group chosen in the ad-hoc kind) makes the
    draft that kind, as the terminal's interview does: one route, the kind's own wording."""
    session = commission.session
    if session.complete:
        return ""
    for question in section.questions:
        other = session.kind_named_by(question, session.values[section.key].get(question.key))
        if other:
            try:
                session.switch_kind(other)
            except KindError:
                continue  # a kind that is not there (any more): the draft stays as it is
            return (f"Kommissoriet skrives nu med typen {session.questionnaire.name} "
                    "(de samme spørgsmål, typens egen ordlyd i dokumentet).")
    return ""


def cross_check(commission: Commission, section: Section, previous: dict[str, Any], data: forms.SectionInput) -> None:
    """Checks between fields (a date before another) as the answer file gets them; a value
    they refuse keeps its *previous* answer (the file stays one that `drafter check` reads)."""
    session = commission.session
    values = session.values[section.key]
    for _ in range(3):
        mine = [p for p in session.problems(complete=False) if p.path[:1] == (section.key,)]
        if not mine:
            return
        for problem in mine:
            data.errors.setdefault(forms.path_name(problem.path), forms.sentence(problem.message))
            key = problem.path[1] if len(problem.path) > 1 else None
            if key in values:
                values[key] = previous.get(key)
    session.values[section.key] = dict(previous)  # the section as it was: nothing better can be saved
