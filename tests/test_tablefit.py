"""drafter.tablefit on hand-made table XML: widths from the longest word, empty columns
out, short tables kept together, and tables it does not understand left as they are."""

from __future__ import annotations

from lxml import etree

from drafter import tablefit
from drafter.tablefit import fit_tables

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS


def table_xml(rows: list[list[str]], widths: list[int], header: bool = True, layout: str = "fixed", extra_tcpr: str = "") -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    body = ""
    for i, row in enumerate(rows):
        trpr = "<w:trPr><w:tblHeader/></w:trPr>" if header and i == 0 else ""
        cells = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{extra_tcpr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'
            for text, w in zip(row, widths)
        )
        body += f"<w:tr>{trpr}{cells}</w:tr>"
    return (
        f'<w:body xmlns:w="{W_NS}"><w:tbl><w:tblPr><w:tblLayout w:type="{layout}"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl></w:body>"
    )


def widths(root) -> list[int]:
    return [int(c.get(W + "w")) for c in root.iter(W + "gridCol")]


def test_a_long_word_widens_its_column_and_the_total_stays():
    root = etree.fromstring(table_xml([["Navn", "Rolle"], ["Lone", "Patientinddragelsesudvalget"]], [6000, 2000]))
    fit_tables(root)
    new = widths(root)
    assert sum(new) == 8000
    assert new[1] > 2000 and new[0] < 6000
    assert [int(tc.get(W + "w")) for tc in root.iter(W + "tcW")][:2] == new


def test_columns_that_fit_keep_the_templates_widths():
    root = etree.fromstring(table_xml([["Dato", "Milepæl"], ["1. marts 2027", "Kort tekst"]], [2300, 6800]))
    fit_tables(root)
    assert widths(root) == [2300, 6800]


def test_an_empty_column_is_left_out_and_its_width_shared():
    root = etree.fromstring(table_xml([["Navn", "Titel", "Rolle"], ["Lone", "Sygeplejerske", ""], ["Anders", "Farmaceut", " "]], [3000, 3000, 3000]))
    fit_tables(root)
    assert len(widths(root)) == 2 and sum(widths(root)) == 9000
    assert all(len(tr.findall(W + "tc")) == 2 for tr in root.iter(W + "tr"))


def test_without_a_header_row_no_column_is_left_out():
    root = etree.fromstring(table_xml([["Navn", "Underskrift"], ["Lone", ""]], [4000, 4000], header=False))
    fit_tables(root)
    assert len(widths(root)) == 2


def keeps(row) -> bool:
    return all(p.find(f"{W}pPr/{W}keepNext") is not None for p in row.iter(W + "p"))


def test_short_tables_keep_together_long_ones_may_split():
    # A third of an A4 page's text (25 cm) holds about 14 one-line rows.
    short = etree.fromstring(table_xml([["a", "b"]] * 12, [4000, 4000]))
    fit_tables(short)
    rows = short.findall(f".//{W}tr")
    assert all(keeps(row) for row in rows[:-1]) and not keeps(rows[-1])
    assert all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)
    long = etree.fromstring(table_xml([["a", "b"]] * 30, [4000, 4000]))
    fit_tables(long)
    rows = long.findall(f".//{W}tr")
    # The header keeps with the first two rows, the last row with the one before it:
    # never one row alone at either end of a page.
    assert [i for i, row in enumerate(rows) if keeps(row)] == [0, 1, 28]


def test_a_few_rows_of_long_text_are_a_long_table():
    text = " ".join(["Afprøvningen af den nye arbejdsgang i to kommuner og på et medicinsk afsnit"] * 4)
    table = etree.fromstring(table_xml([["Dato", "Milepæl"]] + [["1. marts 2027", text]] * 6, [2300, 6800]))
    fit_tables(table)
    rows = table.findall(f".//{W}tr")
    assert not keeps(rows[3])


def test_a_column_whose_longest_word_cannot_fit_breaks_and_no_other():
    # Four columns whose longest words together are wider than the table: the names and
    # titles keep their need; only the column of 30-letter compounds breaks, at Danish
    # hyphenation points, with hyphenation allowed in its cells.
    rows = [["Navn", "Titel", "Organisation", "Rolle i gruppen"],
            ["Vestergaard-Frederiksen", "Afdelingssygeplejerske", "Hospitalsenhed Midt",
             "Kvalitetsudviklingskoordinatorrepræsentant for området"]]
    root = etree.fromstring(table_xml(rows, [2300, 2300, 2300, 2171]))
    table = root.find(W + "tbl")
    need = [max(row[c][0] for row in tablefit._measure(table)) + tablefit._cell_margins(table) for c in range(4)]
    fit_tables(root)
    new = widths(root)
    assert sum(new) == 9071
    cells = root.findall(f".//{W}tr")[1].findall(W + "tc")
    assert [c.find(f".//{W}softHyphen") is not None for c in cells] == [False, False, False, True]
    pieces = [t.text for t in cells[3].iter(W + "t")]
    assert "".join(pieces) == rows[1][3]
    assert pieces == ["Kvalitetsudviklings", "koordinatorrepræsentant for området"]  # at the compound's joint
    # The names, titles and organisations get exactly their longest word (and the cell margins).
    assert new[:3] == [int(n) for n in need[:3]] and new[3] < need[3]
    assert cells[3].find(f".//{W}suppressAutoHyphens").get(W + "val") == "0"
    assert cells[0].find(f".//{W}suppressAutoHyphens") is None


def test_tables_it_does_not_understand_are_left_alone():
    for xml in (
        table_xml([["Navn", "Rolle"], ["Lone", "Patientinddragelsesudvalget"]], [6000, 2000], layout="autofit"),
        table_xml([["Navn", "Rolle"], ["Lone", "Patientinddragelsesudvalget"]], [6000, 2000], extra_tcpr='<w:vMerge/>'),
        table_xml([["Navn", "Rolle"], ["Lone", "Patientinddragelsesudvalget"]], [0, 0]),
    ):
        root = etree.fromstring(xml)
        before = widths(root)
        fit_tables(root)
        assert widths(root) == before


def test_unknown_characters_and_huge_words_never_crash():
    word = "ẞ" * 500 + "\u202e" + "漢字" * 100
    root = etree.fromstring(table_xml([["A", "B"], [word, word]], [100, 100]))
    fit_tables(root)
    assert sum(widths(root)) == 200
