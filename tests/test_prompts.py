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

SKOVBY = """\
schema_version: 1
organisation:
  navn: Skovby Kommune
  type: kommune
sekretariat: Sundhedssekretariatet i Skovby Kommune
forfatter: Sundhedssekretariatet
formandskab:
  model: en
"""

MIDTKLYNGEN_RECEIVERS = ["Klyngestyregruppen", "Voksentemagruppen for somatik", "Voksentemagruppen for psykiatri",
                         "Temagruppen for børn, unge og familie"]

# What each workspace's profile suggests (None: the profile has nothing to suggest, so nothing is).
SUGGESTED = {
    "skovby": {
        "gruppe.organisation": "Skovby Kommune",
        "formandskab.model": "én formand",
        "sekretariat.tekst": "Gruppen sekretariatsbetjenes af Sundhedssekretariatet i Skovby Kommune.",
        "dokument.forfatter": "Sundhedssekretariatet",
        "modtager": None,  # no body of the profile receives reports: only the commissioning answer is suggested
        "modtagere": [],
    },
    "midtklyngen": {
        "gruppe.organisation": "Midtklyngen",
        "formandskab.model": "to-delt formandskab",
        "sekretariat.tekst": "Gruppen sekretariatsbetjenes af Fællessekretariatet i Midtklyngen.",
        "dokument.forfatter": "Fællessekretariatet",
        "modtager": None,  # four receive reports: which one, only the commissioning answer says
        "modtagere": MIDTKLYNGEN_RECEIVERS,
    },
    "sundhedsraad": {
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

    if name == "skovby":
        (folder / "drafter.yaml").write_text(SKOVBY, encoding="utf-8")
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
def test_the_profile_suggests_organisation_chairs_secretariat_author_and_reporting_line(tmp_path, name, restore_workspace):
    from drafter.questionnaire import load_questionnaire

    _workspace(name, tmp_path)
    expected = SUGGESTED[name]
    kind = load_questionnaire("arbejdsgruppe")
    answers: dict = {}
    for path in ("gruppe.organisation", "formandskab.model", "sekretariat.tekst", "dokument.forfatter"):
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
