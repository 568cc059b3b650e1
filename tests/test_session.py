"""The draft session (drafter.session) every front end drives, by question key: set, when,
kind switch, waivers, resume of hand edits, save (round trip, stale file, recovery), finish."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import ADHOC_EXAMPLE, docx_text

from drafter import api
from drafter.errors import AnswerFileError, InvalidValue, UsageError
from drafter.questionnaire import load_questionnaire
from drafter.session import AutosaveFailed, ChangedElsewhere, DraftSession
from drafter.yamlread import read_answer_file

TODAY = dt.date(2026, 11, 25)
NAME = "Ad-hoc gruppe om søvn"
SLUG = "ad-hoc-gruppe-om-soevn"

WHEN_KIND = """
kind: proeve
schema_version: 1
name: Prøvekommissorium
description: En lille type med et spørgsmål, der kun stilles, når et andet er ja.
sections:
  - key: gruppe
    title: Gruppen
    questions:
      - {key: navn, type: text, prompt: Hvad hedder gruppen?, required: true}
      - {key: budget, type: bool, prompt: Har gruppen et budget?, default: false, required: true}
      - {key: beloeb, type: text, prompt: Hvor stort er budgettet?, when: gruppe.budget, required: true}
      - {key: poster, type: list, prompt: Hvilke poster?, when: gruppe.budget}
