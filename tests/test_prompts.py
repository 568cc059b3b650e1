"""drafter.prompts on its own: what a key does at a prompt, driven through prompt_toolkit's
pipe input (the real prompts, the real key bindings)."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest

from drafter import prompts


class _Terminal(io.StringIO):
    """An output that says it is a terminal, so prompt_toolkit asks it where the cursor is."""

    def isatty(self) -> bool:
        return True


@contextmanager
def terminal(keys: str):
    """The prompts read *keys* (then end of input) and draw on a terminal that answers
    cursor-position requests as *keys* do."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        output = Vt100_Output(_Terminal(), lambda: Size(rows=24, columns=80), term="xterm-256color", enable_cpr=True)
        with create_app_session(input=pipe, output=output):
            yield


CURSOR_AT_ROW_5 = "\x1b[5;1R"  # a terminal's answer to "where is the cursor?"


def test_a_choice_with_own_text_gives_the_terminals_cursor_answer_to_the_renderer(monkeypatch):
    # The eager any-key binding of a choice with search took the terminal's cursor-position
    # answer, so prompt_toolkit waited a second for it as the prompt closed.
    from prompt_toolkit.renderer import CPR_Support

    seen = {}
    original = prompts.run

    def run(question, message):
        seen["renderer"] = question.application.renderer
        return original(question, message)

    monkeypatch.setattr(prompts, "run", run)
    with terminal(CURSOR_AT_ROW_5 + "Sundheds- og ældreudvalget\r"):
        answer = prompts.select("Hvem nedsætter gruppen?", ["Styregruppen", "Temagruppen"], own_text=True)
    assert answer == "Sundheds- og ældreudvalget" and isinstance(answer, prompts.Typed)
    assert seen["renderer"].cpr_support == CPR_Support.SUPPORTED
    assert not seen["renderer"].waiting_for_cpr


# -- the profile drives the suggestions ----------------------------------------------------

MIDTKLYNGEN_RECEIVERS = ["Klyngestyregruppen", "Voksentemagruppen for somatik", "Voksentemagruppen for psykiatri",
                         "Temagruppen for børn, unge og familie"]

# What each workspace's profile suggests (None: the profile has nothing to suggest, so nothing is).
SUGGESTED = {
    "skovby": {
        "gruppe.nedsat_af": None,
        "gruppe.organisation": "Skovby Kommune",
        "formandskab.model": "én formand",
        "sekretariat.tekst": "Gruppen sekretariatsbetjenes af Sundhedssekretariatet i Skovby Kommune.",
        "dokument.forfatter": "Sundhedssekretariatet",
        "modtager": None,  # no body of the profile receives reports: only the commissioning answer is suggested
        "modtagere": [],
    },
    "neutral": {  # `drafter init --profile neutral --name "Skovby Kommune"`, not filled in further
        "gruppe.nedsat_af": None,
        "gruppe.organisation": "Skovby Kommune",
        "formandskab.model": None,
        "sekretariat.tekst": None,
        "dokument.forfatter": "Sekretariatet",
        "modtager": None,
        "modtagere": [],
    },
    "midtklyngen": {
        "gruppe.nedsat_af": None,  # six bodies commission groups: which one, the person says
        "gruppe.organisation": "Midtklyngen",
        "formandskab.model": "to-delt formandskab",
        "sekretariat.tekst": "Gruppen sekretariatsbetjenes af Fællessekretariatet i Midtklyngen.",
        "dokument.forfatter": "Fællessekretariatet",
        "modtager": None,  # four receive reports: which one, only the commissioning answer says
        "modtagere": MIDTKLYNGEN_RECEIVERS,
    },
    "sundhedsraad": {
        "gruppe.nedsat_af": "Sundhedsrådet",  # the one body that commissions groups
        "gruppe.organisation": "Sundhedsråd Midt",
        "formandskab.model": None,  # the councils have no fixed chair model
        "sekretariat.tekst": "Gruppen sekretariatsbetjenes af Sundhedsrådets sekretariat.",
        "dokument.forfatter": "Sundhedsrådets sekretariat",
        "modtager": "Sundhedsrådet",  # the one body that receives reports
        "modtagere": ["Sundhedsrådet"],
    },
}


