"""The review page of `drafter serve`: what is missing, the rules' findings and their waivers,
the commission's own title, headings and order, and finishing it."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Callable

from drafter import api
from drafter.errors import DrafterError, InvalidValue
from drafter.web import form as forms
from drafter.session import is_left_empty
from drafter.web.commission import Commission, words
from drafter.web.sections import label_for
from drafter.web.server import Request, Response
from drafter.web.site import STALE, Site


class ReviewPage:
    def __init__(self, site: Site, render: Callable[[Commission], Response]):
        self.site = site
        self.render = render  # the document page's "make the Word document", where finishing ends

    def page(self, commission: Commission, status: int = 200, messages: list[str] | None = None) -> Response:
        session = commission.session
        problems = session.problems(complete=True)
        findings = [] if problems else api.check(session.data(complete=True))
        return self.site.page(
            "review.html", status=status, title=f"Gennemse – {commission.title}", commission=commission,
            sections=commission.questionnaire.sections, values=commission.values,
            problems=[(field_link(commission, p.path), field_label(commission, p.path).rstrip("?"),
                       plain_message(commission, p.message)) for p in problems],
            findings=[(field_link(commission, f.path), f) for f in findings],
            blocking=bool(problems) or any(f.is_error() for f in findings),
            waivers=session.waivers,
            messages=messages or [],
            layout=layout_rows(commission),
            left_empty={q.path for q in commission.questionnaire.questions if is_left_empty(session, q)},
        )

    def after(self, commission: Commission, status: int, messages: list[str]) -> Response:
        return self.site.after(commission, "gennemse", f"/k/{commission.slug}/gennemse", status=status,
                               messages=messages)

    def save(self, commission: Commission, fragment: str) -> Response:
        try:
            commission.save()
        except DrafterError as exc:
            return self.after(commission, HTTPStatus.CONFLICT, words(exc, self.site.workspace))
        return Response.redirect(f"/k/{commission.slug}/gennemse#{fragment}")

    def change_layout(self, commission: Commission, request: Request) -> Response:
        """The review's optional step: the commission's title, headings and order of sections."""
        if request.value("version") != commission.version:
            return self.after(commission, HTTPStatus.CONFLICT, [STALE])
        rows = (layout_rows(commission) or {}).get("sections", [])
        places = {}
        for key, _, _, place in rows:
            typed = request.value(f"plads-{key}").strip()
            places[key] = int(typed) if typed.isascii() and typed.isdigit() else place
        ordered = [key for key, *_ in sorted(rows, key=lambda row: (places[row[0]], row[3]))]
        kind_order = [s.key for s in commission.questionnaire.body_sections()]
        headings = {key: " ".join(request.value(f"overskrift-{key}").split()) for key, *_ in rows}
        commission.session.set_layout(request.value("titel"), {k: v for k, v in headings.items() if v},
                                      ordered if ordered != kind_order else [])
        problems = commission.session.layout_problems()
        if problems:
            return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY,
                              [f"{forms.path_name(p.path)}: {p.message}" for p in problems])
        return self.save(commission, "opsaetning")

    def change_waiver(self, commission: Commission, request: Request) -> Response:
        if request.value("version") != commission.version:
            return self.after(commission, HTTPStatus.CONFLICT, [STALE])
        rule = request.value("regel").strip()
        if request.value("handling") == "fjern":
            commission.session.unwaive(rule)
        else:
            try:
                commission.session.waive(rule, request.value("begrundelse"))
            except InvalidValue as exc:
                return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, [forms.sentence(str(exc)) + "."])
        return self.save(commission, "undtagelser")

    def finish(self, commission: Commission, request: Request) -> Response:
        if request.value("version") != commission.version:
            return self.after(commission, HTTPStatus.CONFLICT, [STALE])
        if commission.session.problems(complete=True):
            return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY,
                              ["Der mangler stadig svar; se listen herunder."])
        commission.session.complete = True
        try:
            commission.save()
        except DrafterError as exc:
            return self.after(commission, HTTPStatus.CONFLICT, words(exc, self.site.workspace))
        return self.render(commission)


def layout_rows(commission: Commission) -> dict | None:
    """The commission's own title, headings and order, for the review's optional step."""
    if not commission.questionnaire.uses_body:
        return None
    layout = commission.session.layout()
    sections = commission.questionnaire.body_sections(layout.orden)
    return {"titel": layout.titel or "", "kind_title": layout.kind_title(commission.session.values),
            "given": bool(layout.titel or layout.overskrifter or layout.orden), "sections": [
        (s.key, s.title, layout.overskrifter.get(s.key, ""), place) for place, s in enumerate(sections, 1)
    ]}


# "(formaal.tekst, formaal.punkter eller opgaver.opgaver)": the answers' paths after a
# message, for the command line; the page links to the field and names it already.
_PATHS_IN_BRACKETS = re.compile(r" \((?:[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_.\[\]]*(?:, | eller | og |))+\)")


def plain_message(commission: Commission, message: str) -> str:
    """A problem's message as the page says it: no answer paths, a question by its words."""
    message = _PATHS_IN_BRACKETS.sub("", message)
    for question in commission.questionnaire.questions:  # "tidsplan.start" -> its question
        message = re.sub(rf"\b{re.escape(question.path)}\b", f'svaret på "{question.prompt}"', message)
    return message


def field_label(commission: Commission, path: tuple) -> str:
    section = commission.questionnaire.section(str(path[0])) if path else None
    return label_for(section, forms.path_name(path)) if section is not None else forms.path_name(path)


def field_link(commission: Commission, path: tuple) -> str:
    if not path or commission.questionnaire.section(str(path[0])) is None:
        return "#undtagelser"
    return f"/k/{commission.slug}/afsnit/{path[0]}#{forms.dom_id(forms.path_name(path))}"
