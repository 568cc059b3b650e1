"""`drafter serve` over HTTP: token, host, CSRF, paths, limits, saving, review, render.

The server runs in a thread of the test process (one per module); the browser tests in
test_web_browser.py drive the same pages in Chromium.
"""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, ended, has_soffice, run_cli
from web_support import LiveServer

ADHOC = "udskrivelse-af-skroebelige-aeldre"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("ws"))
    yield server
    server.stop()


def answer_file(live: LiveServer, slug: str) -> Path:
    return live.root / "answers" / f"{slug}.yaml"


def new_commission(live: LiveServer, name: str, kind: str = "adhoc") -> str:
    reply = live.post("/ny", {"kind": kind, "navn": name})
    assert reply.status == 303, reply.text
    slug = reply.headers["location"].split("/")[2]
    return slug


# -- the token -----------------------------------------------------------------------------

def test_every_request_needs_the_token(live):
    for path in ("/", "/ny", f"/k/{ADHOC}/afsnit/gruppe", "/static/style.css", f"/k/{ADHOC}/hent/{ADHOC}.docx"):
        reply = live.get(path, token=False)
        assert reply.status == 403, path
        assert "nøglen" in reply.text and 'lang="da"' in reply.text
    wrong = live.get("/?token=" + "x" * 43, token=False)
    assert wrong.status == 403
    cookie = live.get("/", token=False, headers={"Cookie": f"{live.guard.cookie}=wrong"})
    assert cookie.status == 403
    # A refusal shows no CSRF token (nor anything else of the server's secrets).
    for reply in (wrong, cookie, live.get("/", headers={"Host": f"evil.example:{live.port}"})):
        assert live.csrf not in reply.text and live.token not in reply.text


def test_the_token_in_the_url_becomes_an_httponly_cookie(live):
    reply = live.get(f"/ny?token={live.token}", token=False)
    assert reply.status == 200
    assert '<meta http-equiv="refresh" content="0;url=/ny">' in reply.text  # the address loses the token
    cookie = reply.headers["set-cookie"]
    assert f"{live.guard.cookie}={live.token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert live.get("/ny").status == 200


def test_a_foreign_host_name_is_refused(live):
    # A DNS-rebinding page reaches 127.0.0.1 under its own name.
    reply = live.get("/", headers={"Host": f"evil.example:{live.port}"})
    assert reply.status == 403


def test_pages_forbid_framing_and_foreign_scripts(live):
    reply = live.get("/")
    policy = reply.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["cache-control"] == "no-store"


# -- cross-site requests ----------------------------------------------------------------

def test_posts_without_the_csrf_field_or_from_elsewhere_are_refused(live):
    slug = new_commission(live, "Gruppe om krydssideforespørgsler")
    path = answer_file(live, slug)
    before = path.read_bytes()
    url = f"/k/{slug}/afsnit/gruppe"
    version = live.version(url)
    form = {"version": version, "gruppe.navn": "Overtaget", "action": "gem"}
    attempts = [
        live.post(url, form, csrf=False),
        live.post(url, {**form, "csrf": "0" * 64}, csrf=False),
        live.post(url, form, headers={"Origin": "http://evil.example"}),
        live.post(url, form, headers={"Origin": f"http://127.0.0.1:{live.port + 1}"}),
        live.post(url, form, headers={"Sec-Fetch-Site": "cross-site"}),
        live.post(url, form, headers={"Sec-Fetch-Site": "same-site"}),
    ]
    assert [a.status for a in attempts] == [403] * len(attempts)
    assert path.read_bytes() == before
    ok = live.post(url, form, headers={"Origin": live.base, "Sec-Fetch-Site": "same-origin"})
    assert ok.status == 303
    assert "navn: Overtaget" in path.read_text(encoding="utf-8")


def test_request_bodies_are_bounded_and_must_be_forms(live):
    big = live.request("POST", "/ny", body=b"x", headers={"Content-Length": str(10**9),
                                                             "Content-Type": "application/x-www-form-urlencoded"})
    assert big.status == 413
    json_body = live.request("POST", "/ny", body=b"{}", headers={"Content-Type": "application/json"})
    assert json_body.status == 415


# -- paths ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/k/..%2F..%2Fetc%2Fpasswd",
    "/k/%2e%2e/afsnit/gruppe",
    "/k/../../etc/passwd",
    "/k/UDSKRIVELSE/afsnit/gruppe",
    "/k/findes-ikke",
    "/static/..%2Fapp.py",
    "/static/app.py",
    f"/k/{ADHOC}/hent/..%2F..%2Fanswers%2F{ADHOC}.yaml",
    f"/k/{ADHOC}/hent/{ADHOC}.yaml",
    f"/k/{ADHOC}/hent/andet-navn.docx",
    f"/k/{ADHOC}/afsnit/..",
    "/k/%ff%fe",
])
def test_no_path_from_a_request_leaves_the_workspace(live, path):
    reply = live.get(path)
    assert reply.status == 404, (path, reply.status)
    assert "findes ikke" in reply.text


