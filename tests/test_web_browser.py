"""`drafter serve` in a real browser: Debian's headless Chromium, driven by Playwright.

One browser for the whole session. The main test fills in an ad-hoc commission from
scratch as a person would (keyboard for the tables, a validation error fixed, a reload
half-way), downloads the document and compares it with what `drafter render` makes from
the saved answer file. Every page is checked with axe-core (no serious or critical
violations) and photographed; set DRAFTER_WEB_SCREENSHOTS=folder to keep the pictures.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ANSWERS_DIR, REPO, ended, has_soffice, run_cli
from web_support import LiveServer

# Chromium's headless shell (Debian: chromium-headless-shell), the headless build Playwright
# itself uses: the same Blink, V8 and axe-core results, at half the CPU of the full browser
# run headless (measured on this module: 18 s against 35 s, its helper processes counted).
CHROMIUM = (os.environ.get("DRAFTER_CHROMIUM") or shutil.which("chromium-headless-shell") or shutil.which("chromium")
            or "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (Debian: apt install chromium-headless-shell)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAYLOAD_SCRIPT = "<script>window.__xss=1</script>"
PAYLOAD_IMG = '"><img src=x onerror="window.__xss=2">'


def axe_source() -> str:
    from importlib import resources

    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("axe-core is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    # For this module only (the one that uses it): Playwright's sync API keeps an event
    # loop running in the thread while it is open, and a later test of the same worker
    # that runs a prompt (asyncio.run) would fail.
    with sync_api.sync_playwright() as playwright:
        # Playwright gives the browser a fresh, temporary profile (--user-data-dir).
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    # A kind with every question type (bool and 'when' too), beside the built-in ones.
    old = os.environ.get("DRAFTER_KINDS_PATH")
    os.environ["DRAFTER_KINDS_PATH"] = str(Path(__file__).parent / "data" / "web_kinds")
    server = LiveServer(tmp_path_factory.mktemp("ws"))
    yield server
    server.stop()
    if old is None:
        os.environ.pop("DRAFTER_KINDS_PATH")
    else:
        os.environ["DRAFTER_KINDS_PATH"] = old


@pytest.fixture
def page(browser, live):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900}, locale="da-DK")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    log_in(tab, live.base, live.token)
    yield tab
    context.close()


def log_in(page, base: str, token: str) -> None:
    """Open the address with the token, as printed; its page moves on to the list by itself."""
    page.goto(f"{base}/?token={token}")
    page.wait_for_url(f"{base}/")
    page.wait_for_load_state()


class Checker:
    """axe-core on each page visited, and a screenshot of it."""

    def __init__(self, folder: Path | None):
        self.source = axe_source()
        self.folder = folder
        self.seen: dict[str, list] = {}

    def __call__(self, page, name: str, axe: bool = True) -> None:
        """*axe*: False for a page of a kind already checked (axe takes a second a page).
        Checked: the list (01), a new commission (02), a section's form with every field
        type (13) and with errors on them (14), a list's rows with their move buttons (06),
        the review (11), the document (12), a refused form (15), a save conflict (17), and
        on a phone the review's layout step and a section (the layout that differs there)."""
        if axe:
            page.evaluate(self.source)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
            self.seen[name] = [(v["id"], v["impact"]) for v in result["violations"]]
            assert not bad, f"{name}: {bad}"
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def check_page():
    folder = os.environ.get("DRAFTER_WEB_SCREENSHOTS")
    checker = Checker(Path(folder) if folder else None)
    yield checker
    if folder:  # every violation axe reported, serious or not, for the person looking
        lines = [f"{name}: {', '.join(f'{rule} ({impact})' for rule, impact in found) or 'none'}"
                 for name, found in checker.seen.items()]
        (Path(folder) / "axe.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def date_field(page, label: str):
    """The text field of a date (beside it is its calendar button, labelled alike)."""
    return page.get_by_label(label).and_(page.locator("[data-date]"))


def saves(page) -> int:
    return int(page.get_attribute("#autosave", "data-saves") or 0)


def wait_saved(page, before: int) -> None:
    """Wait for an autosave after the *before*-th one (the text alone may be an older save's)."""
    page.wait_for_function("n => +document.getElementById('autosave').getAttribute('data-saves') > n", arg=before)


def file_text_once_it_holds(page, path: Path, text: str) -> str:
    """The text of *path* once it holds *text* (or after 15 s): a save that outlives its page
    lands in its own time. The page's events are handled meanwhile."""
    deadline = time.monotonic() + 15
    while text not in path.read_text(encoding="utf-8") and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    return path.read_text(encoding="utf-8")


def focused(page, element_id: str) -> None:
    """The element with *element_id* has the focus. A page's autofocus is applied when
    Chromium next draws it, which on a busy machine comes after the load event that a
    navigation waits for: wait for that state (a key pressed before it would be lost)."""
    try:
        page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=element_id)
    except sync_api.TimeoutError:
        raise AssertionError(f"{element_id} never had the focus: {page.evaluate('document.activeElement.id')!r}")


def type_and_save(page, label: str, text: str) -> None:
    """Type into a field, leave it, and wait for the autosave that follows."""
    before = saves(page)
    page.get_by_label(label).fill(text)
    page.get_by_label(label).press("Tab")
    wait_saved(page, before)


