"""`drafter new` in a real terminal (tmux, a private server per test) at 80×24 and 60×20:
what the screens look like, and that what is typed is what is saved, whatever happens."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ADHOC_EXAMPLE, REPO
from test_interview_cli import EXIT_MARK, Tmux, drafter_in_tmux, kind_of, needs_tmux

sys.path.insert(0, str(REPO / "scripts"))

from interview_tmux_run import MEMBERS, SKOVBY_PROFILE, run_commission  # noqa: E402

from drafter.answers import load_answers
from drafter.yamlread import read_answer_file  # noqa: E402

pytestmark = needs_tmux


def mid_word_breaks(screen: str, columns: int) -> list[str]:
    """Lines the terminal broke inside a word: a line filling the whole width that ends in a
    letter, followed by a line that starts with one (drafter's own text breaks between words
    one column short of the edge, so only the terminal fills it)."""
    lines = screen.split("\n")
    return [
        f"{a!r} / {b!r}" for a, b in zip(lines, lines[1:])
        if len(a) >= columns and a[-1:].isalnum() and b[:1].isalnum()
    ]


def touching(screen: str, values: list[str]) -> list[str]:
    """Values drawn right after a label's text (fewer than two spaces between them)."""
    out = []
    for value in values:
        line = next((line for line in screen.splitlines() if value in line), None)
        assert line is not None, f"{value!r} is not on the screen:\n{screen}"
        before = line[: line.index(value)]
        if before.strip() and not before.endswith("  "):
            out.append(line)
    return out