def test_a_linked_answer_file_is_not_opened(live, tmp_path):
    outside = tmp_path / "hemmelig.yaml"
    outside.write_text((REPO / "answers" / f"{ADHOC}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    link = answer_file(live, "link-ud")
    link.symlink_to(outside)
    try:
        assert live.get("/k/link-ud/afsnit/gruppe").status == 404
        assert 'href="/k/link-ud"' not in live.get("/").text
    finally:
        link.unlink()


# -- the list, a new commission, a section -----------------------------------------------

def test_the_list_shows_each_commission_with_its_state(live):
    draft = new_commission(live, "Gruppe i kladde")
    page = live.get("/").text
    assert f'href="/k/{ADHOC}"' in page and f'href="/k/{draft}"' in page
    assert "kladde" in page and "færdig" in page and "intet dokument" in page


def test_a_new_commission_is_a_draft_named_after_the_group(live):
    page = live.get("/ny").text
    assert "Ad-hoc gruppe eller projektgruppe" in page and 'name="kind"' in page
    slug = new_commission(live, "Ad-hoc gruppe om søvn & hvile")
    assert slug == "ad-hoc-gruppe-om-soevn-hvile"
    text = answer_file(live, slug).read_text(encoding="utf-8")
    assert "complete: false" in text and "navn: Ad-hoc gruppe om søvn & hvile" in text
    again = new_commission(live, "Ad-hoc gruppe om søvn & hvile")
    assert again == slug + "-2"  # never an existing file
    missing = live.submit("/ny", {"kind": "adhoc", "navn": "  "})
    assert missing.status == 422 and "Skriv gruppens navn" in missing.text
    unknown = live.submit("/ny", {"kind": "../../x", "navn": "Navn"})
    assert unknown.status == 422


def test_an_invalid_value_is_shown_at_its_field_and_not_saved(live):
    slug = new_commission(live, "Gruppe om datoer")
    url = f"/k/{slug}/afsnit/tidsplan"
    version = live.version(url)
    reply = live.submit(url, {"version": version, "tidsplan.start": "32. marts 2027", "tidsplan.slut": "17. december 2027",
                              "action": "naeste"})
    assert reply.status == 422
    page = reply.text
    assert 'value="32. marts 2027"' in page  # what was typed stays
    assert re.search(r'id="f-tidsplan-start-error"[^>]*>[^<]*ikke en gyldig dato', page)
    assert 'aria-invalid="true"' in page and 'href="#f-tidsplan-start"' in page
    saved = answer_file(live, slug).read_text(encoding="utf-8")
    assert "slut: 2027-12-17" in saved and "start:" not in saved
    # A date before another is the answer file's cross-check, shown at the field.
    version = live.version(url)
    reply = live.submit(url, {"version": version, "tidsplan.start": "2028-01-04", "tidsplan.slut": "2027-12-17",
                              "action": "gem"})
    assert reply.status == 422 and "ligger før" in reply.text
    assert "start:" not in answer_file(live, slug).read_text(encoding="utf-8")
    reply = live.post(url, {"version": version, "tidsplan.start": "4.1.2027", "tidsplan.slut": "17. dec. 2027",
                            "action": "naeste"})
    assert reply.status == 303 and reply.headers["location"].endswith("/afsnit/kommunikation")
    saved = answer_file(live, slug).read_text(encoding="utf-8")
    assert "start: 2027-01-04" in saved and "slut: 2027-12-17" in saved


def test_autosave_answers_json_and_keeps_the_draft_valid(live):
    slug = new_commission(live, "Gruppe om autosave")
    url = f"/k/{slug}/afsnit/formaal"
    _, version, base = live.page_state(url)
    reply = live.post(url, {"version": version, "formaal.tekst": "Første afsnit.\r\n\r\nAndet afsnit.", "action": "autosave"},
                      headers={"Accept": "application/json"})
    assert reply.status == 200
    data = __import__("json").loads(reply.text)
    assert data["saved"] and data["errors"] == {} and data["version"] != version
    assert run_cli("check", str(answer_file(live, slug))).returncode in (0, 1)
    text = answer_file(live, slug).read_text(encoding="utf-8")
    assert "Første afsnit.\n\n    Andet afsnit." in text
    # A page made before that save, which changed the same answer: a true conflict. The file
    # keeps its answer; the reply says what the file holds, to show beside the typed text.
    stale = live.post(url, {"version": version, "base": base, "formaal.tekst": "Gammel fane", "action": "autosave"},
                      headers={"Accept": "application/json"})
    conflict = __import__("json").loads(stale.text)
    assert stale.status == 200 and "formaal.tekst" in conflict["conflicts"]
    assert "Første afsnit." in conflict["conflicts"]["formaal.tekst"]
    assert "Gammel fane" not in answer_file(live, slug).read_text(encoding="utf-8")
    # Sent again with the base the reply gave (the person keeps their own text): it is saved.
    again = live.post(url, {"version": conflict["version"], "base": conflict["base"], "formaal.tekst": "Gammel fane",
                            "action": "autosave"}, headers={"Accept": "application/json"})
    assert __import__("json").loads(again.text)["saved"]
    assert "Gammel fane" in answer_file(live, slug).read_text(encoding="utf-8")


def test_a_save_sent_beside_its_pages_own_save_under_way_counts_that_one_as_its_own(live):
    # A page leaves while its save of a table row is under way: app.js sends the rest beside
    # it, with that save's form as 'forrige'. Handled after it, the rest is no conflict with
    # it; without 'forrige' (another tab's stale page) the same is one, as before.
    from urllib.parse import urlencode

    slug = new_commission(live, "Gruppe med to gemninger")
    url = f"/k/{slug}/afsnit/kommunikation"
    _, version, base = live.page_state(url)
    row = {"kommunikation.plan.0.afsender": "Formandskabet", "kommunikation.plan.0.modtager": "",
           "kommunikation.plan.0.indhold": "", "kommunikation.plan.0.tidspunkt": ""}
    first = {"version": version, "base": base, **row, "action": "autosave"}
    rest = {**first, "kommunikation.plan.0.modtager": "Ledere i hjemmeplejen"}

    def autosave(form):
        return __import__("json").loads(live.post(url, form, headers={"Accept": "application/json"}).text)

    assert autosave(first)["conflicts"] == {}
    stale = autosave({**rest, "kommunikation.plan.0.indhold": "Fra en anden fane"})
    assert stale["conflicts"] and "Fra en anden fane" not in answer_file(live, slug).read_text(encoding="utf-8")
    own = autosave({**rest, "forrige": urlencode({"csrf": live.csrf, **first})})
    assert own["saved"] and own["conflicts"] == {}
    assert "modtager: Ledere i hjemmeplejen" in answer_file(live, slug).read_text(encoding="utf-8")


def test_a_suggestion_another_save_stored_is_no_conflict_but_a_changed_answer_is(live):
    # Two tabs show the document section with its suggestions (version "1.0", the author from
    # the profile). One saves them as shown; the other then changes the version: the file's
    # value is the one its page showed, so this is no conflict. A third page from before both
    # saves, changing the version again, is one: the file's "2.0" is not what it showed.
    slug = new_commission(live, "Gruppe med forslag")
    url = f"/k/{slug}/afsnit/dokument"
    page, version, base = live.page_state(url)
    shown = {name: re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page).group(1)
             for name in ("dokument.dato", "dokument.version", "dokument.forfatter")}
    assert shown["dokument.version"] == "1.0" and shown["dokument.forfatter"]
    assert "dokument:" not in answer_file(live, slug).read_text(encoding="utf-8")

    def autosave(**changed):
        reply = live.post(url, {"version": version, "base": base, **shown, **changed, "action": "autosave"},
                          headers={"Accept": "application/json"})
        return __import__("json").loads(reply.text)

    assert autosave()["conflicts"] == {}
    assert "version: '1.0'" in answer_file(live, slug).read_text(encoding="utf-8")
    assert autosave(**{"dokument.version": "2.0"})["conflicts"] == {}
    assert "version: '2.0'" in answer_file(live, slug).read_text(encoding="utf-8")
    assert autosave(**{"dokument.version": "3.0"})["conflicts"] == {"dokument.version": "2.0"}
    assert "version: '2.0'" in answer_file(live, slug).read_text(encoding="utf-8")


def test_a_failed_save_says_where_the_answers_are_and_the_command_and_the_list_puts_them_back(live, monkeypatch):
    slug = new_commission(live, "Gruppe på en fuld disk")
    url = f"/k/{slug}/afsnit/formaal"

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    reply = live.post(url, {"version": live.version(url), "formaal.tekst": "Skrevet, da disken var fuld.",
                            "action": "autosave"}, headers={"Accept": "application/json"})
    data = __import__("json").loads(reply.text)
    recovery = f"answers/{slug}-gendannet.yaml"
    assert data["saved"] is False and "der er ikke mere plads på disken" in data["message"]
    assert f"Alle svarene er gemt i {recovery}." in data["message"] and str(live.root) not in data["message"]
    assert data["command"] == f"drafter restore {recovery}"
    page = live.submit(url, {"version": live.version(url), "formaal.tekst": "Skrevet, da disken var fuld.",
                             "action": "gem"}).text
    assert f'<code>drafter restore {recovery}</code>' in page and "Kopiér kommandoen" in page
    monkeypatch.undo()
    # The list shows it as a recovery file with what to do, not as a commission to open.
    listing = live.get("/").text
    row = listing[listing.index(f"{slug}-gendannet.yaml") - 600:listing.index(f"{slug}-gendannet.yaml") + 900]
    assert "gendannelsesfil" in row and f"<code>drafter restore {recovery}</code>" in row
    assert f'href="/k/{slug}-gendannet"' not in listing and f'action="/k/{slug}-gendannet/gendan"' in row
    assert live.get(f"/k/{slug}-gendannet/afsnit/formaal").status == 409  # not a commission to answer on
    back = live.submit(f"/k/{slug}-gendannet/gendan", {}).text
    assert f"lagt tilbage i {slug}.yaml" in back
    assert "Skrevet, da disken var fuld." in answer_file(live, slug).read_text(encoding="utf-8")
    assert not (live.root / recovery).exists()


def test_a_file_edited_by_hand_meanwhile_is_not_overwritten(live):
    slug = new_commission(live, "Gruppe om håndredigering")
    url = f"/k/{slug}/afsnit/gruppe"
    version = live.version(url)
    path = answer_file(live, slug)
    path.write_text(path.read_text(encoding="utf-8").replace("Gruppe om håndredigering", "Rettet i editoren"),
                    encoding="utf-8")
    reply = live.submit(url, {"version": version, "gruppe.navn": "Fra formularen", "action": "gem"})
    assert reply.status == 409
    assert "ændret et andet sted" in reply.text and 'value="Fra formularen"' in reply.text
    assert "Rettet i editoren" in reply.text  # the file's answer, shown beside the typed one
    assert "Rettet i editoren" in path.read_text(encoding="utf-8")


def test_tables_add_remove_and_reorder_rows(live):
    slug = new_commission(live, "Gruppe om tabeller")
    url = f"/k/{slug}/afsnit/formandskab"
    version = live.version(url)
    base = {"version": version,
            "formandskab.medlemmer.0.navn": "Anna", "formandskab.medlemmer.0.titel": "Sygeplejerske",
            "formandskab.medlemmer.0.organisation": "__andet__", "formandskab.medlemmer.0.organisation~andet": "Egen org",
            "formandskab.medlemmer.1.navn": "Bo", "formandskab.medlemmer.1.titel": "Læge",
            "formandskab.medlemmer.1.organisation": ""}
    reply = live.submit(url, {**base, "action": "tilfoej:formandskab.medlemmer"})
    assert reply.status == 200
    assert 'id="f-formandskab-medlemmer-2-navn"' in reply.text
    assert re.search(r'id="f-formandskab-medlemmer-2-navn"[^>]*autofocus', reply.text)
    version = live.version(url)
    reply = live.submit(url, {**base, "version": version, "action": "op:formandskab.medlemmer:1"})
    assert reply.status == 200
    # The moved row keeps the focus: its "Op" is disabled at the top, so its "Ned" has it.
    assert re.search(r'id="f-formandskab-medlemmer-0-ned"[^>]*autofocus', reply.text)
    text = answer_file(live, slug).read_text(encoding="utf-8")
    assert text.index("navn: Bo") < text.index("navn: Anna") and "organisation: Egen org" in text
    version = live.version(url)
    form = {"version": version, "formandskab.medlemmer.0.navn": "Bo", "formandskab.medlemmer.1.navn": "Anna",
            "action": "fjern:formandskab.medlemmer:0"}
    live.post(url, form)
    text = answer_file(live, slug).read_text(encoding="utf-8")
    assert "navn: Bo" not in text and "navn: Anna" in text


def test_values_are_html_escaped_everywhere(live):
    slug = new_commission(live, '<script>alert(1)</script>"><img src=x onerror=alert(2)>')
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    for page in (f"/k/{slug}/afsnit/gruppe", f"/k/{slug}/gennemse", "/"):
        text = live.get(page).text
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in text, page
    assert evil in answer_file(live, slug).read_text(encoding="utf-8")


# -- review, waivers and the document ----------------------------------------------------

def test_both_reviews_name_answers_and_record_fields_by_their_labels(live):
    # The terminal's review said "Hvem er formand:" and summed up a record as "Hvilken gruppe: …
    # · Hvad deles eller koordineres med den gruppe: …"; both reviews now name answers by the
    # kind's labels (Question.short_name), the prompt only where there is none (in-process).
    from drafter.interview_lists import describe
    from drafter.questionnaire import load_questionnaire
    from drafter.yamlread import read_answer_file

    adhoc = load_questionnaire("adhoc")
    answers = read_answer_file(answer_file(live, ADHOC)).data
    chairs, links = adhoc.question("formandskab.formaend"), adhoc.question("opgaver.snitflader")
    terminal = describe(chairs, answers["formandskab"]["formaend"]) + describe(links, answers["opgaver"]["snitflader"])
    assert terminal[0] == "  Formandskab:"
    assert "    1. Gruppe: Voksentemagruppen for psykiatri · Hvad deles: Erfaringer med" in "\n".join(terminal)
    assert not any("Hvem er formand" in line or "Hvilken gruppe" in line for line in terminal)
    page = html.unescape(live.get(f"/k/{ADHOC}/gennemse").text)
    assert "<dt>Formandskab</dt>" in page and "<dt>Hvem er formand?</dt>" not in page
    assert '<th scope="col">Gruppe</th><th scope="col">Hvad deles</th>' in page
    background = load_questionnaire("arbejdsgruppe").question("baggrund.tekst")  # no label: the prompt, shortened
    assert describe(background, "x") == ["  Hvad er baggrunden for gruppen: x"]


def test_review_lists_what_is_missing_with_links_to_the_fields(live):
    slug = new_commission(live, "Gruppe der mangler svar")
    page = live.get(f"/k/{slug}/gennemse").text
    assert f'href="/k/{slug}/afsnit/formaal#f-formaal-tekst"' in page
    assert "mangler; feltet skal udfyldes" in page
    finish = live.submit(f"/k/{slug}/faerdig", {"version": live.version(f"/k/{slug}/gennemse")})
    assert finish.status == 422
    assert "complete: false" in answer_file(live, slug).read_text(encoding="utf-8")


def test_rule_findings_can_be_waived_with_a_reason_and_the_document_rendered(live):
    source = answer_file(live, ADHOC).read_text(encoding="utf-8")
    # One chair only: the two-part chair rule finds it.
    text = re.sub(r"(  formaend:\n(?:    .*\n)+?)(    - navn:.*\n(?:      .*\n)+)", r"\1", source, count=1)
    slug = "regeltest"
    answer_file(live, slug).write_text(text, encoding="utf-8")
    review = f"/k/{slug}/gennemse"
    page = live.get(review).text
    assert "formandskab-todelt" in page and f'href="/k/{slug}/afsnit/formandskab#f-formandskab-formaend' in page
    short = live.submit(f"/k/{slug}/undtagelse", {"version": live.version(review), "regel": "formandskab-todelt",
                                                   "begrundelse": "for kort"})
    assert short.status == 422 and "mindst 3 ord" in short.text
    reply = live.post(f"/k/{slug}/undtagelse", {"version": live.version(review), "regel": "formandskab-todelt",
                                                 "begrundelse": "Gruppen har kun én faglig leder."})
    assert reply.status == 303
    saved = answer_file(live, slug).read_text(encoding="utf-8")
    assert "regel: formandskab-todelt" in saved and "begrundelse: Gruppen har kun én faglig leder." in saved
    assert "Undtaget" in live.get(review).text
    done = live.submit(f"/k/{slug}/faerdig", {"version": live.version(review)})
    assert done.status == 200 and "Hent Word-dokument" in done.text and "Word-dokumentet er lavet" in done.text
    document = live.root / "out" / f"{slug}.docx"
    download = live.get(f"/k/{slug}/hent/{slug}.docx")
    assert download.status == 200 and download.body == document.read_bytes()
    assert download.headers["content-disposition"] == f'attachment; filename="{slug}.docx"'
    # Edited in Word since: the web form does not overwrite it either.
    from docx import Document

    edited = Document(str(document))
    edited.add_paragraph("Tilføjet i Word")
    edited.save(str(document))
    before = document.read_bytes()
    page = live.get(f"/k/{slug}/dokument").text
    assert "Word-dokumentet er rettet i Word" in page and "Hent rettelserne fra Word ind i svarene" in page
    again = live.submit(f"/k/{slug}/dokument", {"handling": "word"})
    assert again.status == 422 and "ændret, efter drafter lavede den" in again.text
    assert "--force" not in again.text and str(live.root) not in again.text  # browser words, no paths
    assert document.read_bytes() == before
    assert "rettet i Word" in live.get("/").text
    unconfirmed = live.submit(f"/k/{slug}/dokument", {"handling": "overskriv"})
    assert unconfirmed.status == 422 and document.read_bytes() == before
    forced = live.submit(f"/k/{slug}/dokument", {"handling": "overskriv", "bekraeft": "ja"})
    assert forced.status == 200 and "Word-dokumentet er lavet" in forced.text
    assert b"Tilf\xc3\xb8jet i Word" not in document.read_bytes() and "dokumentet er aktuelt" in live.get("/").text


def test_reopening_continues_where_the_person_was(live):
    slug = new_commission(live, "Gruppe der genoptages")
    assert live.get(f"/k/{slug}").headers["location"] == f"/k/{slug}/afsnit/gruppe"
    url = f"/k/{slug}/afsnit/formaal"
    live.post(url, {"version": live.version(url), "formaal.tekst": "Formålet.", "action": "gem"})
    assert live.get(f"/k/{slug}").headers["location"] == f"/k/{slug}/afsnit/opgaver"
    assert live.get(f"/k/{ADHOC}").headers["location"] == f"/k/{ADHOC}/gennemse"


# -- the command ---------------------------------------------------------------------------

def test_drafter_serve_starts_answers_and_stops_cleanly_on_ctrl_c(tmp_path):
    (tmp_path / "answers").mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    with ended(subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--no-browser", "--port", "0"],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)) as process:  # gone even if the test fails
        try:
            lines = [process.stdout.readline() for _ in range(3)]
            url = next(line.split()[1] for line in lines if line.startswith("Åbn "))
            assert url.startswith("http://127.0.0.1:") and "token=" in url
            import urllib.request

            with urllib.request.urlopen(url, timeout=10) as response:  # follows the redirect, keeps no cookie
                pass
        except Exception as exc:  # the redirect target needs the cookie: a 403 is the expected end
            assert getattr(exc, "code", None) == 403, exc
        finally:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert "stoppet" in out and "Traceback" not in err


def test_serve_refuses_a_port_that_is_taken(live):
    result = run_cli("serve", "--no-browser", "--port", str(live.port))
    assert result.returncode == 2 and "vælg en anden port" in result.stderr and "Traceback" not in result.stderr


def test_other_commands_do_not_import_the_web_form():
    code = "import sys; from drafter import cli; cli.main(['kinds']); print('drafter.web' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.stdout.strip().endswith("False"), result.stdout + result.stderr


@pytest.mark.skipif(not has_soffice(), reason="LibreOffice is not installed")
def test_the_document_page_makes_a_pdf_and_a_preview_of_page_one(live):
    slug = "pdf-test"
    answer_file(live, slug).write_text(answer_file(live, ADHOC).read_text(encoding="utf-8"), encoding="utf-8")
    page = live.get(f"/k/{slug}/dokument").text
    assert "Der er ikke lavet et Word-dokument endnu" in page
    made = live.submit(f"/k/{slug}/dokument", {"handling": "word"})
    assert made.status == 200 and "Lav PDF og forhåndsvisning" in made.text
    started = live.post(f"/k/{slug}/dokument", {"handling": "pdf"})
    assert started.status == 303  # at once: the PDF is made outside the request
    page = live.get(started.headers["location"]).text
    assert "laves nu" in page or "PDF og forhåndsvisning er lavet" in page
    live.server.app.jobs.get(slug).thread.join(120)
    reply = live.get(f"/k/{slug}/dokument")
    assert reply.status == 200, reply.text
    assert f'href="/k/{slug}/hent/{slug}.pdf"' in reply.text
    assert f'<img src="/k/{slug}/hent/{slug}.png" alt="Side 1 af kommissoriet' in reply.text
    pdf = live.get(f"/k/{slug}/hent/{slug}.pdf")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    png = live.get(f"/k/{slug}/hent/{slug}.png")
    assert png.status == 200 and png.body.startswith(b"\x89PNG") and png.headers["content-disposition"] == "inline"


def test_a_file_with_unknown_fields_is_not_saved_over_and_comments_are_kept(live):
    # What the form cannot write (a misspelt field) must not silently disappear; a person's
    # comment stays where it is (the save changes only the answers' lines).
    slug = new_commission(live, "Gruppe med kommentar")
    path = answer_file(live, slug)
    commented = path.read_text(encoding="utf-8").replace("gruppe:\n", "gruppe:\n  # Navnet er aftalt med formandskabet\n")
    text = commented.replace("gruppe:\n", "gruppe:\n  nedsat_aff: Klyngestyregruppen\n")
    path.write_text(text, encoding="utf-8")
    url = f"/k/{slug}/afsnit/gruppe"
    page = live.get(url).text
    assert "kommentaren i linje" not in page and "feltet &#39;gruppe.nedsat_aff&#39;" in page
    reply = live.submit(url, {"version": live.version(url), "gruppe.navn": "Nyt navn", "action": "gem"})
    assert reply.status == 409 and "gemmer derfor intet" in reply.text
    assert path.read_text(encoding="utf-8") == text
    path.write_text(commented, encoding="utf-8")
    reply = live.post(url, {"version": live.version(url), "gruppe.navn": "Nyt navn", "action": "gem"})
    saved = path.read_text(encoding="utf-8")
    assert "  # Navnet er aftalt med formandskabet\n" in saved and "Nyt navn" in saved


def test_another_host_is_served_with_a_warning(tmp_path):
    # 127.0.0.2 is loopback too, but not one of the names drafter treats as "this machine only".
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    with ended(subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--no-browser", "--port", "0", "--host", "127.0.0.2"],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)) as process:  # gone even if the test fails
        try:
            lines = [process.stdout.readline() for _ in range(3)]
            url = next(line.split()[1] for line in lines if line.startswith("Åbn "))
            assert url.startswith("http://127.0.0.2:")
        finally:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)
        assert "Advarsel" in err and "andre maskiner" in err
        assert process.returncode == 0


def test_an_unexpected_failure_is_a_danish_page_not_a_dropped_connection(live, monkeypatch, capsys):
    def broken(request):
        raise RuntimeError("noget gik galt")

    monkeypatch.delenv("DRAFTER_DEBUG", raising=False)
    monkeypatch.setattr(live.server.app.listing, "index", broken)
    reply = live.get("/")
    assert reply.status == 500 and "intern fejl i drafter serve (RuntimeError)" in reply.text
    assert "Traceback" not in capsys.readouterr().err


def test_serve_works_in_the_workspace_found_above_the_current_folder(tmp_path):
    result = run_cli("init", str(tmp_path / "ws"))
    assert result.returncode == 0, result.stderr
    (tmp_path / "ws" / "answers").mkdir(exist_ok=True)
    (tmp_path / "ws" / "answers" / "x.yaml").write_text(
        (REPO / "answers" / f"{ADHOC}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    below = tmp_path / "ws" / "undermappe"
    below.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    env.pop("DRAFTER_WORKSPACE", None)
    with ended(subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--no-browser", "--port", "0"],
                                cwd=below, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)) as process:  # gone even if the test fails
        try:
            first = process.stdout.readline()
            assert str((tmp_path / "ws").resolve()) in first, first
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=60)


def test_choosing_a_project_group_in_the_adhoc_kind_makes_the_draft_a_project_group(live):
    slug = new_commission(live, "Projektgruppe om søvn")
    url = f"/k/{slug}/afsnit/gruppe"
    form = {"version": live.version(url), "gruppe.navn": "Projektgruppe om søvn", "gruppe.type": "projektgruppe",
            "gruppe.nedsat_af": "", "gruppe.klynge": "", "action": "gem"}
    reply = live.submit(url, form)
    assert reply.status == 200 and "skrives nu med typen" in reply.text
    assert "kind: projektgruppe" in answer_file(live, slug).read_text(encoding="utf-8")
    # And back: the project group's own question offers the way to the ad-hoc kind.
    back = live.submit(url, {**form, "version": live.version(url), "gruppe.type": "ad-hoc gruppe"})
    assert back.status == 200 and "skrives nu med typen Ad-hoc gruppe" in back.text
    text = answer_file(live, slug).read_text(encoding="utf-8")
    assert "kind: adhoc" in text and "type: ad-hoc gruppe" in text


# -- an office day ---------------------------------------------------------------------------

def test_a_refused_post_leaves_the_connection_clean_for_the_next_request(live):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        body = "csrf=x&gruppe.navn=" + "Hemmelige svar " * 100
        # An old token (as after a restart): refused before the body is read.
        connection.request("POST", f"/k/{ADHOC}/afsnit/gruppe", body=body, headers={
            "Host": f"127.0.0.1:{live.port}", "Cookie": f"{live.guard.cookie}=gammel",
            "Content-Type": "application/x-www-form-urlencoded"})
        refused = connection.getresponse()
        refused_text = refused.read().decode("utf-8")
        assert refused.status == 403 and "Hemmelige svar" not in refused_text
        connection.request("GET", "/", headers={"Host": f"127.0.0.1:{live.port}",
                                                 "Cookie": f"{live.guard.cookie}={live.token}"})
        after = connection.getresponse()
        text = after.read().decode("utf-8")
        assert after.status == 200 and "Kommissorier" in text and "Hemmelige svar" not in text
    finally:
        connection.close()


def test_autosave_refusals_answer_json_saying_log_in_again(live):
    reply = live.post(f"/k/{ADHOC}/afsnit/gruppe", {"action": "autosave"}, token=False,
                      headers={"Accept": "application/json"})
    data = __import__("json").loads(reply.text)
    assert reply.status == 403 and data["login"] is True and data["saved"] is False


def test_a_dropped_connection_is_quiet_in_the_terminal(live, capfd):
    import socket

    for _ in range(3):
        raw = socket.create_connection(("127.0.0.1", live.port))
        raw.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\nCookie: {live.guard.cookie}={live.token}\r\n\r\n"
                    .encode())
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset on close
        raw.close()
    assert live.get("/").status == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err


def test_a_save_that_would_make_the_file_too_big_is_refused(live):
    slug = new_commission(live, "Gruppe med meget tekst")
    path = answer_file(live, slug)
    before = path.read_bytes()
    url = f"/k/{slug}/afsnit/opgaver"
    rows = {f"opgaver.opgaver.{i}": (f"Opgave {i} " + "x" * 2000)[:2000] for i in range(500)}
    reply = live.post(url, {"version": live.version(url), "action": "autosave", **rows},
                      headers={"Accept": "application/json"})
    data = __import__("json").loads(reply.text)
    assert data["saved"] is False and "højst fylde 1.000 kB" in data["message"]
    assert path.read_bytes() == before
    assert live.get(f"/k/{slug}/afsnit/opgaver").status == 200  # still a commission that opens


def test_a_heading_comment_is_written_once_however_often_a_section_is_emptied(live):
    slug = new_commission(live, "Gruppe der skifter mening")
    url = f"/k/{slug}/afsnit/formaal"
    for text in ("Første formål.", "", "Andet formål.", "", "Tredje formål.", "", "Sidste formål."):
        reply = live.post(url, {"version": live.version(url), "formaal.tekst": text, "action": "gem"})
        assert reply.status == 303
    saved = answer_file(live, slug).read_text(encoding="utf-8")
    assert saved.count("# 1. Formål med gruppens arbejde") == 1 and "tekst: Sidste formål." in saved


@pytest.mark.parametrize("name", ["nul", "COM1", "PRN.", "aux.txt", "Lpt9"])
def test_a_group_named_like_a_windows_device_gets_another_file_name(live, name):
    slug = new_commission(live, name)
    stem = name.lower().rstrip(".").split(".")[0]
    assert slug != stem and slug.startswith(stem)


def test_the_list_is_paged_and_shows_a_page_at_once(tmp_path):
    (tmp_path / "answers").mkdir()
    source = (REPO / "answers" / f"{ADHOC}.yaml").read_text(encoding="utf-8")
    for number in range(120):
        (tmp_path / "answers" / f"k{number:04d}.yaml").write_text(source, encoding="utf-8")
    server = LiveServer(tmp_path, copy_examples=False)
    try:
        first = server.get("/").text
        assert first.count('data-resume="k0') == 50 and 'href="/?side=3"' in first and "120 kommissorier" in first
        last = server.get("/?side=3").text
        assert last.count('data-resume="k0') == 20 and 'data-resume="k0119"' in last
        assert server.get("/?side=99").status == 200 and server.get("/?side=x").status == 200
    finally:
        server.stop()


def test_the_reviews_button_says_finish_for_a_draft_and_make_again_for_a_finished_commission(live):
    # A finished commission's review asked to "make the commission finished" again.
    answer_file(live, "knap-faerdig").write_text(answer_file(live, ADHOC).read_text(encoding="utf-8"), encoding="utf-8")
    finished = live.get("/k/knap-faerdig/gennemse").text
    assert ">Lav Word-dokumentet igen</button>" in finished and "Gør kommissoriet færdigt" not in finished
    draft = new_commission(live, "Gruppe om knappen")
    assert ">Gør kommissoriet færdigt og lav Word-dokumentet</button>" in live.get(f"/k/{draft}/gennemse").text


def test_the_review_names_what_is_missing_in_words_not_answer_paths(live):
    # It said 'Hvad er formålet med gruppens arbejde?: mangler; udfyld formål eller opgaver
    # (formaal.tekst, formaal.punkter, opgaver.tekst eller opgaver.opgaver)'.
    slug = new_commission(live, "Gruppe uden formål", kind="arbejdsgruppe")
    page = html.unescape(live.get(f"/k/{slug}/gennemse").text)
    assert "Hvad er formålet med gruppens arbejde: mangler; udfyld formål eller opgaver</a>" in page
    assert "formaal.tekst" not in page and "?:" not in page


def test_a_document_edited_in_word_offers_to_take_the_edits_into_the_answers(live):
    from docx import Document

    slug = "importtest"
    answer_file(live, slug).write_text(answer_file(live, ADHOC).read_text(encoding="utf-8"), encoding="utf-8")
    made = live.submit(f"/k/{slug}/faerdig", {"version": live.version(f"/k/{slug}/gennemse")})
    assert "Word-dokumentet er lavet" in made.text
    document = live.root / "out" / f"{slug}.docx"
    edited = Document(str(document))
    paragraph = next(p for p in edited.paragraphs if "Mette Kjærgaard" in p.text)
    paragraph.runs[0].text = paragraph.text.replace("Mette Kjærgaard", "Mette Kjærgård")
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    # A comment belongs to no answer: the page and the import say so (they said nothing of it).
    edited.add_comment(paragraph.runs[0], text="Skal Mette have en stedfortræder?", author="Formanden")
    edited.save(str(document))
    page = live.get(f"/k/{slug}/dokument").text
    assert "Word-dokumentet er rettet i Word" in page and "→ Mette Kjærgård (Oversygeplejerske" in page
    unplaced = 'kommentar i Word fra Formanden, ved "Mette Kjærgård'
    assert "kommer ikke med, når dokumentet laves igen" in page and unplaced in html.unescape(page)
    reply = live.submit(f"/k/{slug}/dokument", {"handling": "importer"})
    assert reply.status == 200 and "1 svar fra Word-dokumentet er skrevet i svarfilen" in reply.text
    said = html.unescape(reply.text)
    assert "hører ikke til et svar og er ikke taget med; det står i kopien" in said and unplaced in said
    assert "Skal Mette have en stedfortræder?" in said
    assert "navn: Mette Kjærgård" in answer_file(live, slug).read_text(encoding="utf-8")
    assert "Word-dokumentet er rettet i Word" not in reply.text and "forældet" not in reply.text


def test_the_review_sets_the_commissions_own_title_headings_and_order(live):
    slug = "egen-opsaetning"
    answer_file(live, slug).write_text(
        answer_file(live, "arbejdsgruppe-faelles-sprog-om-rehabilitering").read_text(encoding="utf-8"), encoding="utf-8")
    review = f"/k/{slug}/gennemse"
    page = live.get(review).text
    assert "Titel, overskrifter og rækkefølge (kan springes over)" in page
    assert 'name="overskrift-formaal"' in page and 'name="plads-baggrund" value="2"' in page
    kind_title = "Kommissorium for Arbejdsgruppen for et fælles sprog om rehabilitering"  # what an empty title gives
    assert f'placeholder="{kind_title}"' in page and f'Tom: typens titel, nu "{kind_title}".' in html.unescape(page)
    bad = live.submit(f"/k/{slug}/opsaetning", {"version": live.version(review), "overskrift-formaal": "x\x01y"})
    assert bad.status == 422 and "overskrifter.formaal" in bad.text
    reply = live.post(f"/k/{slug}/opsaetning", {
        "version": live.version(review), "titel": "Fælles kommissorium for rehabilitering",
        "overskrift-formaal": "Mission og mål", "plads-baggrund": "1", "plads-formaal": "2",
    })
    assert reply.status == 303, reply.text
    saved = answer_file(live, slug).read_text(encoding="utf-8")
    assert "titel: Fælles kommissorium for rehabilitering\n" in saved
    assert "formaal: Mission og mål" in saved and "orden:" in saved
    assert re.search(r"orden:\n *- baggrund\n *- formaal\n|orden: \[baggrund, formaal", saved), saved  # indented as the file's lists
    page = live.get(review).text
    assert 'value="Mission og mål"' in page and 'name="plads-baggrund" value="1"' in page
    done = live.submit(f"/k/{slug}/faerdig", {"version": live.version(review)})
    assert done.status == 200, done.text
    from docx import Document

    doc = Document(str(live.root / "out" / f"{slug}.docx"))
    assert doc.paragraphs[0].text == "Fælles kommissorium for rehabilitering"
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][:3] == ["Baggrund", "Mission og mål", "Opgaver"]