def press(page, button) -> None:
    """Click a button that sends the form (after any autosave under way) and wait for the page."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=isinstance(button, str)).click()


def next_section(page) -> None:
    press(page, "Næste afsnit →")


def test_a_new_adhoc_commission_from_scratch_to_the_document(page, live, check_page, tmp_path):
    check_page(page, "01-kommissorier")
    with page.expect_navigation():
        page.get_by_role("link", name="Nyt kommissorium").first.click()
    check_page(page, "02-nyt")
    page.get_by_label("Ad-hoc gruppe eller projektgruppe").check()
    page.get_by_label("Hvad hedder gruppen?").fill("Ad-hoc gruppe om faldforebyggelse")
    press(page, "Begynd")

    # Gruppen: the name is there; a choice from the list, and one typed under "Andet".
    assert page.get_by_label("Hvad hedder gruppen?").input_value() == "Ad-hoc gruppe om faldforebyggelse"
    page.get_by_role("combobox", name="Hvem nedsætter gruppen?").select_option("Voksentemagruppen for somatik")
    check_page(page, "03-gruppen", axe=False)  # a section's form: axe'd with every field type in 13 and 14
    next_section(page)

    # Dokumentet: the suggestions (today, 1.0, udkast) are kept.
    check_page(page, "04-dokumentet", axe=False)
    next_section(page)

    page.get_by_label("Hvad er formålet med gruppens arbejde?").fill(
        "Færre faldulykker blandt ældre borgere.\n\nEt fælles forløb på tværs af sektorer.")
    check_page(page, "05-formaal", axe=False)
    next_section(page)

    # Opgaver: a list with two entries, added with the keyboard.
    page.get_by_label("Opgave 1").fill("Kortlægge nuværende praksis")
    page.get_by_role("button", name="Tilføj opgave").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focused(page, "f-opgaver-opgaver-1")  # focus on the new row
    page.keyboard.type("Foreslå en fælles arbejdsgang")
    page.get_by_label("Hvordan inddrages patient- og pårørendeperspektivet?").fill(
        "En patientrepræsentant deltager i gruppen.")
    check_page(page, "06-opgaver")
    next_section(page)

    # Formandskab: two chairs and two members.
    page.get_by_label("Navn (formand 1)").fill("Mette Kjærgaard")
    page.get_by_label("Titel (formand 1)").fill("Oversygeplejerske")
    page.get_by_role("combobox", name="Organisation (formand 1)").select_option("Hospitalsenhed Midt")
    press(page, "Tilføj formand")
    page.get_by_label("Navn (formand 2)").fill("Søren Østergaard")
    page.get_by_label("Titel (formand 2)").fill("Sundhedschef")
    page.get_by_role("combobox", name="Organisation (formand 2)").select_option("Viborg Kommune")
    page.get_by_label("Navn (medlem 1)").fill("Lone Bæk")
    page.get_by_label("Titel (medlem 1)").fill("Fysioterapeut")
    page.get_by_role("combobox", name="Organisation (medlem 1)").select_option("__andet__")
    page.get_by_label("Andet (skriv selv): Organisation (medlem 1)").fill("Træningsenheden, Skive Kommune")
    press(page, "Tilføj medlem")
    page.get_by_label("Navn (medlem 2)").fill("Anders Holm")
    page.get_by_label("Titel (medlem 2)").fill("Geriater")
    page.get_by_role("combobox", name="Organisation (medlem 2)").select_option("Hospitalsenhed Midt")
    page.get_by_label("Hvem sekretariatsbetjener gruppen?").fill("En konsulent fra fællessekretariatet.")
    check_page(page, "07-formandskab", axe=False)  # records with "Andet": axe'd in 13 and 14
    next_section(page)

    # Tidsplan: typed Danish dates, a milestone with an impossible date, fixed.
    date_field(page, "Hvornår begynder gruppen sit arbejde?").fill("4. januar 2027")
    date_field(page, "Hvornår afslutter gruppen sit arbejde?").fill("17.12.2027")
    date_field(page, "Dato (milepæl 1)").fill("32. marts 2027")
    page.get_by_label("Hvad skal være nået? (milepæl 1)").fill("Kortlægningen er færdig")
    date_field(page, "Dato (afrapportering 1)").fill("10. juni 2027")
    page.get_by_role("combobox", name="Til hvem? (afrapportering 1)").select_option("Voksentemagruppen for somatik")
    page.get_by_label("Hvad rapporteres? (afrapportering 1)").fill("Status")
    next_section(page)
    milestone = date_field(page, "Dato (milepæl 1)")
    assert milestone.input_value() == "32. marts 2027"  # what was typed stays
    assert milestone.get_attribute("aria-invalid") == "true"
    error = page.locator("#f-tidsplan-milepaele-0-dato-error")
    assert "har ikke en 32. dag" in error.inner_text()
    assert "f-tidsplan-milepaele-0-dato-error" in milestone.get_attribute("aria-describedby")
    assert page.get_by_role("alert").filter(has_text="Der er noget, der skal rettes").is_visible()
    check_page(page, "08-tidsplan-fejl", axe=False)  # a form's errors, dates' too: axe'd in 14
    assert page.get_by_label("Hvad skal være nået? (milepæl 1)").input_value() == "Kortlægningen er færdig"
    milestone.fill("15. marts 2027")
    next_section(page)

    # Kommunikation: autosave, then a reload half-way loses nothing.
    type_and_save(page, "Interessent 1", "Hjemmeplejen i de tre kommuner")
    page.get_by_label("Hvem informerer? (kommunikationsopgave 1)").fill("Formandskabet")
    page.get_by_label("Hvem informeres? (kommunikationsopgave 1)").fill("Ledere i hjemmeplejen")
    page.get_by_label("Om hvad? (kommunikationsopgave 1)").fill("Nye arbejdsgange")
    type_and_save(page, "Hvornår? (kommunikationsopgave 1)", "Efter hvert møde")
    page.reload()
    assert page.get_by_label("Interessent 1").input_value() == "Hjemmeplejen i de tre kommuner"
    assert page.get_by_label("Hvornår? (kommunikationsopgave 1)").input_value() == "Efter hvert møde"
    check_page(page, "09-kommunikation", axe=False)
    # Reopening the commission from the list continues here.
    page.goto(f"{live.base}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Ad-hoc gruppe om faldforebyggelse").click()
    assert page.url.endswith("/afsnit/kommunikation")
    next_section(page)

    page.get_by_label("Hvordan afsluttes gruppens arbejde?").fill("Med en slutrapport.")
    page.get_by_label("Hvad overdrages, og til hvem?").fill("Anbefalingerne overdrages til temagruppen.")
    check_page(page, "10-afslutning", axe=False)
    press(page, "Gennemse svarene →")

    check_page(page, "11-gennemse")
    assert "Træningsenheden, Skive Kommune" in page.inner_text("main")
    assert "15. marts 2027" in page.inner_text("main")
    press(page, "Gør kommissoriet færdigt og lav Word-dokumentet")
    check_page(page, "12-dokument")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Hent Word-dokument")).click()
    downloaded = tmp_path / "hentet.docx"
    download_info.value.save_as(downloaded)

    slug = "ad-hoc-gruppe-om-faldforebyggelse"
    answers = live.root / "answers" / f"{slug}.yaml"
    text = answers.read_text(encoding="utf-8")
    assert "complete: false" not in text and "dato: 2027-03-15" in text
    result = run_cli("render", str(answers), "-o", str(tmp_path / "cli.docx"), cwd=live.root)
    assert result.returncode == 0, result.stderr
    assert downloaded.read_bytes() == (tmp_path / "cli.docx").read_bytes()


def test_every_value_is_shown_as_text_never_run(browser, live, check_page):
    # No Content-Security-Policy here: escaping alone must keep the payloads inert.
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, live.base, live.token)
    page.goto(f"{live.base}/ny")
    page.get_by_label("Alle spørgsmålstyper").check()
    page.get_by_label("Hvad hedder gruppen?").fill(PAYLOAD_SCRIPT + PAYLOAD_IMG)
    press(page, "Begynd")
    slug = page.url.split("/")[4]
    # Every question type, the yes/no ones answered yes (so the 'when' question shows).
    page.get_by_role("radio", name="Ja").first.check()
    assert page.get_by_label("Hvilken mødeplatform?").is_visible()
    page.locator("#f-gruppe-moeder-0-fysisk-ja").check()
    check_page(page, "13-alle-typer")
    sections = [a.get_attribute("href").rsplit("/", 1)[1] for a in page.locator("nav.steps a").all()][:-1]
    for number, key in enumerate(sections):
        if number:
            page.goto(f"{live.base}/k/{slug}/afsnit/{key}")
        page.evaluate(
            """([a, b]) => {
              document.querySelectorAll('input[type=text], textarea').forEach((el, i) => { el.value = i % 2 ? a : b; });
              document.querySelectorAll('select').forEach(el => {
                if (el.querySelector('option[value=__andet__]')) el.value = '__andet__';
              });
            }""",
            [PAYLOAD_SCRIPT, PAYLOAD_IMG],
        )
        press(page, "Gem")
        # A date cannot hold the text: its message quotes it, escaped, beside the field.
        if page.locator("[data-date]").count():
            assert page.locator(".error:not([hidden])").count() > 0
        # The same through autosave: the messages arrive as JSON and are set as text.
        if page.locator("[data-date]").count():
            page.locator("[data-date]").first.fill(PAYLOAD_IMG)
            page.locator("[data-date]").first.press("Tab")
            page.wait_for_function("() => document.getElementById('autosave').textContent !== ''")
        assert page.evaluate("window.__xss") is None, key
        assert page.locator("img[src=x]").count() == 0, key
        if number == 0:
            check_page(page, "14-alle-typer-med-fejl")
            assert page.locator("#f-gruppe-digital-ja").is_checked()
            assert page.locator("#f-gruppe-moeder-0-fysisk-ja").is_checked()
    for path in ("/", f"/k/{slug}/gennemse"):
        page.goto(live.base + path)
        assert page.evaluate("window.__xss") is None
        assert page.locator("img[src=x]").count() == 0
        assert PAYLOAD_IMG in page.inner_text("main")  # shown as the text it is
    assert PAYLOAD_SCRIPT in page.inner_text("main")
    assert dialogs == []
    text = (live.root / "answers" / f"{slug}.yaml").read_text(encoding="utf-8")
    assert PAYLOAD_SCRIPT in text and "window.__xss=2" in text
    context.close()


def test_another_site_cannot_post_to_the_form_nor_frame_it(browser, live, check_page):
    slug = "udskrivelse-af-skroebelige-aeldre"
    answers = live.root / "answers" / f"{slug}.yaml"
    before = answers.read_bytes()
    target = f"{live.base}/k/{slug}/afsnit/gruppe"
    attack = f"""<!doctype html><html lang="en"><body>
