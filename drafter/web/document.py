"""The document page of `drafter serve`: the Word document made, remade or overwritten, the
chair's edits taken back into the answers, the PDF and preview made as a job, downloads."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from drafter import api
from drafter.errors import DrafterError
from drafter.web.commission import Commission, bounded_bytes, browser_words, not_found, open_commission, words
from drafter.web.jobs import RUNNING, Job, Jobs
from drafter.web.server import Request, Response
from drafter.web.site import Site

DOWNLOADS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "png": "image/png",
}


class DocumentPage:
    def __init__(self, site: Site):
        self.site = site
        self.workspace = site.workspace
        self.jobs = Jobs()

    def after(self, commission: Commission, status: int = 200, problems: list[str] | None = None,
              messages: list[str] | None = None) -> Response:
        return self.site.after(commission, "dokument", f"/k/{commission.slug}/dokument", status=status,
                               problems=problems or [], messages=messages or [])

    def page(self, commission: Commission, status: int = 200, problems: list[str] | None = None,
             messages: list[str] | None = None) -> Response:
        files = {s: self.workspace.output_path(commission.slug, s) for s in DOWNLOADS}
        present = {s: p.is_file() and not p.is_symlink() for s, p in files.items()}
        docx_time = files["docx"].stat().st_mtime if present["docx"] else 0
        current = {s: present[s] and files[s].stat().st_mtime >= docx_time for s in ("pdf", "png")}
        state = self.document_state(commission) if present["docx"] else "missing"
        job = self.jobs.get(commission.slug)
        problems = list(problems or [])
        messages = list(messages or [])
        if job is not None and job.state != RUNNING and not job.seen:
            job.seen = True
            problems += job.problems
            messages += job.messages
        edits = self.word_edits(commission) if state == "edited" and commission.complete else None
        has_soffice, has_pdftoppm = api.pdf_programs()
        return self.site.page(
            "document.html", status=status, title=f"Dokument – {commission.title}", commission=commission,
            present=present, current=current, problems=problems, messages=messages,
            has_soffice=has_soffice, has_pdftoppm=has_pdftoppm,
            docx_name=files["docx"].name, state=state, edits=edits,
            working=job is not None and job.state == RUNNING,
        )

    def job_state(self, commission: Commission) -> Response:
        job = self.jobs.get(commission.slug)
        return Response.json(job.as_json() if job is not None else {"state": "none"})

    def document_state(self, commission: Commission) -> str:
        """The Word document's state as `drafter status` tells it: missing, current, outdated,
        edited (in Word), foreign (not drafter's) or unknown (an older drafter's)."""
        docx = self.workspace.output_path(commission.slug, "docx")
        if docx.is_symlink():
            return "foreign"
        if not docx.is_file():  # nothing there, or a FIFO or device (never opened)
            return "foreign" if docx.exists() else "missing"
        return api.status_of([commission.path], self.workspace.out_dir)[0]["document_state"]

    def word_edits(self, commission: Commission) -> dict | None:
        """The chair's edits in the Word document, as `drafter import` lists them: the changed
        answers, and what belongs to no answer (a comment, a paragraph of their own), which
        the next document leaves out; None if unreadable."""
        try:
            edits = api.read_chair_edits(self.workspace.output_path(commission.slug, "docx"), commission.path)
        except (DrafterError, OSError, ValueError):  # ValueError: also a file drafter will not read (UnsafeFile)
            return None
        result = edits.result
        rows = [(api.label(c.question), api.full_text(c.question, c.old), api.full_text(c.question, c.new))
                for c in result.changes]
        rows += [(api.label(c.question), api.full_text(c.question, c.mine),
                  api.full_text(c.question, c.theirs) + " (ændret begge steder)") for c in result.conflicts]
        return {"changes": rows, "unplaced": unplaced_lines(result)}

    def action(self, commission: Commission, request: Request) -> Response:
        action = request.value("handling")
        if action == "word":
            return self.render(commission)
        if action == "overskriv":
            if request.value("bekraeft") != "ja":
                return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, [
                    "Sæt kryds ved, at rettelserne i Word-dokumentet må overskrives, og prøv igen."])
            return self.render(commission, force=True)
        if action == "importer":
            return self.import_edits(commission)
        if action == "pdf":
            return self.make_pdf(commission)
        return self.after(commission)

    def render(self, commission: Commission, force: bool = False) -> Response:
        """The Word document of the saved answers, made through the session as `drafter render` makes it."""
        try:
            finished = commission.session.render(force=force)
        except DrafterError as exc:
            return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, words(exc, self.workspace))
        unchanged = finished.rendered.status == api.UNCHANGED
        note = "Word-dokumentet var allerede opdateret." if unchanged else "Word-dokumentet er lavet."
        return self.after(commission, messages=[note])

    def import_edits(self, commission: Commission) -> Response:
        docx = self.workspace.output_path(commission.slug, "docx")
        try:
            edits = api.read_chair_edits(docx, commission.path)
            result = edits.result
            if result.conflicts or not result.has_base:
                # The terminal asks answer by answer; a button cannot: nothing is guessed.
                return self.after(commission, HTTPStatus.CONFLICT, [
                    "Nogle svar er ændret både i Word-dokumentet og i svarene, siden dokumentet blev lavet (eller "
                    "dokumentet er lavet af en ældre drafter). Ret svarene selv i formularen ud fra listen herunder; "
                    "intet er skrevet."])
            if not result.changes:
                return self.after(commission, messages=["Der er ingen ændrede svar i Word-dokumentet."] + (
                    ["Det i Word-dokumentet, der ikke hører til et svar, står på listen herunder."]
                    if result.unplaced else []))
            imported = api.save_chair_edits(edits, [(c.path, c.new) for c in result.changes], self.workspace.out_dir)
        except DrafterError as exc:
            return self.after(commission, HTTPStatus.UNPROCESSABLE_ENTITY, words(exc, self.workspace))
        messages = [f"{len(result.changes)} svar fra Word-dokumentet er skrevet i svarfilen, og dokumentet er lavet igen."]
        if imported.backup is not None:
            messages.append(f"Det rettede Word-dokument er gemt som en kopi: {Path(imported.backup).name}.")
        if result.unplaced:  # not in the new document: said here, with where it stands in the copy
            kept = f"; det står i kopien {Path(imported.backup).name}" if imported.backup is not None else ""
            messages.append("Dette i Word-dokumentet hører ikke til et svar og er ikke taget med" + kept + ": "
                            + " · ".join(unplaced_lines(result)))
        return self.after(open_commission(self.workspace, commission.slug), messages=messages)

    def make_pdf(self, commission: Commission) -> Response:
        """Start the PDF and preview as a job (drafter/web/jobs.py) and show the page at once."""
        output = self.workspace.output_path(commission.slug, "docx")
        if not output.is_file():
            return self.after(commission, HTTPStatus.CONFLICT, ["Lav Word-dokumentet først."])
        path = commission.path
        workspace = self.workspace

        def work(job: Job) -> tuple[list[str], list[str]]:
            found = api.pdf_for(path, output, preview=True, progress=job.progress)
            job.progress(1, 1)
            problems = [browser_words(p, workspace) for p in found]
            return ([] if problems else ["PDF og forhåndsvisning er lavet."]), problems

        self.jobs.start(commission.slug, work)
        return Response.redirect(f"/k/{commission.slug}/dokument")

    def download(self, commission: Commission, name: str) -> Response:
        stem, _, suffix = name.rpartition(".")
        if stem != commission.slug or suffix not in DOWNLOADS:
            raise not_found()
        path = self.workspace.output_path(commission.slug, suffix)
        if path.is_symlink() or not path.is_file() or path.resolve().parent != self.workspace.out_dir.resolve():
            raise not_found()
        disposition = "inline" if suffix == "png" else f'attachment; filename="{path.name}"'
        body = bounded_bytes(path)
        if body is None:
            raise not_found()
        return Response(200, body, DOWNLOADS[suffix], {"Content-Disposition": disposition})


def unplaced_lines(result) -> list[str]:
    """What of the chair's document belongs to no answer, as `drafter import` lists it."""
    return [f"{item.what}, {item.where}: {item.text}" for item in result.unplaced]