def test_an_optional_date_is_not_filled_in_with_today(live):
    slug = new_commission(live, "Arbejdsgruppen uden dato", kind="arbejdsgruppe")
    page = live.get(f"/k/{slug}/afsnit/dokument").text
    field = re.search(r"<input[^>]*name=\"dokument.dato\"[^>]*>", page).group(0)
    assert 'value=""' in field or "value=" not in field, field
    adhoc = live.get(f"/k/{new_commission(live, 'Ad-hoc gruppe med dato')}/afsnit/dokument").text
    assert re.search(r"<input[^>]*name=\"dokument.dato\" value=\"[^\"]+\"", adhoc)  # a required date keeps its suggestion


def test_messages_in_the_browser_name_no_paths_and_no_commands(live):
    from drafter.pdf import missing_pdftoppm_message
    from drafter.web.commission import browser_words

    workspace = live.server.app.workspace
    for message in (missing_pdftoppm_message(),
                    f"{workspace.root}/out/x.docx: er ændret, efter drafter lavede den (fx redigeret i Word); den "
                    "overskrives ikke, så ændringerne ikke går tabt (gem dem under et andet navn, eller brug --force)"):
        shown = browser_words(message, workspace)
        assert str(workspace.root) not in shown and "--" not in shown and "sudo" not in shown, shown
        assert shown.endswith(".")
    index = live.get("/").text
    assert str(workspace.root) not in index and "drafter check" not in index