<form id="f" method="post" action="{target}">
<input name="gruppe.navn" value="Overtaget"><input name="action" value="gem"><input name="csrf" value="gaet">
</form>
<iframe id="frame" src="{live.base}/"></iframe>
<script>
fetch("{target}", {{method: "POST", mode: "no-cors", credentials: "include",
  headers: {{"Content-Type": "application/x-www-form-urlencoded"}}, body: "gruppe.navn=Overtaget&action=gem"}});
setTimeout(() => document.getElementById("f").submit(), 300);
</script></body></html>""".encode()

    class Attacker(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(attack)))
            self.end_headers()
            self.wfile.write(attack)

        def log_message(self, *args):
            pass

    evil = http.server.HTTPServer(("127.0.0.1", 0), Attacker)  # another port: same site, other origin
    thread = threading.Thread(target=evil.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, live.base, live.token)  # the person is "logged in"
        page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        page.wait_for_url(target, timeout=10_000)
        assert "Formularen kom fra en anden side" in page.inner_text("main") or "sikkerhedsfelt" in page.inner_text("main")
        check_page(page, "15-afvist")
        assert answers.read_bytes() == before
        # Without the token (a new browser profile), nothing is shown.
        stranger = context.browser.new_context().new_page()
        stranger.goto(f"{live.base}/k/{slug}/gennemse")
        assert "Adgang nægtet" in stranger.inner_text("main")
        stranger.context.close()
    finally:
        context.close()
        evil.shutdown()
        evil.server_close()


# -- an office day: several servers and tabs, Back, a phone, a keyboard, a PDF stopped ----

ADHOC = "udskrivelse-af-skroebelige-aeldre"
PHONE = {"width": 390, "height": 844}


def open_context(browser, live, **options):
    context = browser.new_context(locale="da-DK", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live.base, live.token)
    return context, page


def new_draft(live, name: str, kind: str = "adhoc") -> str:
    reply = live.post("/ny", {"kind": kind, "navn": name})
    assert reply.status == 303, reply.text
    return reply.headers["location"].split("/")[2]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_fifo_and_a_link_out_of_the_workspace_do_not_stop_the_list(page, live, tmp_path):
    answers = live.root / "answers"
    fifo = answers / "ventende.yaml"
    os.mkfifo(fifo)
    outside = tmp_path / "hemmelig.yaml"
    outside.write_text((answers / f"{ADHOC}.yaml").read_text(encoding="utf-8").replace(
        "Ad-hoc gruppe om udskrivelse af skrøbelige ældre", "Hemmelig gruppe udenfor"), encoding="utf-8")
    link = answers / "link-ud.yaml"
    link.symlink_to(outside)
    try:
        # A blocking open() of the FIFO never answers: any bound tells the two apart.
        page.goto(f"{live.base}/", timeout=5_000)
        main = page.inner_text("main")
        assert "ventende" in main and "navngivet pipe" in main
        assert "Hemmelig gruppe" not in main and "link-ud" not in main
        page.goto(f"{live.base}/k/ventende/afsnit/gruppe", timeout=5_000)
        assert "findes ikke" in page.inner_text("main")
        page.goto(f"{live.base}/", timeout=5_000)  # and again: nothing was left waiting
        assert "ventende" in page.inner_text("main")
    finally:
        fifo.unlink()
        link.unlink()


def test_two_servers_in_one_browser_both_work(browser, live, tmp_path):
    other = LiveServer(tmp_path / "anden")
    context = browser.new_context(locale="da-DK")
    context.set_default_timeout(15_000)
    try:
        first, second = context.new_page(), context.new_page()
        log_in(first, live.base, live.token)
        log_in(second, other.base, other.token)  # the second login must not log the first out
        assert len({c["name"] for c in context.cookies()}) == 2
        for tab, server, name in ((first, live, "Første server"), (second, other, "Anden server")):
            slug = new_draft(server, name)
            tab.goto(f"{server.base}/k/{slug}/afsnit/formaal")
            type_and_save(tab, "Hvad er formålet med gruppens arbejde?", f"Formål hos {name}.")
            assert tab.locator("#autosave").get_attribute("class") == "autosave"
            assert f"Formål hos {name}." in (server.root / "answers" / f"{slug}.yaml").read_text(encoding="utf-8")
        first.reload()
        assert first.get_by_role("heading", name="1. Formål med gruppens arbejde").is_visible()
    finally:
        context.close()
        other.stop()


def test_back_and_reload_after_every_button_send_nothing_again(page, live, check_page):
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "autosave" not in (r.post_data or "") else None)

    def button_then_back(name, then=None) -> None:
        """Press *name*, then reload and go Back: neither may send a form again."""
        here = page.url
        press(page, name)
        count = len(posts)
        assert count >= 1
        page.reload()
        if then:
            then()
        page.go_back()
        assert len(posts) == count, f"{name}: {posts[count:]}"
        assert page.url.split("?")[0] == here.split("?")[0], (name, page.url)
        assert "Fejl" not in page.title()
        page.go_forward()
        assert len(posts) == count

    page.goto(f"{live.base}/ny")
    page.get_by_label("Hvad hedder gruppen?").fill(" ")
    button_then_back("Begynd")  # refused: the page with the message is a GET too
    page.get_by_label("Ad-hoc gruppe eller projektgruppe").check()
    page.get_by_label("Hvad hedder gruppen?").fill("Gruppe om tilbageknappen")
    press(page, "Begynd")
    slug = page.url.split("/")[4]
    page.goto(f"{live.base}/k/{slug}/afsnit/opgaver")
    page.get_by_label("Opgave 1").fill("Første opgave")
    button_then_back("Gem")
    button_then_back("Tilføj opgave")
    page.get_by_label("Opgave 2").fill("Anden opgave")
    button_then_back(re.compile(r"^Op\W*flyt opgave 2 op$"))
    assert page.get_by_label("Opgave 1").input_value() == "Anden opgave"
    button_then_back("Fjern opgave 2")
    page.goto(f"{live.base}/k/{slug}/afsnit/tidsplan")
    date_field(page, "Hvornår begynder gruppen sit arbejde?").fill("32. marts 2027")
    button_then_back("Næste afsnit →")  # a submit with errors
    text = (live.root / "answers" / f"{slug}.yaml").read_text(encoding="utf-8")
    assert text.count("Anden opgave") == 1 and "Første opgave" not in text

    # Finishing, the document, and (with LibreOffice) the PDF with its progress state.
    page.goto(f"{live.base}/k/{ADHOC}/gennemse")
    button_then_back("Lav Word-dokumentet igen")  # a finished commission's review
    page.goto(f"{live.base}/k/{ADHOC}/dokument")
    button_then_back("Lav Word-dokumentet igen")
    if shutil.which("soffice") or shutil.which("libreoffice"):
        page.goto(f"{live.base}/k/{ADHOC}/dokument")
        press(page, "Lav PDF og forhåndsvisning")
        count = len(posts)
        assert "laves nu" in page.inner_text("main") or "er lavet" in page.inner_text("main")
        check_page(page, "16-pdf-undervejs", axe=False)
        page.wait_for_selector("text=PDF og forhåndsvisning er lavet", timeout=120_000)  # reloaded when done
        assert page.get_by_role("img", name=re.compile("Side 1 af kommissoriet")).is_visible()
        page.reload()
        page.go_back()
        assert len(posts) == count


def test_two_tabs_saving_different_sections_keep_both(browser, live, check_page):
    slug = new_draft(live, "Gruppe med to faner")
    path = live.root / "answers" / f"{slug}.yaml"
    context, first = open_context(browser, live)
    try:
        second = context.new_page()
        first.goto(f"{live.base}/k/{slug}/afsnit/gruppe")
        second.goto(f"{live.base}/k/{slug}/afsnit/formaal")
        type_and_save(first, "Hvad hedder gruppen?", "Gruppe med to faner, omdøbt")
        # The second tab's page was made before that save: its save of another section merges.
        type_and_save(second, "Hvad er formålet med gruppens arbejde?", "Formålet fra den anden fane.")
        text = path.read_text(encoding="utf-8")
        assert "Gruppe med to faner, omdøbt" in text and "Formålet fra den anden fane." in text
        assert not second.locator(".conflict:visible").count()

        # The same answer changed in both tabs: the file keeps its answer, the typed one stays
        # in the field with the file's shown beside it; saving again keeps the typed one.
        third = context.new_page()
        third.goto(f"{live.base}/k/{slug}/afsnit/formaal")
        type_and_save(second, "Hvad er formålet med gruppens arbejde?", "Fane to skrev dette.")
        type_and_save(third, "Hvad er formålet med gruppens arbejde?", "Fane tre skrev noget andet.")
        conflict = third.locator("#f-formaal-tekst-conflict")
        assert conflict.is_visible() and "Fane to skrev dette." in conflict.inner_text()
        assert third.get_by_label("Hvad er formålet med gruppens arbejde?").input_value() == "Fane tre skrev noget andet."
        assert "Fane to skrev dette." in path.read_text(encoding="utf-8")
        check_page(third, "17-konflikt")
        type_and_save(third, "Hvad er formålet med gruppens arbejde?", "Fane tre skrev noget andet!")
        assert "Fane tre skrev noget andet!" in path.read_text(encoding="utf-8")
        assert not conflict.is_visible()
    finally:
        context.close()


def test_an_over_long_list_entry_keeps_the_saved_one(page, live):
    slug = new_draft(live, "Gruppe med lang opgave")
    path = live.root / "answers" / f"{slug}.yaml"
    page.goto(f"{live.base}/k/{slug}/afsnit/opgaver")
    type_and_save(page, "Opgave 1", "Kortlægge praksis")
    type_and_save(page, "Opgave 1", "x" * 2001)
    error = page.locator("#f-opgaver-opgaver-0-error")
    assert error.is_visible() and "Kortlægge praksis" in error.inner_text()  # the saved one, beside
    assert page.get_by_label("Opgave 1").input_value() == "x" * 2001  # the typed one, kept
    assert "- Kortlægge praksis" in path.read_text(encoding="utf-8")
    press(page, "Gem")  # the same through the button
    assert "- Kortlægge praksis" in path.read_text(encoding="utf-8")
    assert page.get_by_label("Opgave 1").input_value() == "x" * 2001


def test_back_within_a_second_of_typing_keeps_the_text(page, live):
    slug = new_draft(live, "Gruppe der går tilbage")
    path = live.root / "answers" / f"{slug}.yaml"
    page.goto(f"{live.base}/k/{slug}/afsnit/gruppe")
    page.goto(f"{live.base}/k/{slug}/afsnit/formaal")
    page.get_by_label("Hvad er formålet med gruppens arbejde?").fill("Skrevet lige før Tilbage.")
    page.go_back()  # before the autosave's pause is over
    page.go_forward()
    field = page.get_by_label("Hvad er formålet med gruppens arbejde?")
    page.wait_for_function("() => document.getElementById('f-formaal-tekst').value === 'Skrevet lige før Tilbage.'")
    assert field.input_value() == "Skrevet lige før Tilbage."
    page.wait_for_function("() => !localStorage.getItem('drafter-kladde:' + location.pathname)")
    assert "Skrevet lige før Tilbage." in path.read_text(encoding="utf-8")
    # A reload right after typing keeps it too.
    field.fill("Skrevet lige før genindlæsning.")
    page.reload()
    page.wait_for_function("() => document.getElementById('f-formaal-tekst').value === 'Skrevet lige før genindlæsning.'")
    page.wait_for_function("() => !localStorage.getItem('drafter-kladde:' + location.pathname)")
    assert "Skrevet lige før genindlæsning." in path.read_text(encoding="utf-8")


def test_typing_queued_behind_a_save_under_way_is_sent_when_the_page_is_left(page, live, monkeypatch):
    # The first autosave is held in the server; what is typed meanwhile waits for it in the
    # page. Leaving the page then must send that too, not only keep it in the browser.
    slug = new_draft(live, "Gruppe med en langsom gemning")
    path = live.root / "answers" / f"{slug}.yaml"
    pages = live.server.app.sections
    real, entered, release = pages.save, threading.Event(), threading.Event()

    def held(*args):
        if not entered.is_set():
            entered.set()
            release.wait(30)
        return real(*args)

    monkeypatch.setattr(pages, "save", held)
    page.goto(f"{live.base}/k/{slug}/afsnit/afslutning")
    page.get_by_label("Hvordan afsluttes gruppens arbejde?").fill("Med en rapport.")
    page.get_by_label("Hvordan afsluttes gruppens arbejde?").press("Tab")
    assert entered.wait(15)
    page.get_by_label("Hvad overdrages, og til hvem?").fill("Sekretariatet for søvn")
    page.get_by_label("Hvad overdrages, og til hvem?").press("Tab")  # queued behind the held save
    page.goto(f"{live.base}/")
    release.set()
    text = file_text_once_it_holds(page, path, "Sekretariatet for søvn")
    assert "Med en rapport." in text and "Sekretariatet for søvn" in text


def test_a_reload_that_overtakes_the_save_under_way_keeps_what_was_typed(page, live, monkeypatch):
    # The order a busy machine once produced, forced here: the reload's page is read from
    # the file before the save under way writes it, and that save's reply reaches the old
    # page before the new one replaces it. The new page must still show what was typed.
    slug = new_draft(live, "Gruppe der genindlæser midt i en gemning")
    path = live.root / "answers" / f"{slug}.yaml"
    pages = live.server.app.sections
    real_save, real_page = pages.save, pages.page
    entered, page_read, replied = threading.Event(), threading.Event(), threading.Event()

    def held_save(commission, section, request):
        if request.value("afslutning.tekst") == "Med en rapport." and not entered.is_set():
            entered.set()
            assert page_read.wait(15)  # the reload's page has read the file: now write it
        return real_save(commission, section, request)

    def held_page(commission, section, *args, **kwargs):
        reply = real_page(commission, section, *args, **kwargs)
        if entered.is_set() and not page_read.is_set():
            page_read.set()
            assert replied.wait(15)  # the old page has handled the save's reply
        return reply

    monkeypatch.setattr(pages, "save", held_save)
    monkeypatch.setattr(pages, "page", held_page)
    # Told when the page's script has handled an autosave's reply (its handlers run in the
    # promise jobs after the reply is read, before any timer).
    page.expose_function("drafterReplied", lambda: replied.set())
    page.add_init_script("""(() => {
      const json = Response.prototype.json;
      Response.prototype.json = function () {
        return json.call(this).then(data => { setTimeout(() => window.drafterReplied(), 0); return data; });
      };
    })()""")
    page.goto(f"{live.base}/k/{slug}/afsnit/afslutning")
    field = page.get_by_label("Hvordan afsluttes gruppens arbejde?")
    field.fill("Med en rapport.")
    field.press("Tab")
    assert entered.wait(15)
    page.reload()
    assert replied.is_set()
    assert field.input_value() == "Med en rapport."
    assert "Med en rapport." in path.read_text(encoding="utf-8")
    page.wait_for_function("() => !localStorage.getItem('drafter-kladde:' + location.pathname)")


def test_a_failed_save_shows_the_command_to_type_whole_and_copyable(page, live, check_page, monkeypatch):
    # The disk is full: autosave says where every answer went and shows the exact command
    # that puts them back, as text (escaped), to read and copy; so does the page a button
    # leads to. The list then shows the recovery file as one, with its button.
    slug = new_draft(live, "Gruppe på en fuld disk")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    command = f"drafter restore answers/{slug}-gendannet.yaml"
    page.goto(f"{live.base}/k/{slug}/afsnit/formaal")
    field = page.get_by_label("Hvad er formålet med gruppens arbejde?")
    field.fill("Skrevet, da disken var fuld.")
    field.press("Tab")
    page.wait_for_function("() => document.querySelector('#autosave code')")
    assert "der er ikke mere plads på disken" in page.inner_text("#autosave")
    assert page.inner_text("#autosave code") == command
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.base)
    page.locator("#autosave").get_by_role("button", name="Kopiér kommandoen").click()
    page.wait_for_function("() => document.querySelector('#autosave .copy').textContent === 'Kopieret'")
    assert page.evaluate("navigator.clipboard.readText()") == command
    check_page(page, "18-autosave-ikke-gemt", axe=False)
    press(page, "Næste afsnit →")  # refused: the page says it again, with the command
    assert page.inner_text(".banner code") == command
    check_page(page, "18-ikke-gemt")
    monkeypatch.undo()
    page.goto(f"{live.base}/")
    row = page.locator("tr", has_text=f"{slug}-gendannet.yaml")
    assert "gendannelsesfil" in row.inner_text() and row.locator("code").inner_text() == command
    check_page(page, "19-gendannelsesfil-i-listen", axe=False)
    with page.expect_navigation():
        row.get_by_role("button", name="Læg tilbage").click()
    assert "er lagt tilbage" in page.inner_text(".banner")
    assert "Skrevet, da disken var fuld." in (live.root / "answers" / f"{slug}.yaml").read_text(encoding="utf-8")


def test_autosave_tells_log_in_again_from_server_gone(browser, live, tmp_path):
    other = LiveServer(tmp_path / "kortlivet")
    slug = new_draft(other, "Gruppe uden server")
    context, page = open_context(browser, other)
    try:
        page.goto(f"{other.base}/k/{slug}/afsnit/formaal")
        field = page.get_by_label("Hvad er formålet med gruppens arbejde?")
        context.clear_cookies()  # as after a restart: the old token is no longer known
        field.fill("Uden nøgle.")
        field.press("Tab")
        page.wait_for_function("() => document.getElementById('autosave').className.includes('error')")
        assert "Log ind igen" in page.inner_text("#autosave")
        assert page.locator("#autosave").evaluate("e => getComputedStyle(e).color") == "rgb(164, 0, 15)"
        other.stop()
        field.fill("Uden server.")
        field.press("Tab")
        page.wait_for_function("() => document.getElementById('autosave').textContent.includes('svarer ikke')")
        assert "Log ind igen" not in page.inner_text("#autosave")
    finally:
        context.close()
        other.stop()


def test_the_keyboard_reaches_the_first_field_and_keeps_its_place(page, live, check_page):
    slug = new_draft(live, "Gruppe med tastatur")
    page.goto(f"{live.base}/k/{slug}/afsnit/gruppe")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Gå til første felt"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "f-gruppe-navn"  # two presses
    # A date is one Tab stop: from the start date straight to the end date.
    page.goto(f"{live.base}/k/{slug}/afsnit/tidsplan")
    date_field(page, "Hvornår begynder gruppen sit arbejde?").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-tidsplan-slut"
    # A row moved with "Op" keeps the focus (on its other button once it is at the top).
    page.goto(f"{live.base}/k/{slug}/afsnit/opgaver")
    page.get_by_label("Opgave 1").fill("Første")
    press(page, "Tilføj opgave")
    focused(page, "f-opgaver-opgaver-1")
    page.keyboard.type("Anden")
    page.locator("#f-opgaver-opgaver-1-op").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focused(page, "f-opgaver-opgaver-0-ned")
    assert page.get_by_label("Opgave 1").input_value() == "Anden"
    page.locator("#f-opgaver-opgaver-0-ned").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focused(page, "f-opgaver-opgaver-1-op")
    check_page(page, "18-flyttet-raekke", axe=False)  # the list's page, axe'd as 06-opgaver


def test_every_page_fits_a_phone(browser, live, check_page):
    slug = new_draft(live, "Gruppe på telefonen med et ret langt navn, som skal kunne brydes pænt")
    source = (live.root / "answers" / f"{ADHOC}.yaml").read_text(encoding="utf-8")
    (live.root / "answers" / "telefon-faerdig.yaml").write_text(source, encoding="utf-8")
    reply = live.submit("/k/telefon-faerdig/faerdig", {"version": live.version("/k/telefon-faerdig/gennemse")})
    assert "Word-dokumentet er lavet" in reply.text
    for name, size in (("telefon", PHONE), ("skrivebord", {"width": 1280, "height": 900})):
        context, page = open_context(browser, live, viewport=size)
        try:
            pages = [("liste", "/"), ("ny", "/ny"), ("gennemse", "/k/telefon-faerdig/gennemse"),
                     ("gennemse-opsaetning", "/k/arbejdsgruppe-faelles-sprog-om-rehabilitering/gennemse"),
                     ("dokument", "/k/telefon-faerdig/dokument"), ("fejl", "/k/findes-ikke")]
            sections = [a.get_attribute("href") for a in (page.goto(f"{live.base}/k/{slug}/afsnit/gruppe") and
                                                          page.locator("nav.steps a").all())]
            pages += [(f"afsnit-{href.rsplit('/', 1)[1]}", href) for href in sections[:-1]]
            pages += [("afsnit-udfyldt-formandskab", "/k/telefon-faerdig/afsnit/formandskab"),
                      ("afsnit-udfyldt-tidsplan", "/k/telefon-faerdig/afsnit/tidsplan")]
            for number, (label, path) in enumerate(pages):
                page.goto(live.base + path)
                assert fits(page), f"{name} {label}: {page.evaluate('document.documentElement.scrollWidth')} px"
                check_page(page, f"{name}-{number:02d}-{label}", axe=name == "telefon" and number in (3, 8))
        finally:
            context.close()
    # On a phone the members' table is a stack of cards: each field's label shows above it.
    context, page = open_context(browser, live, viewport=PHONE)
    try:
        page.goto(f"{live.base}/k/telefon-faerdig/afsnit/formandskab")
        label = page.locator("label[for=f-formandskab-medlemmer-0-titel]")
        assert label.is_visible() and label.bounding_box()["width"] > 20
        assert page.locator("#f-formandskab-medlemmer-0-titel").bounding_box()["width"] > 250
        # The review's layout step too: a section's name is a card's title over the whole width,
        # not a narrow column that cuts a long Danish compound mid-word.
        page.goto(f"{live.base}/k/arbejdsgruppe-faelles-sprog-om-rehabilitering/gennemse")
        page.locator("#opsaetning-h").click()
        names = page.locator("table.layout th[scope=row]")
        assert names.count() > 3
        assert all(names.nth(i).bounding_box()["width"] > 300 for i in range(names.count()))
    finally:
        context.close()


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{entry.name}: {cmdline[:200]}")
    return found


@contextlib.contextmanager
def _serve(work: Path, env_extra: dict | None = None, *args: str):
    """A `drafter serve` in its own process group, and the address it printed."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", **(env_extra or {})}
    env.pop("DRAFTER_WORKSPACE", None)
    process = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--port", "0", *args], cwd=work, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    with ended(process):  # also when the test fails or a stop takes too long: with its LibreOffice
        lines = [process.stdout.readline() for _ in range(3)]
        url = next((line.split()[1] for line in lines if line.startswith("Åbn ")), "")
        assert url, lines
        yield process, url


