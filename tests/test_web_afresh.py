"""A running `drafter serve` follows the workspace's files as they are now: drafter.yaml and
the kinds edited, added or broken while it runs show on the next page, without a restart
(drafter.inputs watches what the caches were filled from; drafter.workspace reads afresh).

One in-process server on a workspace of its own (`drafter init`), which the library uses
too, as `drafter serve` started there does.
"""

from __future__ import annotations

import html
import os
import re
import time
from pathlib import Path

import pytest

from drafter import api, workspace
from drafter.questionnaire import BUILTIN_KINDS_DIR
from web_support import LiveServer

GROUP = "Styregruppen for Skovby Sundhedsråd"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("afresh") / "ws"
    before = os.environ.get(workspace.WORKSPACE_ENV)
    api.init_workspace(root)
    api.use_workspace(root)
    server = LiveServer(root, copy_examples=False)
    try:
        yield server
    finally:
        server.stop()
        if before is None:
            os.environ.pop(workspace.WORKSPACE_ENV, None)
        else:
            os.environ[workspace.WORKSPACE_ENV] = before
        workspace.read_afresh()


@pytest.fixture
def commission(live):
    reply = live.post("/ny", {"kind": "adhoc", "navn": "Følgegruppe"})
    assert reply.status == 303, reply.text
    slug = reply.headers["location"].split("/")[2]
    yield slug
    (live.root / "answers" / f"{slug}.yaml").unlink()