def draft(folder: Path, keep: list[str], lists: dict[str, list] | None = None, unfinished: list[str] | None = None,
          example: Path = ADHOC_EXAMPLE) -> Path:
    """A draft in folder/answers made from an example: the sections *keep* (and *lists*
    set as given), marked complete: false; the examples' workspace beside it."""
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    out = {"kind": data["kind"], "schema_version": data["schema_version"], "complete": False}
    if unfinished:
        out["ufaerdige"] = unfinished
    for key in keep:
        out[key] = data[key]
    for dotted, value in (lists or {}).items():
        section, _, key = dotted.partition(".")
        out.setdefault(section, {})[key] = value
    (folder / "answers").mkdir(exist_ok=True)
    if not (folder / "drafter.yaml").exists():
        shutil.copy(REPO / "drafter.yaml", folder / "drafter.yaml")
    path = folder / "answers" / "kladde.yaml"
    path.write_text(yaml.safe_dump(out, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def draft_before_the_members(folder: Path) -> Path:
    """An adhoc draft answered up to the members (the chairs from the example), so that
    `--resume` opens on the first member's form."""
    example = yaml.safe_load(ADHOC_EXAMPLE.read_text(encoding="utf-8"))
    return draft(folder, ["gruppe", "dokument", "formaal", "opgaver"],
                 {"formandskab.formaend": example["formandskab"]["formaend"], "formandskab.medlemmer": []},
                 unfinished=["formandskab.medlemmer"])


def in_tmux(command: str, cwd: Path, size=(80, 24), env: str = "", wrap: str | None = None) -> Tmux:
    """drafter with *command* in tmux; *env* adds variables; *wrap* is a shell line around it ({} = drafter)."""
    variables = f"PYTHONPATH={shlex.quote(str(REPO))} PYTHONIOENCODING=utf-8 LANG=C.UTF-8 TERM=xterm-256color {env}"
    drafter = f"env {variables} {shlex.quote(sys.executable)} -m drafter {command}"
    line = (wrap.replace("{}", drafter) if wrap else drafter) + f"; echo {EXIT_MARK}$?"
    return Tmux(f"sh -c {shlex.quote(line)}", cwd, size, kind=kind_of(command))


def paste(session: Tmux, text: str) -> None:
    """Paste *text* as a terminal does (bracketed, when the program asks for it)."""
    session._tmux("set-buffer", "-b", session.name, text)
    session._tmux("paste-buffer", "-p", "-d", "-b", session.name, "-t", session.name)


# -- the whole commission, and the forms ----------------------------------------------------

def assert_finished_in_clean_panes(result, size: tuple[int, int], most_prompts: int = 50) -> None:
    """A scripted commission ended well, in at most *most_prompts* prompts, and every pane it
    saw fits the terminal, with no word broken by it and no traceback."""
    columns, rows = size
    assert result.status == 0, result.screens.get("end")
    assert result.prompts <= most_prompts
    for pane in result.panes:
        assert len(pane.splitlines()) <= rows
        assert not mid_word_breaks(pane, columns), pane
        assert "Traceback" not in pane


def test_a_whole_commission_at_80_by_24_in_a_municipality_workspace(tmp_path):
    result = run_commission(tmp_path / "skovby", (80, 24))
    assert_finished_in_clean_panes(result, (80, 24))
    # The neutral profile filled in as Skovby Kommune drives the suggestions.
    assert "» Skovby Kommune" in result.screens["organisation"]
    assert "Gruppen sekretariatsbetjenes af Sundhedssekretariatet i Skovby Kommune." in result.screens["secretariat"]
    answers = load_answers(next((tmp_path / "skovby" / "answers").glob("*.yaml")))
    assert answers.complete
    assert answers.get("gruppe.klynge") == "Skovby Kommune"
    assert answers.get("gruppe.nedsat_af") == "Sundheds- og ældreudvalget"
    assert answers.get("dokument.forfatter") == "Sundhedssekretariatet"
    assert answers.get("formandskab.sekretariat") == "Gruppen sekretariatsbetjenes af Sundhedssekretariatet i Skovby Kommune."
    assert answers.get("formaal.tekst").count("\n\n") == 1  # two paragraphs, one a line
    # Each member's values in that member's own fields.
    assert answers.get("formandskab.medlemmer") == [
        {"navn": n, "titel": t, "organisation": o, "rolle": r or None} for n, t, o, r in MEMBERS
    ]
    assert len(answers.get("formandskab.formaend")) == 2 and len(answers.get("tidsplan.milepaele")) == 3
    assert len(answers.get("opgaver.opgaver")) == 3


def test_the_chair_model_and_the_secretariat_start_on_the_profiles(tmp_path):
    (tmp_path / "drafter.yaml").write_text(SKOVBY_PROFILE, encoding="utf-8")
    (tmp_path / "answers").mkdir()
    path = tmp_path / "answers" / "kladde.yaml"
    path.write_text(
        "kind: arbejdsgruppe\nschema_version: 1\ncomplete: false\ngruppe:\n  navn: Arbejdsgruppe om mad\n"
        "sammensaetning:\n  medlemmer:\n    - navn: Lise Holm\n", encoding="utf-8",
    )
    session = in_tmux("new arbejdsgruppe --resume answers/kladde.yaml", tmp_path)
    try:
        session.wait_for("Kan gruppen supplere sig")
        session.send("Enter")
        screen = session.wait_for("Hvordan ledes gruppen")
        session.wait_for("» én formand")  # the profile's model (formandskab: {model: en}), chosen
        session.send("Enter")
        session.wait_for("Formand 1:")
        session.send("Enter")
        session.wait_for("Hvad har formandskabet ansvar for")
        session.send("Enter")
        screen = session.wait_for("Hvem sekretariatsbetjener gruppen")
        assert "Gruppen sekretariatsbetjenes af Sundhedssekretariatet i Skovby Kommune." in screen
        session.send("C-c")
        session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
    assert load_answers(path).get("formandskab.model") == "én formand"


FORMS = {
    # (the records question, sections before it, its longest label, values to type)
    "medlem": ("formandskab.medlemmer", ["gruppe", "dokument", "formaal", "opgaver"],
               ["Ida Holm", "Visitator", "Skive Kommune", "Tovholder på data"]),
    "snitflade": ("opgaver.snitflader", ["gruppe", "dokument", "formaal"],
                  ["Netværket for demens", "Fælles aftaler om overgange"]),
}


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
@pytest.mark.parametrize("form", FORMS)
def test_a_record_form_reads_right_and_enter_saves_it_from_any_field(tmp_path, form, size):
    path, keep, values = FORMS[form]
    lists = {"opgaver.opgaver": ["Kortlægge praksis"], "opgaver.snitflader": []} if form == "snitflade" else {}
    if form == "medlem":
        example = yaml.safe_load(ADHOC_EXAMPLE.read_text(encoding="utf-8"))
        lists = {"formandskab.formaend": example["formandskab"]["formaend"], path: []}
    else:
        lists[path] = []
    draft_path = draft(tmp_path, keep, lists, unfinished=[path])
    session = in_tmux("new adhoc --resume answers/kladde.yaml", tmp_path, size=size)
    try:
        session.wait_for("Enter: gem")
        for number, value in enumerate(values):
            if number:
                session.send("Tab")
            session.type(value)
        screen = session.wait_for(values[-1])
        assert not touching(screen, values), screen
        assert not mid_word_breaks(screen, size[0]), screen
        assert all(len(line) <= size[0] for line in screen.splitlines())
        session.send("BTab")  # back in an earlier field: Enter still saves the whole entry
        session.send("Enter")
        session.wait_for("✓ ")
        session.send("C-c")
        screen = session.wait_for("Fortsæt, hvor du slap")
        assert "Traceback" not in screen
    finally:
        session.close()
    saved = load_answers(draft_path).get(path)
    assert [list(entry.values()) for entry in saved] == [values]


def test_outside_any_workspace_new_names_the_profile_before_the_first_question(tmp_path):
    assert not any((folder / "drafter.yaml").exists() for folder in (tmp_path, *tmp_path.parents))
    session = drafter_in_tmux("new adhoc", tmp_path, size=(80, 24))
    try:
        screen = session.wait_for("Hvad hedder gruppen?")
        assert "den indbyggede profil neutral" in screen
        assert screen.index("den indbyggede profil neutral") < screen.index("Hvad hedder gruppen?")
        session.send("C-c")
        session.wait_for("Intet er gemt")
    finally:
        session.close()


# -- what is typed is what is saved ------------------------------------------------------------

def test_own_text_at_a_choice_with_search_is_kept_and_danish_letters_search(workdir):
    session = drafter_in_tmux("new temagruppe", workdir, size=(80, 24))
    try:
        session.wait_for("(piletaster og Enter, eller skriv")
        session.type("børn")
        screen = session.wait_for("/ børn")
        assert "Temagruppen for børn, unge og familie" in screen  # æ, ø, å search as any letter
        assert "Voksentemagruppen for somatik" not in screen
        session.type(" på Ærø og Fanø")
        session.wait_for("/ børn på Ærø og Fanø")
        session.send("Enter")
        session.wait_for("Hvilken sundhedsklynge")
        session.send("C-c")
        screen = session.wait_for("Fortsæt, hvor du slap")
        assert "answers/boern-paa-aeroe-og-fanoe.yaml" in screen
    finally:
        session.close()
    saved = load_answers(workdir / "answers" / "boern-paa-aeroe-og-fanoe.yaml")
    assert saved.get("gruppe.navn") == "børn på Ærø og Fanø"


def test_a_pasted_multi_line_name_becomes_one_line_and_says_so(workdir):
    session = drafter_in_tmux("new adhoc", workdir, size=(80, 24))
    try:
        session.wait_for("Hvad hedder gruppen?")
        paste(session, "Ole\nOlsen\tLæge\r\nViborg 👩")
        screen = session.wait_for("linjeskift")
        assert "Ole Olsen Læge Viborg" in screen
        session.send("Enter")
        session.wait_for("Er det en ad-hoc gruppe")
        session.send("C-c")
        session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
    saved = workdir / "answers" / "ole-olsen-laege-viborg.yaml"
    assert load_answers(saved).get("gruppe.navn") == "Ole Olsen Læge Viborg 👩"
    assert "navn: Ole Olsen Læge Viborg 👩\n" in saved.read_text(encoding="utf-8")  # readable, not \U0001F469


def test_a_name_pasted_into_a_form_field_keeps_every_line(tmp_path):
    path = draft_before_the_members(tmp_path)
    session = in_tmux("new adhoc --resume answers/kladde.yaml", tmp_path)
    try:
        session.wait_for("Enter: gem")
        paste(session, "Ole\nOlsen")
        session.wait_for("linjeskift")
        for value in ("Læge", "Viborg Kommune"):
            session.send("Tab")
            session.type(value)
        session.send("Enter")
        session.wait_for("✓ ")
        session.send("C-c")
        session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
    assert load_answers(path).get("formandskab.medlemmer")[0]["navn"] == "Ole Olsen"


# -- the editor (Ctrl-E) ---------------------------------------------------------------------------

EDITOR_SCRIPT = """\
#!/bin/sh
# A stand-in editor: what it does with the file ($1) is read from the file "mode" beside it.
mode=$(cat "{mode}")
case "$mode" in
  latin1) printf 'Caf\\351 og r\\370dgr\\370d' > "$1" ;;
  delete) rm -f "$1" ;;
  folder) rm -f "$1"; mkdir "$1" ;;
  fail) exit 3 ;;
  big) head -c 3000000 /dev/zero | tr '\\0' 'a' > "$1" ;;
  ok) printf 'Fra editoren, linje et\\nsamme afsnit.\\n\\nAndet afsnit.\\n' > "$1" ;;
esac
"""


def _multi_line_prompt(tmp_path: Path, env: str) -> Tmux:
    draft(tmp_path, ["gruppe", "dokument"])
    session = in_tmux("new adhoc --resume answers/kladde.yaml", tmp_path, env=env)
    session.wait_for("Enter på en tom linje: færdig")
    return session


def test_every_editor_failure_is_said_in_danish_and_the_text_stays(tmp_path):
    mode = tmp_path / "mode"
    editor = tmp_path / "editor.sh"
    editor.write_text(EDITOR_SCRIPT.format(mode=mode), encoding="utf-8")
    editor.chmod(0o755)
    session = _multi_line_prompt(tmp_path, f"EDITOR={shlex.quote(str(editor))}")
    try:
        session.type("Skrevet her")
        session.send("C-z")  # types no control character
        session.type(" igen")
        session.wait_for("Skrevet her igen")
        for name, said in [("latin1", "tegnkodning end UTF-8"), ("delete", "slettede tekstfilen"),
                           ("folder", "en mappe i stedet for tekstfilen"), ("fail", "sluttede med en fejl (kode 3)"),
                           ("big", "for lang")]:
            mode.write_text(name, encoding="utf-8")
            session.send("C-e")
            screen = session.wait_for(said)
            assert "Traceback" not in screen and "Unhandled exception" not in screen, screen
            assert "Skrevet her igen" in screen  # the text in the prompt stays
        mode.write_text("ok", encoding="utf-8")
        session.send("C-e")
        session.wait_for("Andet afsnit.")
        session.send("C-c")
        screen = session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
    assert read_answer_file(tmp_path / "answers" / "kladde.yaml").data["formaal"]["tekst"] == (
        "Fra editoren, linje et samme afsnit.\n\nAndet afsnit."
    )


@pytest.mark.parametrize("editor, said", [
    ("'vi", 'EDITOR="\'vi" kan ikke læses som en kommando'),
    ("/findes/ikke/editor", 'Editoren "/findes/ikke/editor" kan ikke startes'),
])
def test_an_editor_that_cannot_be_started_is_said_in_danish(tmp_path, editor, said):
    session = _multi_line_prompt(tmp_path, f"EDITOR={shlex.quote(editor)}")
    try:
        session.send("C-e")
        screen = session.wait_for(said)
        assert "Traceback" not in screen and "Unhandled exception" not in screen
    finally:
        session.close()


# -- no answer only in memory ------------------------------------------------------------------------

def _mount_answers(options: str, filler: int = 0) -> str:
    """A shell line running drafter ({}) with answers/ a tmpfs of its own (a private mount namespace)."""
    fill = f" && head -c {filler} /dev/zero > answers/.fyld" if filler else ""
    return (f"unshare -m sh -c {shlex.quote(f'mount -t tmpfs -o {options} tmpfs answers{fill} || exit 77; ' + '{}')}")


@pytest.mark.parametrize("case", ["disk-full", "read-only"])
def test_a_failed_autosave_leaves_every_answer_in_a_recovery_file_and_the_resume_works(tmp_path, case):
    (tmp_path / "answers").mkdir()
    shutil.copy(REPO / "drafter.yaml", tmp_path / "drafter.yaml")
    cache = tmp_path / "cache"
    # disk full: one free page, enough for the first save but not for the next (the old file
    # stays until the new one is complete); read-only: no save at all.
    wrap = _mount_answers("size=16k", filler=12 * 1024) if case == "disk-full" else _mount_answers("ro,size=16k")
    session = in_tmux("new adhoc", tmp_path, env=f"DRAFTER_CACHE_DIR={shlex.quote(str(cache))}", wrap=wrap)
    try:
        screen = session.wait_for("Hvad hedder gruppen?")
        session.type("Gruppe om søvn")
        session.send("Enter")
        if case == "disk-full":
            session.wait_for("» ad-hoc gruppe")
            session.send("Down", "Enter")  # projektgruppe: the answer that cannot be saved
        screen = session.wait_for(EXIT_MARK)
        if f"{EXIT_MARK}77" in screen:
            pytest.skip("this container does not allow a private tmpfs mount")
        assert "Svarene kan ikke gemmes" in screen and "Traceback" not in screen, screen
        assert session.exit_status() == 1
    finally:
        session.close()
    recovery = next(cache.rglob("*-gendannet.yaml"))
    joined = screen.replace("\n", "")
    assert f"drafter new {'projektgruppe' if case == 'disk-full' else 'adhoc'} --resume {recovery}" in joined
    saved = load_answers(recovery)
    assert saved.get("gruppe.navn") == "Gruppe om søvn"
    if case == "disk-full":
        assert saved.get("gruppe.type") == "projektgruppe"
    # The printed command goes on from there, in the draft the answers belong to (the
    # recovery file has done its job once they are saved there).
    kind = "projektgruppe" if case == "disk-full" else "adhoc"
    session = in_tmux(f"new {kind} --resume {shlex.quote(str(recovery))}", tmp_path)
    try:
        session.wait_for("Hvem nedsætter projektgruppen?" if case == "disk-full" else "Er det en ad-hoc gruppe")
        session.send("C-c")
        screen = session.wait_for("Fortsæt, hvor du slap")
        assert "gemt i answers/gruppe-om-soevn.yaml" in screen.replace("\n", "")
    finally:
        session.close()
    assert load_answers(tmp_path / "answers" / "gruppe-om-soevn.yaml").get("gruppe.navn") == "Gruppe om søvn"
    assert not recovery.exists()


def test_ctrl_c_at_the_file_changed_elsewhere_prompt_keeps_the_latest_answer(tmp_path):
    path = draft(tmp_path, ["gruppe"])
    session = in_tmux("new adhoc --resume answers/kladde.yaml", tmp_path)
    try:
        session.wait_for("Enter: gem")  # the document's form, the cursor in its date
        changed = path.read_text(encoding="utf-8") + "# rettet i en editor imens\n"
        path.write_text(changed, encoding="utf-8")
        session.type("i morgen")
        session.send("Enter")
        session.wait_for("er ændret uden for drafter")
        session.wait_for("» Indlæs filen igen")
        session.send("C-c")
        screen = session.wait_for("Fortsæt, hvor du slap").replace("\n", " ")
        assert session.exit_status() == 130
    finally:
        session.close()
    beside = tmp_path / "answers" / "kladde-mine-svar.yaml"
    assert "gemt i answers/kladde-mine-svar.yaml" in screen
    assert "--resume answers/kladde-mine-svar.yaml" in screen
    assert "answers/kladde.yaml er ændret uden for drafter og er ikke rørt" in screen
    assert path.read_text(encoding="utf-8") == changed
    assert read_answer_file(beside).data["dokument"]["dato"] is not None


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_a_terminal_that_is_not_utf8_is_refused_naming_its_encoding(workdir, encoding):
    before = sorted(p.name for p in (workdir / "answers").iterdir())
    session = in_tmux("new adhoc", workdir, env=f"PYTHONIOENCODING={encoding}")
    try:
        session.wait_for(EXIT_MARK)
        screen = session._tmux("capture-pane", "-p", "-S", "-30", "-t", session.name)  # with what scrolled off
        import codecs

        assert f"terminalens tegnkodning er {codecs.lookup(encoding).name}" in screen, repr(screen)
        assert "ikke UTF-8, så æ, ø og å ville ikke blive gemt" in screen.replace("\n", ""), screen
        assert "Traceback" not in screen
        assert session.exit_status() == 2
    finally:
        session.close()
    assert sorted(p.name for p in (workdir / "answers").iterdir()) == before


def test_an_optional_answers_suggestion_is_declined_with_backspace_or_taken_with_enter(tmp_path):
    """A profile suggests the optional "may the group co-opt" paragraph: Backspace then Enter
    leaves it empty; the rotation plan's suggestion for the optional chair line is one Enter."""
    from conftest import ANSWERS_DIR

    profile = (REPO / "drafter" / "profiles" / "midtklyngen.yaml").read_text(encoding="utf-8")
    asked = "spoergsmaal:\n  temagruppe:\n"
    assert asked in profile
    (tmp_path / "drafter.yaml").write_text(profile.replace(
        asked, asked + "    medlemmer.supplering:\n      forslag: Temagruppen kan supplere sig ad-hoc.\n", 1), encoding="utf-8")
    example = ANSWERS_DIR / "temagruppe-voksentemagruppen-for-somatik.yaml"
    members = yaml.safe_load(example.read_text(encoding="utf-8"))["medlemmer"]
    path = draft(tmp_path, ["gruppe", "dokument", "formaal", "opgaver"],
                 {"medlemmer.tekst": members["tekst"], "medlemmer.medlemmer": members["medlemmer"]}, example=example)
    session = in_tmux("new temagruppe --resume answers/kladde.yaml", tmp_path)
    try:
        screen = session.wait_for("› Temagruppen kan supplere sig ad-hoc.")
        assert "Backspace: lad feltet stå tomt" in " ".join(screen.split())
        session.send("BSpace")
        session.wait_for("› (tomt; Tab: forslaget igen)")
        session.send("Enter")
        screen = session.wait_for("Hvordan er formandskabet sat sammen")
        assert "Kan temagruppen supplere sig (kan springes over)?\n› (tomt)\n" in screen  # as it was answered
        session.type("Formandskabet er delt.")
        session.send("Enter", "Enter")
        session.wait_for("› HE Midt og Viborg Kommune")  # the rotation plan's suggestion
        session.send("Enter")
        session.wait_for("Fra hvilken dato er (eller bliver)")
        session.send("C-c")
        session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
    saved = load_answers(path)
    assert saved.get("medlemmer.supplering") is None
    assert "  supplering: ''\n" in path.read_text(encoding="utf-8")  # left empty on purpose: not offered again
    assert saved.get("formandskab.medformandskab") == "HE Midt og Viborg Kommune"
    assert saved.get("formandskab.tekst") == "Formandskabet er delt."


def test_a_hand_edited_draft_resumes(tmp_path):
    path = draft(tmp_path, ["gruppe", "dokument"])
    text = path.read_text(encoding="utf-8").replace("complete: false\n", "")
    path.write_text(text + "ufaerdige: formaal.tekst\nopgaver:\n  opgaver: Én opgave\n", encoding="utf-8")
    session = in_tmux("new adhoc --resume answers/kladde.yaml", tmp_path)
    try:
        screen = session.wait_for("Hvad er formålet med gruppens arbejde?").replace("\n", " ")
        assert "læst som en liste med ét punkt" in screen and "fortsættes som kladde" in screen
        assert "Traceback" not in screen and "intern fejl" not in screen
        session.send("C-c")
        session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
    assert load_answers(path).get("opgaver.opgaver") == ["Én opgave"]


def test_resume_reopens_the_member_form_stopped_half_typed(tmp_path):
    path = draft_before_the_members(tmp_path)
    session = in_tmux("new adhoc --resume answers/kladde.yaml", tmp_path)
    try:
        session.wait_for("Enter: gem")
        for value in ("Ida Holm", "Visitator", "Skive Kommune", "Tovholder på"):  # every field valid,
            session.type(value)  # the role still being typed
            session.send("Tab")
        session.send("C-c")
        session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
    session = in_tmux("new adhoc --resume answers/kladde.yaml", tmp_path)
    try:
        screen = session.wait_for("Enter: gem")
        assert "Medlem 1:" in screen and "Tovholder på" in screen  # the same member, to go on with
        session.send("End")
        session.type(" data")
        session.send("Enter")
        session.wait_for("Medlem 2:")
        session.send("C-c")
        session.wait_for("Fortsæt, hvor du slap")
    finally:
        session.close()
    assert load_answers(path).get("formandskab.medlemmer") == [
        {"navn": "Ida Holm", "titel": "Visitator", "organisation": "Skive Kommune", "rolle": "Tovholder på data"}
    ]
    assert read_answer_file(path).data["ufaerdige"] == ["formandskab.medlemmer"]


def test_kinds_needing_data_the_profile_lacks_are_listed_apart_with_what_is_missing(tmp_path):
    session = drafter_in_tmux("new", tmp_path, size=(80, 24))
    try:
        screen = session.wait_for("Hvilken slags kommissorium vil du skrive?")
        session.wait_for("» ")
        screen = session.screen()
        assert "── Kræver data, som profilen ikke har:" in screen
        assert "- Temagruppe (mangler temagrupper, klynger og rotationsplan)" in screen
        assert "Arbejdsgruppe (arbejdsgruppe)" in screen.split("── Kræver")[0]
        assert not mid_word_breaks(screen, 80) and all(len(line) < 80 for line in screen.splitlines())
        session.send("C-c")
        session.wait_for("Intet er gemt")
    finally:
        session.close()