@pytest.mark.skipif(not has_soffice(), reason="LibreOffice is not installed")
def test_sigterm_during_a_pdf_leaves_no_libreoffice_and_no_scratch_folder(browser, tmp_path):
    work = tmp_path / "ws"
    (work / "answers").mkdir(parents=True)
    shutil.copy(ANSWERS_DIR / f"{ADHOC}.yaml", work / "answers")
    temp = tmp_path / "tmp"
    temp.mkdir()
    with _serve(work, {"TMPDIR": str(temp)}, "--no-browser") as (process, url):
        context = browser.new_context(locale="da-DK")
        context.set_default_timeout(30_000)
        try:
            page = context.new_page()
            log_in(page, url.split("/?")[0], url.split("token=")[1])
            page.goto(url.split("?")[0] + f"k/{ADHOC}/dokument")
            press(page, "Lav Word-dokumentet")
            press(page, "Lav PDF og forhåndsvisning")
            assert "laves nu" in page.inner_text("main")  # the page is back at once, the PDF under way
            page.goto(url.split("?")[0])  # and every other page answers meanwhile
            assert "Kommissorier" in page.inner_text("h1")
            deadline = time.monotonic() + 60
            while not _processes_mentioning(str(temp)) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _processes_mentioning(str(temp)), "LibreOffice did not start"
            assert list(temp.glob("drafter-pdf-*"))
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=60)
            context.close()
        assert "Traceback" not in err, err
        assert "stoppet" in out
        assert _processes_mentioning(str(temp)) == []
        assert list(temp.iterdir()) == [], list(temp.iterdir())


