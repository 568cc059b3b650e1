"""`drafter serve` in a real browser: Debian's headless Chromium, driven by Playwright.

One browser for the whole session. The main test fills in an ad-hoc commission from
scratch as a person would (keyboard for the tables, a validation error fixed, a reload
half-way), downloads the document and compares it with what `drafter render` makes from
the saved answer file. Every page is checked with axe-core (no serious or critical
violations) and photographed; set DRAFTER_WEB_SCREENSHOTS=folder to keep the pictures.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from conftest import run_cli
from web_support import LiveServer

CHROMIUM = os.environ.get("DRAFTER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (Debian: apt install chromium)", allow_module_level=True)
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


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
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
    tab.goto(f"{live.base}/?token={live.token}")
    yield tab
    context.close()


class Checker:
    """axe-core on each page visited, and a screenshot of it."""

    def __init__(self, folder: Path | None):
        self.source = axe_source()
        self.folder = folder
        self.seen: dict[str, list] = {}

    def __call__(self, page, name: str, axe: bool = True) -> None:
        """*axe*: False for a page of a kind already checked (axe takes a second a page)."""
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


def press(page, button: str) -> None:
    """Click a button that sends the form (after any autosave under way) and wait for the page."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


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
    check_page(page, "03-gruppen")
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
    assert page.evaluate("document.activeElement.id") == "f-opgaver-opgaver-1"  # focus on the new row
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
    check_page(page, "07-formandskab")
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
    check_page(page, "08-tidsplan-fejl")
    assert page.get_by_label("Hvad skal være nået? (milepæl 1)").input_value() == "Kortlægningen er færdig"
    milestone.fill("15. marts 2027")
    next_section(page)

    # Kommunikation: autosave, then a reload half-way loses nothing.
    before = saves(page)
    page.get_by_label("Interessent 1").fill("Hjemmeplejen i de tre kommuner")
    page.get_by_label("Interessent 1").press("Tab")
    wait_saved(page, before)
    page.get_by_label("Hvem informerer? (kommunikationsopgave 1)").fill("Formandskabet")
    page.get_by_label("Hvem informeres? (kommunikationsopgave 1)").fill("Ledere i hjemmeplejen")
    page.get_by_label("Om hvad? (kommunikationsopgave 1)").fill("Nye arbejdsgange")
    before = saves(page)
    page.get_by_label("Hvornår? (kommunikationsopgave 1)").fill("Efter hvert møde")
    page.get_by_label("Hvornår? (kommunikationsopgave 1)").press("Tab")
    wait_saved(page, before)
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
    page.goto(f"{live.base}/?token={live.token}")
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
        page.goto(f"{live.base}/?token={live.token}")  # the person is "logged in"
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