"""


def fresh(tmp_path: Path, kind: str = "adhoc") -> DraftSession:
    return DraftSession(load_questionnaire(kind), answers_dir=tmp_path / "answers", out_dir=tmp_path / "out", today=TODAY)


def example_copy(tmp_path: Path, name: str = "kommissorium.yaml") -> Path:
    path = tmp_path / "answers" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ADHOC_EXAMPLE, path)
    return path


def test_set_reads_typed_text_as_every_door_does_danish_dates_included(tmp_path):
    session = fresh(tmp_path)
    session.set("tidsplan.start", "4. januar 2027")
    session.set("opgaver.opgaver", "[Første, 'Anden, med komma']")
    session.set("gruppe.navn", "'I anførselstegn'")
    session.set("tidsplan.slut", "i dag")
    assert session.get("tidsplan.start") == "2027-01-04"
    assert session.get("opgaver.opgaver") == ["Første", "Anden, med komma"]
    assert session.get("gruppe.navn") == "I anførselstegn"
    assert session.get("tidsplan.slut") == dt.date.today().isoformat()  # `--set` has no test clock: the real today
    session.set("opgaver.opgaver[2]", "Ny anden")
    session.set("formandskab.medlemmer[1].navn", "Lone Bæk")
    assert session.get("opgaver.opgaver") == ["Første", "Ny anden"]
    assert session.get("formandskab.medlemmer") == [{"navn": "Lone Bæk"}]
    session.set("tidsplan.start", "")  # empty: no answer
    assert session.get("tidsplan.start") is None
    assert not (tmp_path / "answers").exists()  # setting saves nothing


def test_text_typed_at_a_prompt_is_kept_as_typed_quotes_included(tmp_path):
    # `--set` reads 'x' as the text x (a setting's notation); at the interview's prompt the
    # quotes are the person's own, so they are saved (issue 28: what is typed is what is saved).
    session = fresh(tmp_path)
    name = session.questionnaire.question("gruppe.navn")
    start = session.questionnaire.question("tidsplan.start")
    assert session.read(name, '"Sammen om borgeren"') == '"Sammen om borgeren"'
    assert session.read(name, "'Sammen'") == "'Sammen'"
    assert session.read(start, "4. januar 2027") == "2027-01-04"  # a date is still read as a date
    assert session.read(name, "   ") is None
    session.set("gruppe.navn", '"Sammen om borgeren"')
    assert session.get("gruppe.navn") == "Sammen om borgeren"


def test_set_refuses_an_unknown_key_a_wrong_value_and_a_key_given_twice(tmp_path):
    session = fresh(tmp_path)
    with pytest.raises(UsageError, match="mente du"):
        session.set("gruppe.nav", "X")
    with pytest.raises(UsageError, match="tidsplan.start"):
        session.set("tidsplan.start", "32. januar 2027")
    with pytest.raises(UsageError, match="gruppe.type"):
        session.set("gruppe.type", "en helt anden slags")  # not one of the choices: the question's own rule
    with pytest.raises(UsageError, match="står to gange"):
        session.apply(["opgaver.opgaver=Første", "opgaver.opgaver=Anden"])
    assert session.get("opgaver.opgaver") is None  # a refused command changes nothing


def test_a_new_draft_is_saved_when_it_has_a_name_never_over_another_file(tmp_path):
    session = fresh(tmp_path)
    session.set("opgaver.opgaver", "Kortlægge")
    assert session.save() is False and session.path is None  # no name yet: nowhere to write
    session.set("gruppe.navn", NAME)
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / f"{SLUG}.yaml").write_text("# someone else's\n", encoding="utf-8")
    path, taken = session.new_path(NAME)
    assert (path.name, taken) == (f"{SLUG}-2.yaml", tmp_path / "answers" / f"{SLUG}.yaml")
    assert session.save() is True and session.path == path
    assert (tmp_path / "answers" / f"{SLUG}.yaml").read_text(encoding="utf-8") == "# someone else's\n"
    raw = read_answer_file(path).data
    assert raw["complete"] is False and raw["gruppe"] == {"navn": NAME} and raw["opgaver"] == {"opgaver": ["Kortlægge"]}


def test_a_save_keeps_the_files_own_text_and_refuses_a_file_changed_since(tmp_path):
    path = example_copy(tmp_path)
    text = path.read_text(encoding="utf-8").replace("kind: adhoc\n", "kind: adhoc  # min kommentar\n", 1)
    path.write_text(text, encoding="utf-8")
    session = DraftSession.open(path)
    session.set("dokument.version", "2.0")
    session.save()
    saved = path.read_text(encoding="utf-8")
    assert "# min kommentar" in saved and api.load(path).get("dokument.version") == "2.0"
    path.write_text(saved.replace("version:", "version:  ", 1), encoding="utf-8")  # edited by hand meanwhile
    session.set("dokument.version", "3.0")
    with pytest.raises(ChangedElsewhere):
        session.save()
    assert "3.0" not in path.read_text(encoding="utf-8")


def test_reload_merges_the_files_changes_and_keeps_both_sides_of_a_conflict(tmp_path):
    path = example_copy(tmp_path)
    session = DraftSession.open(path)
    session.set("dokument.version", "2.0")
    session.set("dokument.forfatter", "Mit sekretariat")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("forfatter: Fællessekretariatet i Midtklyngen", "forfatter: Filens sekretariat", 1)
                    .replace("status: udkast", "status: godkendt", 1), encoding="utf-8")  # edited meanwhile
    with pytest.raises(ChangedElsewhere):
        session.save()
    conflicts, beside = session.reload()
    assert conflicts == ["dokument.forfatter"]
    merged = api.load(path)  # the file's changes and the session's, the file's side of the conflict
    assert merged.get("dokument.version") == "2.0" and merged.get("dokument.status") == "godkendt"
    assert merged.get("dokument.forfatter") == "Filens sekretariat"
    assert api.load(beside).get("dokument.forfatter") == "Mit sekretariat"
    assert session.path == path


def full_disk(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_a_failed_save_in_the_interview_says_its_resume_command_which_goes_on_in_the_draft(tmp_path, monkeypatch):
    session = fresh(tmp_path)
    session.resumes_in_interview = True  # as drafter.interview.Interview sets it
    session.set("gruppe.navn", NAME)
    session.save()
    draft = session.path
    session.set("opgaver.opgaver", "[Én, To]")
    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    with pytest.raises(AutosaveFailed) as failed:
        session.save()
    monkeypatch.undo()
    recovery = failed.value.recovery
    assert recovery == tmp_path / "answers" / f"{SLUG}-gendannet.yaml"
    assert f"drafter new adhoc --resume {recovery}" in str(failed.value)
    assert "der er ikke mere plads på disken" in str(failed.value)
    # The file says what it is: a recovery file for the draft, not a commission.
    assert read_answer_file(recovery).data["gendannelse"]["svarfil"] == str(draft)
    resumed = DraftSession.resume(recovery)
    assert resumed.get("opgaver.opgaver") == ["Én", "To"] and not resumed.complete
    assert resumed.path == draft and any(f"gemmes i {draft}" in note for note in resumed.notes)
    resumed.save()  # back in the draft; the recovery file has done its job
    assert api.load(draft).get("opgaver.opgaver") == ["Én", "To"]
    assert "gendannelse" not in draft.read_text(encoding="utf-8") and not recovery.exists()


def test_a_failed_edit_set_says_drafter_restore_which_puts_the_answers_back_comments_kept(tmp_path, monkeypatch):
    path = example_copy(tmp_path)
    before = path.read_text(encoding="utf-8")
    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    with pytest.raises(AutosaveFailed) as failed:
        api.set_answers(path, ["dokument.version=2.0"], out_dir=tmp_path / "out")
    monkeypatch.undo()
    recovery = failed.value.recovery
    message = str(failed.value)
    assert f"lægges de i {path}, og dokumentet laves igen, med:" in message
    assert f"drafter restore {recovery}" in message and "drafter new" not in message
    assert path.read_text(encoding="utf-8") == before
    restored = api.restore(recovery, out_dir=tmp_path / "out")
    assert restored.answers_path == path and not recovery.exists()
    text = path.read_text(encoding="utf-8")
    assert text == before.replace('version: "1.0"', 'version: "2.0"')  # only that line: comments and layout kept
    assert "2.0" in docx_text(restored.render.output)


def test_failed_saves_that_go_on_typing_keep_one_recovery_file_and_never_drop_another_answer(tmp_path, monkeypatch):
    # As the web form's autosave fails again and again: each save is a new session on the
    # same file. A recovery file whose every changed answer a later one changes too is
    # written over (and a second such one removed); one with an answer the later one does
    # not have stays.
    path = example_copy(tmp_path)
    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    recoveries = []
    for settings in (["dokument.version=2.0"], ["dokument.version=2.1"], ["dokument.status=godkendt"],
                     ["dokument.version=2.2", "dokument.status=godkendt"]):
        session = DraftSession.mend(path, out_dir=tmp_path / "out")
        session.apply(settings)
        with pytest.raises(AutosaveFailed) as failed:
            session.save()
        recoveries.append(failed.value.recovery.name)
    monkeypatch.undo()
    first, other = "kommissorium-gendannet.yaml", "kommissorium-gendannet-2.yaml"
    assert recoveries == [first, first, other, first]
    assert api.load(path.parent / first).get("dokument.version") == "2.2"
    assert api.load(path.parent / first).get("dokument.status") == "godkendt"
    assert not (path.parent / other).exists()  # all of it is in the first


def test_restore_never_writes_over_an_answer_file_changed_since_the_save_failed(tmp_path, monkeypatch):
    path = example_copy(tmp_path)
    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    with pytest.raises(AutosaveFailed) as failed:
        api.set_answers(path, ["dokument.version=2.0"], out_dir=tmp_path / "out")
    monkeypatch.undo()
    changed = path.read_text(encoding="utf-8") + "# rettet i en editor bagefter\n"
    path.write_text(changed, encoding="utf-8")
    restored = api.restore(failed.value.recovery, out_dir=tmp_path / "out")
    beside = tmp_path / "answers" / "kommissorium-mine-svar.yaml"
    assert restored.answers_path == beside and path.read_text(encoding="utf-8") == changed
    assert api.load(beside).get("dokument.version") == "2.0"
    assert any("drafter diff" in note and "røres ikke" in note for note in restored.notes)


def test_a_failed_new_draft_says_drafter_restore_which_writes_the_new_file(tmp_path, monkeypatch):
    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    with pytest.raises(AutosaveFailed) as failed:
        api.new_draft(kind="adhoc", settings=[f"gruppe.navn={NAME}"], answers_dir=tmp_path / "answers",
                      out_dir=tmp_path / "out")
    monkeypatch.undo()
    recovery = failed.value.recovery
    assert f"drafter restore {recovery}" in str(failed.value)
    assert f"lægges de i {tmp_path / 'answers' / f'{SLUG}.yaml'} med:" in str(failed.value)  # a draft: no document
    restored = api.restore(recovery)
    assert restored.answers_path == tmp_path / "answers" / f"{SLUG}.yaml" and restored.render is None
    assert api.load(restored.answers_path).get("gruppe.navn") == NAME and not recovery.exists()


def test_resume_tolerates_what_a_hand_edit_leaves(tmp_path):
    path = tmp_path / "kladde.yaml"
    path.write_text(
        "kind: adhoc\nschema_version: 1\nufaerdige: opgaver.opgaver\n"
        "gruppe:\n  navn: Gruppen\nopgaver:\n  opgaver: Den ene opgave\n", encoding="utf-8")
    session = DraftSession.resume(path)
    assert session.get("opgaver.opgaver") == ["Den ene opgave"]
    assert session.unfinished == ["opgaver.opgaver"]
    assert not session.complete
    assert len(session.notes) == 2 and "complete: false" in session.notes[0]
    with pytest.raises(AnswerFileError):
        DraftSession.open(path)  # `drafter edit` wants a valid file


def test_when_turns_a_question_off_and_its_answer_is_cleared(tmp_path, monkeypatch):
    kinds = tmp_path / "kinds"
    kinds.mkdir()
    (kinds / "proeve.yaml").write_text(WHEN_KIND, encoding="utf-8")
    monkeypatch.setenv("DRAFTER_KINDS_PATH", str(kinds))
    session = fresh(tmp_path, "proeve")
    session.apply(["gruppe.navn=A", "gruppe.budget=ja", "gruppe.beloeb=10.000 kr.", "gruppe.poster=[Løn, Rejser]"])
    assert session.clear_unasked() == []
    session.set("gruppe.budget", "nej")
    assert session.clear_unasked() == ["gruppe.beloeb", "gruppe.poster"]
    assert session.get("gruppe.beloeb") is None and session.get("gruppe.poster") == []
    assert session.problems(complete=True) == []


def test_an_answer_naming_another_kind_switches_the_kind(tmp_path):
    session = fresh(tmp_path)
    question = session.questionnaire.question("gruppe.type")
    assert session.kind_named_by(question, "ad-hoc gruppe") is None
    assert session.kind_named_by(question, "projektgruppe") == "projektgruppe"
    session.set("gruppe.navn", NAME)
    session.switch_kind("projektgruppe")
    session.save()
    assert read_answer_file(session.path).data["kind"] == "projektgruppe"


def test_a_rule_is_waived_with_a_written_reason_and_unwaived(tmp_path):
    path = example_copy(tmp_path)
    session = DraftSession.open(path)
    with pytest.raises(InvalidValue, match="mindst"):
        session.waive("tidsplan-slutdato", "for kort")
    with pytest.raises(InvalidValue, match="ukendt regel"):
        session.waive("ingen-saadan-regel", "en begrundelse der er lang nok til at tælle med")
    reason = "Gruppen er fast og har derfor ingen slutdato i denne periode"
    session.waive("tidsplan-slutdato", reason)
    session.save()
    assert read_answer_file(path).data["undtagelser"] == [{"regel": "tidsplan-slutdato", "begrundelse": reason}]
    session.unwaive("tidsplan-slutdato")
    session.save()
    assert "undtagelser" not in read_answer_file(path).data


def test_finish_validates_saves_and_renders(tmp_path):
    session = fresh(tmp_path)
    example = api.load(ADHOC_EXAMPLE)
    for section, answers in example.values.items():
        for key, value in answers.items():
            session.put(f"{section}.{key}", value)
    finished = session.finish()
    assert finished.answers_path.parent == tmp_path / "answers"
    assert "complete" not in read_answer_file(finished.answers_path).data
    assert finished.rendered.output == tmp_path / "out" / f"{finished.answers_path.stem}.docx"
    assert example.get("gruppe.navn") in docx_text(finished.rendered.output)


def test_api_new_draft_writes_a_draft_named_after_the_group(tmp_path):
    path = api.new_draft(kind="adhoc", settings=[f"gruppe.navn={NAME}", "tidsplan.start=4/1-2027"],
                         answers_dir=tmp_path / "answers")
    assert path == tmp_path / "answers" / f"{SLUG}.yaml"
    raw = read_answer_file(path).data
    assert raw["complete"] is False and raw["tidsplan"] == {"start": "2027-01-04"}
    again = api.new_draft({"kind": "adhoc", "gruppe": {"navn": NAME}}, answers_dir=tmp_path / "answers")
    assert again.name == f"{SLUG}-2.yaml"
    with pytest.raises(AnswerFileError):
        api.new_draft({"kind": "adhoc", "gruppe": {"navn": NAME, "ukendt": 1}}, answers_dir=tmp_path / "answers")
    with pytest.raises(UsageError, match="gruppe.navn"):
        api.new_draft(kind="adhoc", answers_dir=tmp_path / "answers")
    assert sorted(p.name for p in (tmp_path / "answers").iterdir()) == [f"{SLUG}-2.yaml", f"{SLUG}.yaml"]


def test_a_recovery_file_in_the_cache_folder_is_listed_with_the_folder_it_belongs_to(tmp_path, monkeypatch):
    # answers/ cannot be written at all: the recovery file goes to the cache folder, and
    # `drafter status` of answers/ lists it there, so it is not forgotten.
    from drafter import session as session_module

    path = example_copy(tmp_path)
    monkeypatch.setenv("DRAFTER_CACHE_DIR", str(tmp_path / "cache"))
    real = session_module.atomic_write

    def not_in_answers(target, *args, **kwargs):
        if Path(target).parent == path.parent:
            raise OSError(30, "Read-only file system")
        return real(target, *args, **kwargs)

    monkeypatch.setattr("drafter.yamlio.atomic_write", full_disk)
    monkeypatch.setattr(session_module, "atomic_write", not_in_answers)
    with pytest.raises(AutosaveFailed) as failed:
        api.set_answers(path, ["dokument.version=2.0"], out_dir=tmp_path / "out")
    monkeypatch.setattr(session_module, "atomic_write", real)
    recovery = failed.value.recovery
    assert recovery.parent == tmp_path / "cache" / "gendannet"
    [entry] = [e for e in api.status(path.parent, tmp_path / "out") if e["file"] == str(recovery)]
    assert entry["state"] == "recovery" and entry["recovery_for"] == str(path)
    cells = api.status_cells(entry)
    assert cells[2] == "gendannelsesfil" and f"drafter restore {recovery}" in cells[3]
