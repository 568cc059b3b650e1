"""The review page of `drafter serve`: what is missing, the rules' findings and their waivers,
the commission's own title, headings and order, and finishing it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Callable

from drafter import api
from drafter.body import Layout
from drafter.errors import DrafterError
from drafter.rules import MIN_REASON_WORDS, RULES_BY_ID
from drafter.validate import layout_problems
from drafter.web import form as forms
from drafter.web.commission import Commission, open_commission, words
from drafter.web.sections import label_for, problems_of
from drafter.web.server import Request, Response
from drafter.web.site import STALE, Site
from drafter.yamlread import LAYOUT_KEYS

WAIVER_KEY = "undtagelser"


class ReviewPage:
    def __init__(self, site: Site, render: Callable[[Commission], Response]):
        self.site = site
        self.render = render  # the document page's "make the Word document", where finishing ends

    def page(self, commission: Commission, status: int = 200, messages: list[str] | None = None) -> Response:
        values = commission.values
        problems = problems_of(commission, values, complete=True)
        findings = [] if problems else api.check({**commission.raw.data, "complete": True})
        return self.site.page(
            "review.html", status=status, title=f"Gennemse – {commission.title}", commission=commission,
            sections=commission.questionnaire.sections, values=values,
            problems=[(field_link(commission, p.path), field_label(commission, p.path), p.message)
                      for p in problems],
            findings=[(field_link(commission, f.path), f) for f in findings],
            blocking=bool(problems) or any(f.is_error() for f in findings),
            waivers=[w for w in (commission.raw.data.get(WAIVER_KEY) or []) if isinstance(w, dict)],
            messages=messages or [],
            layout=layout_rows(commission),
        )

    def after(self, commission: Commission, status: int, messages: list[str]) -> Response:
        return self.site.after(commission, "gennemse", f"/k/{commission.slug}/gennemse", status=status,
                               messages=messages)

    def save_meta(self, commission: Commission, meta: dict, fragment: str) -> Response:
        try:
            commission.save(commission.values, commission.complete, meta)
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
        given = {
            "titel": " ".join(request.value("titel").split()),
            "overskrifter": {k: v for k, v in headings.items() if v},
            "orden": ordered if ordered != kind_order else [],
        }
        meta = {k: v for k, v in commission.meta().items() if k not in LAYOUT_KEYS}
        meta.update({k: v for k, v in given.items() if v})
        problems = layout_problems(meta, commission.questionnaire)
        if problems:
            return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY,
                              [f"{forms.path_name(p.path)}: {p.message}" for p in problems])
        return self.save_meta(commission, meta, "opsaetning")

    def change_waiver(self, commission: Commission, request: Request) -> Response:
        if request.value("version") != commission.version:
            return self.after(commission, HTTPStatus.CONFLICT, [STALE])
        waivers = [w for w in (commission.raw.data.get(WAIVER_KEY) or []) if isinstance(w, dict)]
        rule_id = request.value("regel").strip()
        if request.value("handling") == "fjern":
            waivers = [w for w in waivers if w.get("regel") != rule_id]
        else:
            reason = " ".join(request.value("begrundelse").split())
            if rule_id not in RULES_BY_ID:
                return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, ["Ukendt regel."])
            if len(reason.split()) < MIN_REASON_WORDS:
                return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, [
                    f"En regel kan kun undtages med en skrevet begrundelse på mindst {MIN_REASON_WORDS} ord."])
            waivers = [w for w in waivers if w.get("regel") != rule_id] + [{"regel": rule_id, "begrundelse": reason}]
        return self.save_meta(commission, {**commission.meta(), WAIVER_KEY: waivers}, "undtagelser")

    def finish(self, commission: Commission, request: Request) -> Response:
        if request.value("version") != commission.version:
            return self.after(commission, HTTPStatus.CONFLICT, [STALE])
        values = commission.values
        if problems_of(commission, values, complete=True):
            return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY,
                              ["Der mangler stadig svar; se listen herunder."])
        try:
            commission.save(values, complete=True)
        except DrafterError as exc:
            return self.after(commission, HTTPStatus.CONFLICT, words(exc, self.site.workspace))
        return self.render(open_commission(self.site.workspace, commission.slug))


def layout_rows(commission: Commission) -> dict | None:
    """The commission's own title, headings and order, for the review's optional step."""
    if not commission.questionnaire.uses_body:
        return None
    layout = Layout(commission.questionnaire, commission.raw.data)
    sections = commission.questionnaire.body_sections(layout.orden)
    return {"titel": layout.titel or "", "given": bool(layout.titel or layout.overskrifter or layout.orden), "sections": [
        (s.key, s.title, layout.overskrifter.get(s.key, ""), place) for place, s in enumerate(sections, 1)
    ]}


def field_label(commission: Commission, path: tuple) -> str:
    section = commission.questionnaire.section(str(path[0])) if path else None
    return label_for(section, forms.path_name(path)) if section is not None else forms.path_name(path)


def field_link(commission: Commission, path: tuple) -> str:
    if not path or commission.questionnaire.section(str(path[0])) is None:
        return "#undtagelser"
    return f"/k/{commission.slug}/afsnit/{path[0]}#{forms.dom_id(forms.path_name(path))}"