def _workspace(name: str, folder):
    from drafter import workspace

    if name == "skovby":  # the neutral profile filled in as the tmux runs' municipality
        import sys

        from conftest import REPO

        sys.path.insert(0, str(REPO / "scripts"))
        from interview_tmux_run import SKOVBY_PROFILE

        (folder / "drafter.yaml").write_text(SKOVBY_PROFILE, encoding="utf-8")
    elif name == "neutral":
        workspace.init(folder, "neutral", name="Skovby Kommune")
    elif name == "midtklyngen":
        workspace.init(folder, "midtklyngen")
    else:
        workspace.init(folder, "sundhedsraad", name="Sundhedsråd Midt", region="Region Midtjylland")
    return workspace.activate(folder)



@pytest.fixture
def restore_workspace():
    from drafter import workspace

    yield
    workspace.activate(None)


@pytest.mark.parametrize("name", SUGGESTED)
def test_the_profile_suggests_commissioner_organisation_chairs_secretariat_author_and_reporting_line(tmp_path, name, restore_workspace):
    from drafter.questionnaire import load_questionnaire

    _workspace(name, tmp_path)
    expected = SUGGESTED[name]
    kind = load_questionnaire("arbejdsgruppe")
    answers: dict = {}
    for path in ("gruppe.nedsat_af", "gruppe.organisation", "formandskab.model", "sekretariat.tekst", "dokument.forfatter"):
        assert kind.question(path).default_value(None, answers) == expected[path], path
    receiver = kind.question("afrapportering.cyklus").field_named("modtager")
    assert receiver.default_value(None, answers) == expected["modtager"]
    assert receiver.choices == expected["modtagere"]  # the profile's own list of receivers
    # Whoever commissioned the group is whom it reports to, in every workspace and kind.
    answers = {"gruppe": {"nedsat_af": "Sundheds- og ældreudvalget"}}
    assert receiver.default_value(None, answers) == "Sundheds- og ældreudvalget"
    adhoc = load_questionnaire("adhoc")
    adhoc_receiver = adhoc.question("tidsplan.rapportering").field_named("modtager")
    assert adhoc_receiver.default_value(None, answers) == "Sundheds- og ældreudvalget"
    assert adhoc_receiver.choices == expected["modtagere"]
    assert adhoc.question("gruppe.klynge").default_value(None, {}) == expected["gruppe.organisation"]
    assert adhoc.question("gruppe.nedsat_af").default_value(None, {}) == expected["gruppe.nedsat_af"]


# -- fewer prompts: a list in one prompt, a section's short questions on one form ---------------

TODAY = __import__("datetime").date(2026, 11, 25)


def _interview(tmp_path, kind: str = "adhoc"):
    from drafter import interview
    from drafter.questionnaire import load_questionnaire
    from drafter.session import DraftSession

    asking = interview.Interview(DraftSession(load_questionnaire(kind), answers_dir=tmp_path / "answers", today=TODAY))
    asking.set("gruppe.navn", "Gruppe om søvn")
    return asking


def test_a_list_is_one_prompt_an_entry_a_line_and_a_wrong_line_is_refused(tmp_path):
    from interview_keys import piped

    asking = _interview(tmp_path)
    question = asking.questionnaire.question("opgaver.opgaver")
    too_long = "x" * 2001
    # Two entries and one too long: refused on the empty line's Enter; Ctrl-U empties that
    # line, and Enter on the empty line then ends the list.
    with piped("Kortlægge søvnvaner\r" + too_long + "\r\r" + "\x15" + "Afprøve en aftenrutine\r\r"):
        asking.ask(question, editing=False)
    assert asking.get("opgaver.opgaver") == ["Kortlægge søvnvaner", "Afprøve en aftenrutine"]
    from drafter.answers import load_answers

    assert load_answers(asking.path).get("opgaver.opgaver") == ["Kortlægge søvnvaner", "Afprøve en aftenrutine"]


def test_ctrl_c_in_a_list_keeps_the_lines_typed_and_resume_goes_on_with_the_list(tmp_path):
    from drafter import interview
    from drafter.answers import load_answers
    from drafter.yamlread import read_answer_file
    from interview_keys import piped

    asking = _interview(tmp_path)
    question = asking.questionnaire.question("opgaver.opgaver")
    with pytest.raises(prompts.Stopped):
        with piped("Kortlægge søvnvaner\rAfprøve en aft\x03"):
            asking.ask(question, editing=False)
    assert load_answers(asking.path).get("opgaver.opgaver") == ["Kortlægge søvnvaner", "Afprøve en aft"]
    assert read_answer_file(asking.path).data["ufaerdige"] == ["opgaver.opgaver"]
    assert asking.kept == ('Også de 2 linjer, du var i gang med at skrive, er gemt i listen ("Afprøve en aft"), '
                           "markeret som ufærdig.")
    # --resume: the list's entries so far are shown, and its prompt takes the next ones.
    from drafter.session import DraftSession

    resumed = interview.Interview(DraftSession.resume(asking.path, answers_dir=tmp_path / "answers", today=TODAY))
    assert "opgaver.opgaver" in [q.path for q in resumed.resume_plan()]
    with piped("Beskrive en fælles arbejdsgang\r\r"):
        resumed.ask(question, editing=False)
    assert load_answers(asking.path).get("opgaver.opgaver") == [
        "Kortlægge søvnvaner", "Afprøve en aft", "Beskrive en fælles arbejdsgang"]
    assert "ufaerdige" not in read_answer_file(asking.path).data


