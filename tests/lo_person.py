"""LibreOffice Writer driven through UNO as a chair would use it: open a .docx, edit, save as
.docx. Run by the system python3 (Debian's python3-uno), not the project's venv:

    python3 tests/lo_person.py PROFILE_DIR JOBS.json

JOBS.json is a list of {"source", "target", "edit"}; every job runs in one soffice process.
The edits are the ones tests/test_import_libreoffice.py imports afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def _props(**values):
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _url(path: str) -> str:
    return uno.systemPathToFileUrl(os.path.abspath(path))


def _paragraphs(document):
    found = []
    enum = document.getText().createEnumeration()
    while enum.hasMoreElements():
        element = enum.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            found.append(element)
    return found


def _paragraph(document, start: str):
    return next(p for p in _paragraphs(document) if p.getString().startswith(start))


def _table(document, first_cell: str, columns: int):
    tables = document.getTextTables()
    for i in range(tables.getCount()):
        table = tables.getByIndex(i)
        if table.getCellByName("A1").getString() == first_cell and table.getColumns().getCount() == columns:
            return table
    raise LookupError(first_cell)


def no_edit(document, controller, dispatcher, frame) -> None:
    """Opened and saved, nothing else."""


def bullets_cut_and_paste(document, controller, dispatcher, frame) -> None:
    """The second task selected as a whole paragraph, cut, and pasted above the first."""
    text = document.getText()
    second = _paragraph(document, "Beskrive en fælles arbejdsgang")
    cursor = text.createTextCursorByRange(second.getStart())
    cursor.gotoEndOfParagraph(True)
    cursor.goRight(1, True)  # the paragraph mark too, as a triple click and shift-down selects it
    controller.select(cursor)
    dispatcher.executeDispatch(frame, ".uno:Cut", "", 0, ())
    first = _paragraph(document, "Kortlægge den nuværende praksis")
    controller.getViewCursor().gotoRange(first.getStart(), False)
    dispatcher.executeDispatch(frame, ".uno:Paste", "", 0, ())


def row_added_with_tab(document, controller, dispatcher, frame) -> None:
    """In the last cell of the members table, Tab makes a new row; the chair types into it."""
    table = _table(document, "Navn", 4)
    rows = table.getRows().getCount()
    view = controller.getViewCursor()
    view.gotoRange(table.getCellByName(f"D{rows}").getText().getEnd(), False)
    dispatcher.executeDispatch(frame, ".uno:InsertRowsAfter", "", 0, ())
    for column, value in zip("ABCD", ["Ida Lund", "Fysioterapeut", "Skive Kommune", "Genoptræning"]):
        cell = table.getCellByName(f"{column}{rows + 1}")
        view.gotoRange(cell.getText().getStart(), False)
        dispatcher.executeDispatch(frame, ".uno:InsertText", "", 0, _props(Text=value))


def row_deleted_tracked(document, controller, dispatcher, frame) -> None:
    """Track changes on, then Jens Møller's row deleted (Table > Delete > Rows)."""
    document.setPropertyValue("RecordChanges", True)
    table = _table(document, "Navn", 4)
    for row in range(1, table.getRows().getCount() + 1):
        if table.getCellByName(f"A{row}").getString() == "Jens Møller":
            controller.getViewCursor().gotoRange(table.getCellByName(f"B{row}").getText().getStart(), False)
            dispatcher.executeDispatch(frame, ".uno:DeleteRows", "", 0, ())
            return
    raise LookupError("Jens Møller")


def date_in_facts(document, controller, dispatcher, frame) -> None:
    """The date in the facts block under the title retyped."""
    found = document.createSearchDescriptor()
    found.setSearchString("25. november 2026")
    controller.select(document.findFirst(found))
    dispatcher.executeDispatch(frame, ".uno:InsertText", "", 0, _props(Text="1. december 2026"))


EDITS = {f.__name__: f for f in (no_edit, bullets_cut_and_paste, row_added_with_tab, row_deleted_tracked, date_in_facts)}


def _connect(profile: str):
    pipe = f"drafter_{uuid.uuid4().hex}"
    office = subprocess.Popen(
        ["soffice", f"-env:UserInstallation={_url(profile)}", "--headless", "--invisible", "--norestore",
         "--nologo", "--nodefault", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(600):
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return office, context
        except Exception:  # NoConnectException until soffice listens
            if office.poll() is not None:
                raise SystemExit(f"soffice stopped ({office.returncode})")
            time.sleep(0.1)
    office.kill()
    raise SystemExit("soffice did not answer")


def main() -> int:
    profile, jobs_file = sys.argv[1], sys.argv[2]
    with open(jobs_file, encoding="utf-8") as handle:
        jobs = json.load(handle)
    office, context = _connect(profile)
    try:
        manager = context.ServiceManager
        desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        dispatcher = manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        for job in jobs:
            document = desktop.loadComponentFromURL(_url(job["source"]), "_blank", 0, _props(Hidden=True))
            controller = document.getCurrentController()
            EDITS[job["edit"]](document, controller, dispatcher, controller.getFrame())
            document.storeToURL(_url(job["target"]), _props(FilterName="MS Word 2007 XML"))
            document.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge goes as soffice ends
            pass
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