def test_the_browser_is_opened_without_the_token_on_its_command_line(browser, tmp_path):
    work = tmp_path / "ws"
    (work / "answers").mkdir(parents=True)
    record = tmp_path / "browser-args.txt"
    fake = tmp_path / "browser.sh"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n', encoding="utf-8")
    fake.chmod(0o755)
    with _serve(work, {"BROWSER": str(fake)}) as (process, url):
        try:
            token = url.split("token=")[1]
            deadline = time.monotonic() + 30
            while not record.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            args = record.read_text(encoding="utf-8").split()
            assert args and token not in " ".join(args)
            launcher = Path(args[-1].removeprefix("file://"))
            assert launcher.stat().st_mode & 0o077 == 0 and launcher.parent.stat().st_mode & 0o077 == 0
            context = browser.new_context(locale="da-DK")
            try:
                page = context.new_page()
                page.goto(launcher.as_uri())
                page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
                page.get_by_role("heading", name="Kommissorier").wait_for()
            finally:
                context.close()
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
        assert not launcher.exists()  # removed when the server stops




@pytest.mark.parametrize("leave", ["reload", "list"])
def test_typing_sent_on_leaving_beside_a_save_under_way_of_the_same_answer_is_kept(page, live, monkeypatch, leave):
    # Two fields of one answer (a row of the communication plan): the first one's save is
    # under way when the second is typed and the page is left (reloaded, or the list opened),
    # so the second goes out on leaving, beside the first. Forced here: the first one writes
    # the file, the next page is read, and only then is the second one handled. Neither the
    # file nor a reloaded page may lose it: the first save is the page's own change, not one
    # made elsewhere.
    slug = new_draft(live, f"Gruppe med to gemninger på vej {leave}")
    path = live.root / "answers" / f"{slug}.yaml"
    pages = live.server.app.sections
    real_save, real_page = pages.save, pages.page
    entered, page_read = threading.Event(), threading.Event()

    def held_save(commission, section, request):
        reply = real_save(commission, section, request)
        if request.value("kommunikation.plan.0.afsender") == "Formandskabet" and not entered.is_set():
            entered.set()
            assert page_read.wait(15)  # written; its reply (and every later save) waits for the next page
        return reply

    def held_page(commission, section, *args, **kwargs):
        reply = real_page(commission, section, *args, **kwargs)
        if entered.is_set():
            page_read.set()
        return reply

    monkeypatch.setattr(pages, "save", held_save)
    monkeypatch.setattr(pages, "page", held_page)
    page.goto(f"{live.base}/k/{slug}/afsnit/kommunikation")
    first = page.get_by_label("Hvem informerer? (kommunikationsopgave 1)")
    second = page.get_by_label("Hvem informeres? (kommunikationsopgave 1)")
    first.fill("Formandskabet")
    first.press("Tab")
    assert entered.wait(15)
    second.fill("Ledere i hjemmeplejen")
    second.press("Tab")  # queued behind the save under way
    if leave == "reload":
        page.reload()
        assert second.input_value() == "Ledere i hjemmeplejen"
        assert first.input_value() == "Formandskabet"
        page.wait_for_function("() => !localStorage.getItem('drafter-kladde:' + location.pathname)")
    else:
        page.goto(f"{live.base}/")
        page_read.set()
    text = file_text_once_it_holds(page, path, "Ledere i hjemmeplejen")
    assert "afsender: Formandskabet" in text and "modtager: Ledere i hjemmeplejen" in text