def test_a_sections_short_questions_are_one_form_and_ctrl_c_keeps_what_was_typed(tmp_path):
    from drafter import interview
    from drafter.answers import load_answers
    from interview_keys import piped

    asking = _interview(tmp_path)
    section = next(s for s in asking.questionnaire.sections if s.key == "dokument")
    assert [q.key for q in interview.together_on_a_form(section, section.questions)] == [
        "dato", "version", "status", "forfatter"]
    with pytest.raises(prompts.Stopped):
        with piped("i morgen\t2.0\x03"):  # date and version typed, then Ctrl-C
            asking.ask_questions(section, section.questions, editing=False)
    kept = load_answers(asking.path)
    assert (kept.get("dokument.dato"), kept.get("dokument.version"), kept.get("dokument.status")) == (
        "2026-11-26", "2.0", None)
    assert asking.session.unfinished == ["dokument.dato", "dokument.version"]
    assert asking.kept == "Også det, du havde skrevet under Dokumentet (Dato, Version), er gemt, markeret som ufærdigt."
    # The form again (as --resume opens it): what was typed is in its fields; Enter takes the
    # suggestions for the rest (status, and the profile's author).
    with piped("\r"):
        asking.ask_questions(section, section.questions, editing=False)
    done = load_answers(asking.path)
    assert [done.get(f"dokument.{k}") for k in ("dato", "version", "status")] == ["2026-11-26", "2.0", "udkast"]
    assert done.get("dokument.forfatter")  # the profile's author (or the kind's own default)
    assert asking.session.unfinished == []


def test_a_multi_line_answer_has_one_way_to_end_esc_enter_is_enter():
    # prompt_toolkit ends a multi-line answer on Esc-Enter (Alt-Enter) too; here it starts a
    # new paragraph as Enter does, and only Enter on an empty line ends the answer.
    with terminal("Første afsnit.\x1b\rAndet afsnit.\x1b\r\x1b\r"):
        answer = prompts.text("Hvad er formålet?", lambda typed: None, multiline=True)
    assert answer == "Første afsnit.\n\nAndet afsnit."


BACKSPACE = "\x7f"


@pytest.mark.parametrize("multiline", [False, True], ids=["one line", "paragraphs"])
def test_an_optional_answers_suggestion_is_taken_by_enter_and_declined_by_backspace(multiline):
    from interview_keys import piped

    end = "\r\r" if multiline else "\r"  # a multi-line answer ends with Enter on an empty line
    ask = dict(suggestion="Gruppen kan supplere sig.", multiline=multiline)
    with piped(end):
        assert prompts.text("Supplering?", lambda typed: None, optional=True, **ask) == "Gruppen kan supplere sig."
    with piped(BACKSPACE + end):
        assert prompts.text("Supplering?", lambda typed: None, optional=True, **ask) == ""
    with piped(BACKSPACE + "\t" + end):  # Tab brings the suggestion back, to be edited
        assert prompts.text("Supplering?", lambda typed: None, optional=True, **ask) == "Gruppen kan supplere sig."
    with piped(BACKSPACE + end):  # a required answer has no empty to leave: Backspace does nothing
        assert prompts.text("Supplering?", lambda typed: None, **ask) == "Gruppen kan supplere sig."


def test_a_hint_is_not_left_on_the_line_of_an_answer_sent_empty(monkeypatch):
    # "tom: ingen dato" explains the empty line while it is edited; once sent, the answered
    # line would read it as the answer: it says "(tomt)", as a declined suggestion does.
    from types import SimpleNamespace

    from prompt_toolkit.application import current

    def shown(offered, done: bool) -> str:
        monkeypatch.setattr(current, "get_app", lambda: SimpleNamespace(is_done=done))
        return "".join(text for _, text in offered.placeholder())

    hinted = prompts._Suggestion("", "tom: ingen dato", optional=True)
    assert shown(hinted, False) == "tom: ingen dato"
    assert shown(hinted, True) == prompts.DECLINED_ANSWER == "(tomt)"
    suggested = prompts._Suggestion("Gruppen kan supplere sig.", "", optional=True)
    assert shown(suggested, True) == "Gruppen kan supplere sig."  # taken by Enter: it is the answer


