"""The pages of `drafter serve`: commissions, a new one, its sections, review, document.

This module only routes: an address goes to the page class that owns it (listing.py,
sections.py, review.py, document.py), each of which builds its page (GET) and handles its
buttons (POST). What they share is in site.py (templates, POST–redirect–GET) and
commission.py (the answer file, read and saved). Answers are saved as a draft after every
change; a page carries the hash of the file it was made from, so a file changed meanwhile
(by hand, in another tab) is never overwritten by an older form.
"""

from __future__ import annotations

import datetime as _dt
from http import HTTPStatus

from drafter.web.commission import Workspace, not_found, open_commission
from drafter.web.document import DocumentPage
from drafter.web.listing import Listing
from drafter.web.review import ReviewPage
from drafter.web.sections import SectionPages
from drafter.web.server import Request, Response
from drafter.web.site import Site


class WebApp:
    def __init__(self, workspace: Workspace, csrf: str, today: _dt.date | None = None):
        self.workspace = workspace
        self.site = Site(workspace, csrf)
        self.listing = Listing(self.site)
        self.sections = SectionPages(self.site, today)
        self.document = DocumentPage(self.site)
        self.review = ReviewPage(self.site, self.document.render)
        self.jobs = self.document.jobs  # stopped by drafter/web/run.py on shutdown

    def error_page(self, status: int, message: str) -> Response:
        return self.site.error_page(status, message)

    def __call__(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        get = request.method == "GET"
        if not parts:
            if get:
                return self.listing.index(request)
        elif parts == ["favicon.ico"]:
            return Response(HTTPStatus.NO_CONTENT)
        elif parts[0] == "static" and len(parts) == 2 and get:
            return self.site.static_file(parts[1])
        elif parts == ["ny"]:
            return self.listing.new_page(**self.site.flashed(request, "ny")) if get else self.listing.create(request)
        elif parts[0] == "k" and parts[2:] == ["gendan"] and not get:  # a recovery file is no commission to open
            return self.listing.restore(parts[1])
        elif parts[0] == "k" and len(parts) >= 2:
            return self.commission_route(request, parts[1], parts[2:])
        raise not_found()

    def commission_route(self, request: Request, slug: str, rest: list[str]) -> Response:
        """/k/<slug>/...: one commission's pages and buttons."""
        commission = open_commission(self.workspace, slug)
        get = request.method == "GET"
        flashed = self.site.flashed
        if not rest and get:
            return Response.redirect(self.sections.resume_url(commission))
        if len(rest) == 2 and rest[0] == "afsnit":
            section = commission.questionnaire.section(rest[1])
            if section is None:
                raise not_found()
            if get:
                return self.sections.page(commission, section, **flashed(request, commission, section.key))
            return self.sections.save(commission, section, request)
        if rest == ["gennemse"] and get:
            return self.review.page(commission, **flashed(request, commission, "gennemse"))
        if rest == ["undtagelse"] and not get:
            return self.review.change_waiver(commission, request)
        if rest == ["opsaetning"] and not get:
            return self.review.change_layout(commission, request)
        if rest == ["faerdig"] and not get:
            return self.review.finish(commission, request)
        if rest == ["dokument"]:
            if get:
                return self.document.page(commission, **flashed(request, commission, "dokument"))
            return self.document.action(commission, request)
        if rest == ["dokument", "tilstand"] and get:
            return self.document.job_state(commission)
        if len(rest) == 2 and rest[0] == "hent" and get:
            return self.document.download(commission, rest[1])
        raise not_found()