def shown(page: str) -> str:
    """A page's text as a person reads it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def own_kind(live: LiveServer) -> Path:
    """The workspace's own copy of the built-in adhoc kind (it hides the built-in one)."""
    path = live.root / "kinds" / "adhoc.yaml"
    path.write_text((BUILTIN_KINDS_DIR / "adhoc.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_a_group_added_to_drafter_yaml_is_a_choice_on_the_next_page(live, commission):
    profile = live.root / "drafter.yaml"
    text = profile.read_text(encoding="utf-8")
    assert GROUP not in live.get(f"/k/{commission}/afsnit/gruppe").text
    try:
        profile.write_text(text + f"\ngrupper:\n  - key: styregruppe\n    navn: {GROUP}\n    nedsaetter: true\n",
                           encoding="utf-8")
        page = live.get(f"/k/{commission}/afsnit/gruppe").text
        assert re.search(f"<option[^>]*>{GROUP}</option>", page)  # among the choices of who sets the group up
    finally:
        profile.write_text(text, encoding="utf-8")
    assert GROUP not in live.get(f"/k/{commission}/afsnit/gruppe").text


def test_a_kinds_edited_heading_and_a_new_kind_show_on_the_next_page(live, commission):
    kind = own_kind(live)
    try:
        assert "<h1>Gruppen</h1>" in live.get(f"/k/{commission}/afsnit/gruppe").text
        kind.write_text(kind.read_text(encoding="utf-8").replace("    title: Gruppen\n", "    title: Gruppen og dens ophav\n"),
                        encoding="utf-8")
        assert "Gruppen og dens ophav" in live.get(f"/k/{commission}/afsnit/gruppe").text
        assert "Gruppen og dens ophav" in live.get(f"/k/{commission}/gennemse").text

        new = live.root / "kinds" / "netvaerk.yaml"
        new.write_text(kind.read_text(encoding="utf-8").replace("kind: adhoc", "kind: netvaerk")
                       .replace("name: Ad-hoc gruppe eller projektgruppe", "name: Lokalt netværk"), encoding="utf-8")
        page = live.get("/ny").text
        assert 'value="netvaerk"' in page and "Lokalt netværk" in page
        new.unlink()
        assert 'value="netvaerk"' not in live.get("/ny").text
    finally:
        kind.unlink()
    assert "<h1>Gruppen</h1>" in live.get(f"/k/{commission}/afsnit/gruppe").text  # the built-in one again


def test_a_broken_kind_is_named_on_the_page_and_mended_without_a_restart(live, commission):
    kind = own_kind(live)
    good = kind.read_text(encoding="utf-8")
    line = good.splitlines().index("  - key: gruppe") + 1  # the section that lacks its title
    try:
        kind.write_text(good.replace("    title: Gruppen\n", "    titel: Gruppen\n"), encoding="utf-8")
        for path in (f"/k/{commission}/afsnit/gruppe", f"/k/{commission}/gennemse"):
            reply = live.get(path)
            text = shown(reply.text)
            assert reply.status == 422 and 'lang="da"' in reply.text, text
            assert f"En fil i arbejdsmappen kan ikke bruges: kinds/adhoc.yaml:{line}: sections[1]:" in text, text
            assert "feltet 'title' mangler" in text and "serveren skal ikke genstartes" in text, text
            assert "intern fejl" not in text and str(live.root) not in text
        for path in ("/", "/ny"):  # the kind is not silently left out of the list of kinds
            text = shown(live.get(path).text)
            assert f"kinds/adhoc.yaml:{line}: sections[1]:" in text, text
            assert "projektgruppe.yaml" in text and "bygger videre på kinds/adhoc.yaml, så fejlen kan stå dér" in text

        kind.write_text(good[: good.index("    title: Gruppen\n") + 12], encoding="utf-8")  # half written by an editor
        assert live.get(f"/k/{commission}/afsnit/gruppe").status == 422
        kind.write_text(good.replace("    title: Gruppen\n", "    title: Gruppen igen\n"), encoding="utf-8")
        reply = live.get(f"/k/{commission}/afsnit/gruppe")
        assert reply.status == 200 and "Gruppen igen" in reply.text

        kind.unlink()
        os.mkfifo(kind)  # no kind (only a file is one), and never opened: the built-in one, no hang
        assert "<h1>Gruppen</h1>" in live.get(f"/k/{commission}/afsnit/gruppe").text
    finally:
        kind.unlink()


def test_a_broken_drafter_yaml_is_named_on_every_page_until_it_is_mended(live, commission):
    profile = live.root / "drafter.yaml"
    text = profile.read_text(encoding="utf-8")
    try:
        broken = text + f"\ngrupper:\n  - key: styregruppe\n    navn: {GROUP}\n    nedsaetter: måske\n"
        profile.write_text(broken, encoding="utf-8")
        line = broken.splitlines().index("    nedsaetter: måske") + 1
        for path in ("/", "/ny", f"/k/{commission}/afsnit/gruppe"):
            reply = live.get(path)
            page = shown(reply.text)
            assert reply.status == 422, (path, page)
            assert f"En fil i arbejdsmappen kan ikke bruges: drafter.yaml:{line}: grupper[1].nedsaetter:" in page, page
    finally:
        profile.write_text(text, encoding="utf-8")
    assert live.get("/").status == 200


def test_nothing_is_read_again_while_nothing_read_has_changed(live, commission):
    hour_ago = time.time() - 3600  # older than a timestamp's doubt (drafter.inputs.RACY_NS)
    profile = live.root / "drafter.yaml"
    for path in (profile, live.root, live.root / "kinds"):
        os.utime(path, (hour_ago, hour_ago))
    live.get(f"/k/{commission}/afsnit/gruppe")  # read afresh: drafter.yaml changed
    assert live.get(f"/k/{commission}/afsnit/gruppe").status == 200
    assert not api.read_afresh_if_changed()  # stat signatures alone: the caches are kept
    (live.root / "drafter.yaml~").write_text("an editor's backup", encoding="utf-8")
    try:
        assert not api.read_afresh_if_changed()  # the workspace's folder was looked up, not listed
    finally:
        (live.root / "drafter.yaml~").unlink()
    profile.write_text(profile.read_text(encoding="utf-8") + "# rettet\n", encoding="utf-8")
    os.utime(profile, (hour_ago, hour_ago))  # an edit that kept the time still changed the size
    assert api.read_afresh_if_changed()


def test_an_answer_to_a_question_renamed_under_an_open_form_is_kept(live, commission):
    section = f"/k/{commission}/afsnit/formandskab"
    saved = live.post(section, {"version": live.version(section), "formandskab.sekretariat": "Sekretariatet i Nord"},
                      headers={"Accept": "application/json"})
    assert saved.status == 200 and '"saved": true' in saved.text, saved.text
    kind = own_kind(live)
    try:
        kind.write_text(kind.read_text(encoding="utf-8").replace("      - key: sekretariat\n", "      - key: sekretariatet\n"),
                        encoding="utf-8")
        page = shown(live.get(section).text)
        assert "har feltet 'formandskab.sekretariat', som formularen ikke kan gemme" in page, page
        refused = live.post(section, {"version": live.version(section), "formandskab.sekretariatet": "Andet"},
                            headers={"Accept": "application/json"})
        assert refused.status == 409 and '"saved": false' in refused.text
        assert "sekretariat: Sekretariatet i Nord" in (live.root / "answers" / f"{commission}.yaml").read_text(encoding="utf-8")
    finally:
        kind.unlink()