def test_an_optional_form_fields_suggestion_is_declined_by_backspace():
    from drafter.recordform import DECLINE_HINT, FormField, RecordForm
    from interview_keys import piped

    def form() -> RecordForm:
        return RecordForm("Medlem", [
            FormField("navn", "Navn", lambda typed: (None, "")),
            FormField("titel", "Titel", lambda typed: (None, ""), suggestion="Konsulent"),
            FormField("rolle", "Rolle", lambda typed: (None, ""), suggestion="Tovholder", optional=True),
        ], "", focus=2)

    footer = " ".join("".join(text for _, text in form()._footer()).split())
    assert DECLINE_HINT in footer  # said while the optional field shows its suggestion
    with piped(BACKSPACE + "\x1b[Z" + BACKSPACE + "\x1b[Z" + "Else Berg\r"):  # Shift-Tab back up the form
        assert prompts.run(form().app, "Medlem") == {"navn": "Else Berg", "titel": "Konsulent", "rolle": ""}
    with piped("\x1b[Z\x1b[ZElse Berg\r"):
        assert prompts.run(form().app, "Medlem") == {"navn": "Else Berg", "titel": "Konsulent", "rolle": "Tovholder"}


def test_a_form_field_with_a_list_saves_the_listed_choice_not_the_typed_fragment():
    # "Næs" typed, "Næstved Kommune" the one choice listed, Enter: the form saved "Næs" into the
    # document (a choice with search takes the item it points at). Text matching none stays own.
    from drafter.recordform import CHOICE_KEYS_HINT, FormField, RecordForm
    from interview_keys import piped

    parties = ["Region Østdanmark", "Næstved Kommune", "Vordingborg Kommune"]

    def form() -> RecordForm:
        return RecordForm("Formand", [
            FormField("navn", "Navn", lambda typed: (None, "")),
            FormField("organisation", "Organisation", lambda typed: (None, ""), choices=parties),
            FormField("rolle", "Rolle", lambda typed: (None, ""), choices=parties, optional=True),
        ], "")

    with piped("Åse Kjærgaard\tnæs\r"):
        assert prompts.run(form().app, "Formand")["organisation"] == "Næstved Kommune"
    with piped("Åse Kjærgaard\tKommune\tÆldre Sagen\r"):  # Tab takes the first listed; own text stays
        assert prompts.run(form().app, "Formand") == {"navn": "Åse Kjærgaard", "organisation": "Næstved Kommune",
                                                       "rolle": "Ældre Sagen"}
    with piped("Åse Kjærgaard\tregion østdanmark\t\r"):  # an empty field takes nothing
        assert prompts.run(form().app, "Formand") == {"navn": "Åse Kjærgaard", "organisation": "Region Østdanmark",
                                                       "rolle": ""}
    assert "ellers det øverste" in CHOICE_KEYS_HINT
    fields = form().fields
    fields[1].current = "Næstved"  # an earlier answer (drafter edit), passed over with Tab: not rewritten
    with piped("Åse\t\t\r"):
        assert prompts.run(RecordForm("Formand", fields, "").app, "Formand")["organisation"] == "Næstved"


# -- the autosave's check that other tools read the file, entry by entry ------------------------

def test_reading_a_file_entry_by_entry_agrees_with_reading_it_whole():
    # The interview's autosave checks each top-level entry with PyYAML's pure loader once;
    # that must say exactly what reading the whole file says, whatever a hand edit left.
    import random

    from conftest import ANSWERS_DIR
    from drafter import yamlio

    rng = random.Random(28)
    pieces = ["\n", "\n  ", "\nx: ", ": ", "'", '"', "[", "]", "{", "}", ",", "?", "-", "#", "|", ">", "\t",
              "2026-13-01", "\nkey: [a,", "\n", " 0?", "\nb", " &a ", " *a", " !!str ", "\n---\n", "%YAML 1.1\n", "50 %",
              " & ", "!", "\n  kind: x\n"]
    # The first 40 lines of three examples: several entries each, and cheap to read.
    texts = ["".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:40])
             for path in sorted(ANSWERS_DIR.glob("*.yaml"))[:3]]
    for number in range(100):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(pieces) + text[at:]
        assert yamlio.readable_by_others(text) == yamlio._pure_yaml_reads(text), (number, text)