def test_the_pages_kept_for_after_a_button_are_bounded():
    from drafter.web.site import Flash

    flash = Flash(size=5, chars=10_000)
    keys = [flash.put(text="x" * 3_000) for _ in range(4)]
    assert flash.get(keys[0]) is None and flash.get(keys[-1]) == {"text": "x" * 3_000}
    many = [flash.put(n=n) for n in range(10)]
    assert flash.get(many[4]) is None and flash.get(many[9]) == {"n": 9}


def test_an_optional_answer_cleared_stays_empty_on_reload_and_later_saves(live):
    """The secretariat's text is suggested by the profile; cleared and saved, the file keeps
    "tekst: ''", a reload shows the field empty (not the suggestion again), a later save keeps
    it empty, and a page from before that still shows the suggestion does not store it."""
    slug = new_commission(live, "Gruppe uden sekretariat", kind="arbejdsgruppe")
    url = f"/k/{slug}/afsnit/sekretariat"
    textarea = re.compile(r'<textarea[^>]*name="sekretariat.tekst"[^>]*>([^<]*)</textarea>')
    page, old_version, old_base = live.page_state(url)
    suggestion = html.unescape(textarea.search(page).group(1)).strip()
    assert suggestion.startswith("Gruppen sekretariatsbetjenes af")

    def autosave(text: str, version: str, base: str) -> dict:
        reply = live.post(url, {"version": version, "base": base, "sekretariat.tekst": text, "action": "autosave"},
                          headers={"Accept": "application/json"})
        return __import__("json").loads(reply.text)

    assert autosave("", old_version, old_base)["saved"]
    assert "sekretariat:\n  tekst: ''\n" in answer_file(live, slug).read_text(encoding="utf-8")
    page = live.get(url).text  # the reload
    assert textarea.search(page).group(1).strip() == ""
    assert f"Du har ladet feltet stå tomt. Forslaget var: «{html.escape(suggestion, quote=False)}»" in page
    live.submit(url, {"version": live.version(url), "sekretariat.tekst": "", "action": "naeste"})
    review = live.get(f"/k/{slug}/gennemse").text
    assert "(tomt med vilje)" in review and review.count("(tomt med vilje)") == 1
    assert "sekretariat:\n  tekst: ''\n" in answer_file(live, slug).read_text(encoding="utf-8")
    # The other tab, made before the field was cleared, still shows the suggestion: it is a
    # conflict (the file's empty answer is kept and shown beside it), never a silent save.
    stale = autosave(suggestion, old_version, old_base)
    assert stale["conflicts"] == {"sekretariat.tekst": "(tomt med vilje)"}
    assert "sekretariat:\n  tekst: ''\n" in answer_file(live, slug).read_text(encoding="utf-8")


def test_an_optional_list_is_emptied_with_one_button(live):
    slug = new_commission(live, "Gruppe med dokumenter", kind="arbejdsgruppe")
    url = f"/k/{slug}/afsnit/dokumenter"
    two = {"dokumenter.relaterede.0": "Aftalen", "dokumenter.relaterede.1": "Strategien"}
    page = live.submit(url, {"version": live.version(url), **two, "action": "gem"}).text
    assert "Tøm listen" in page and "- Strategien" in answer_file(live, slug).read_text(encoding="utf-8")
    page = live.submit(url, {"version": live.version(url), **two, "action": "toem:dokumenter.relaterede"}).text
    assert "relaterede" not in answer_file(live, slug).read_text(encoding="utf-8")
    assert "Strategien" not in page and "Tøm listen" not in page