def test_a_save_still_in_the_browser_when_the_page_is_left_reaches_the_file(page, live):
    # The autosave has been started but has not left the browser (held here by the test)
    # when the person goes to another page: leaving must not cancel it.
    slug = new_draft(live, "Gruppe hvis gemning holdes i browseren")
    path = live.root / "answers" / f"{slug}.yaml"
    held = []
    page.route(f"**/k/{slug}/afsnit/afslutning",
               lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    page.goto(f"{live.base}/k/{slug}/afsnit/afslutning")
    field = page.get_by_label("Hvordan afsluttes gruppens arbejde?")
    field.fill("Med en rapport.")
    field.press("Tab")
    deadline = time.monotonic() + 15
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert len(held) == 1
    page.goto(f"{live.base}/")
    held[0].continue_()
    assert "Med en rapport." in file_text_once_it_holds(page, path, "Med en rapport.")


def test_a_reload_keeps_typing_over_an_empty_answer_whose_suggestion_shows(page, live):
    # The author was emptied and saved, so the page shows the profile's author as a
    # suggestion in its place; what is typed there next is kept in the browser when the
    # page is reloaded before it is saved, and put back (the reload's page names the
    # suggestion beside the file's empty answer, the last save's reply does not).
    slug = new_draft(live, "Gruppe med en foreslået forfatter")
    path = live.root / "answers" / f"{slug}.yaml"
    page.goto(f"{live.base}/k/{slug}/afsnit/dokument")
    author = page.get_by_label("Hvem står som forfatter på dokumentet?")
    before = saves(page)
    author.fill("")
    author.press("Tab")
    wait_saved(page, before)
    held = []  # the save on leaving is held in the browser until the new page is there
    page.route(f"**/k/{slug}/afsnit/dokument",
               lambda route: held.append(route) if route.request.method == "POST" and not held else route.continue_())
    author.fill("Anne Hansen")
    page.reload()
    assert author.input_value() == "Anne Hansen"
    for route in held:
        route.continue_()
    page.wait_for_function("() => !localStorage.getItem('drafter-kladde:' + location.pathname)")
    assert "Anne Hansen" in path.read_text(encoding="utf-8")


def test_an_optional_answer_cleared_stays_empty_after_a_reload(page, live, check_page):
    # The profile suggests the secretariat's text; the person empties the field (autosave),
    # reloads: the field stays empty, says which suggestion was declined, and is saved empty.
    slug = new_draft(live, "Gruppe uden sekretariatstekst", kind="arbejdsgruppe")
    path = live.root / "answers" / f"{slug}.yaml"
    page.goto(f"{live.base}/k/{slug}/afsnit/sekretariat")
    field = page.get_by_label("Hvem sekretariatsbetjener gruppen (kan springes over)?")
    assert field.input_value().startswith("Gruppen sekretariatsbetjenes af")
    before = saves(page)
    field.fill("")
    field.press("Tab")
    wait_saved(page, before)
    assert "sekretariat:\n  tekst: ''\n" in path.read_text(encoding="utf-8")
    page.reload()
    assert field.input_value() == ""
    assert page.get_by_text("Du har ladet feltet stå tomt. Forslaget var:").is_visible()
    check_page(page, "19-tomt-med-vilje")
    next_section(page)
    assert "sekretariat:\n  tekst: ''\n" in path.read_text(encoding="utf-8")
