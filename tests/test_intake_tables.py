"""Intake tables as `custody import` reads them (api/imports): real CSV files in the encodings
and delimiters offices save, and real .xlsx workbooks, read back into the `IntakeIn` the HTTP
API takes. Each test is named for the defect it proves gone (issue 12: lines split before the
parser, Windows-1251 an internal error, int() taking `1_200` and Arabic-Indic digits)."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from api.imports import csv_table, intake_file, xlsx_table
from api.imports.csv_table import CsvTable, TableError
from api.imports.intake_rows import COLUMNS
from api.web import i18n

HEADER = ["item", "category", "source", "location", "weight_g", "marking", "marking_place"]
PLACES = {"UNIT-ALM"}


def _no_photo(path: Path) -> dict[str, Any]:
    raise AssertionError(f"no photo expected, got {path}")


def _write(
    path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def _row(item: str, marking: str = "АК 7713", weight: str = "3300") -> list[str]:
    return [item, "edged", "found", "UNIT-ALM", weight, marking, "клинок"]


def _read(path: Path, **options: Any) -> intake_file.IntakeFile:
    return intake_file.read(path, _no_photo, PLACES, **options)


def test_a_utf8_bom_does_not_become_part_of_the_first_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.csv", [_row("KZ-1")], encoding="utf-8-sig")
    read = _read(path)
    assert [i.item for i in read.intakes] == ["KZ-1"]
    assert read.table.described == "UTF-8 with BOM, cells separated by ','"


def test_windows_1251_with_semicolons_is_read_and_said(tmp_path: Path) -> None:
    path = _write(tmp_path / "excel.csv", [_row("KZ-1", "ЛМ №7713")], "cp1251", ";")
    read = _read(path)
    assert read.intakes[0].marking == "ЛМ №7713"
    assert read.table.described == "Windows-1251, cells separated by ';'"
    asked = _read(path, encoding="windows-1251", delimiter=";")
    assert asked.intakes == read.intakes


def test_windows_1251_read_as_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    ascii_row = ["KZ-1", "edged", "found", "UNIT-ALM", "400", "AK 1", "blade"]
    path = _write(tmp_path / "excel.csv", [ascii_row, _row("KZ-2", "ЛМ 2")], "cp1251")
    with pytest.raises(TableError) as refused:
        _read(path, encoding="utf-8")
    assert str(refused.value).startswith("line 3: byte 0xcb is not UTF-8")


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\u2028"])
def test_a_quoted_line_break_stays_in_the_marking_and_lines_still_count(
    tmp_path: Path, separator: str
) -> None:
    marking = f"АК 7713{separator}левая сторона"
    path = _write(tmp_path / "break.csv", [_row("KZ-1", marking), _row("KZ-2", weight="x")])
    table = CsvTable(path)
    rows = list(table.rows())
    assert rows[0].cells["marking"] == marking  # never joined, never split
    # the first record spans two lines when its break is a line break, one with U+2028
    second = 4 if separator != "\u2028" else 3
    assert rows[1].where == f"line {second}"
    with pytest.raises(TableError) as refused:
        _read(path)
    # kept as read, the break is then refused by the grammar (docs/identifiers.md), by name
    assert str(refused.value).startswith("line 2: column marking:")
    assert f"U+{ord(separator[0]):04X}" in str(refused.value)


@pytest.mark.parametrize(
    "weight", ["1_200", "١٢٠٠", "１２００", "+1200", "1200.0", " 12 00", "1e3"], ids=repr
)
def test_a_whole_number_is_ascii_digits_only_and_the_refusal_names_line_and_column(
    tmp_path: Path, weight: str
) -> None:
    path = _write(tmp_path / "n.csv", [_row("KZ-1"), _row("KZ-2", "АК 2", weight)])
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value) == (
        f"line 3: column weight_g: {weight.strip(' ')!r} is not a whole number in ASCII digits"
    )


def test_a_model_refusal_names_the_column_it_came_from(tmp_path: Path) -> None:
    path = _write(tmp_path / "w.csv", [_row("KZ-1", weight="0")])
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith("line 2: column weight_g: ")


def test_too_many_cells_suggest_the_delimiter(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.csv", [[*_row("KZ-1"), "extra"]])
    with pytest.raises(TableError, match="line 2: 8 cells, the header has 7"):
        _read(path)


def test_another_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableError, match=r"an intake file is \.csv or \.xlsx"):
        _read(path)


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Лист1"
    for row in [HEADER, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_gives_the_same_intakes_as_the_same_csv(tmp_path: Path) -> None:
    rows = [_row("KZ-1", "ЛМ 1"), _row("KZ-2", "АК 7713 левая сторона")]
    from_csv = _read(_write(tmp_path / "t.csv", rows))
    typed = [[*r[:4], int(r[4]), *r[5:]] for r in rows]  # weights as Excel numbers
    from_xlsx = _read(_xlsx(tmp_path / "t.xlsx", typed))
    assert from_xlsx.intakes == from_csv.intakes
    assert from_xlsx.where == {"KZ-1": "row 2", "KZ-2": "row 3"}
    assert from_xlsx.table.described == "sheet 'Лист1'"


@pytest.mark.parametrize("weight", [1200.5, True, "1_200"], ids=repr)
def test_an_xlsx_weight_that_is_not_whole_names_row_and_column(tmp_path: Path, weight: Any) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [[*_row("KZ-1")[:4], weight, "ЛМ 1", "клинок"]])
    with pytest.raises(TableError, match=r"row 2: column weight_g: .* is not a whole number"):
        _read(path)


def test_the_samples_in_docs_hold_the_same_columns(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parent.parent / "docs"
    seen = {}
    for name in ("intake-sample.csv", "intake-sample-cp1251.csv", "intake-sample.xlsx"):
        table = intake_file.open_table(docs / name)
        seen[name] = [row.cells for row in table.rows()]
        assert table.header == list(COLUMNS)
    assert len({len(rows) for rows in seen.values()}) == 1


# -- workbooks as an attacker writes them (issue 12, the breaker's x_*.xlsx) --------------------

_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>{rows}</sheetData></worksheet>"
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet_row(number: int, item: str, marking: str) -> str:
    cells = [item, "edged", "found", "UNIT-ALM"]
    inline = "".join(_inline(f"{col}{number}", v) for col, v in zip("ABCD", cells, strict=True))
    weight = f'<c r="E{number}" t="n"><v>500</v></c>'
    return f'<row r="{number}">{inline}{weight}{_inline(f"F{number}", marking)}</row>'


def _crafted(
    path: Path, rows: str, prolog: str = "", first_state: str = "visible", part: str = ""
) -> Path:
    """A workbook openpyxl writes, its first sheet's XML replaced by `rows` (raw <row>s after
    the header row) and `prolog` (before the root), the first sheet's state set."""
    book = Workbook()
    book.active.title = "Приём"
    book.save(path)
    header = "".join(_inline(f"{col}1", h) for col, h in zip("ABCDEF", HEADER, strict=False))
    sheet = _SHEET.format(prolog=prolog, rows=f'<row r="1">{header}</row>{rows}')
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = part.encode() or sheet.encode()
    if first_state != "visible":
        # A second, visible sheet: Excel shows it, and the hidden first one not at all.
        book = Workbook()
        book.active.title = "Скрытый"
        book.active.sheet_state = first_state
        book.create_sheet("Приём")
        book.save(path)
        with zipfile.ZipFile(path) as source:
            parts = {i.filename: source.read(i) for i in source.infolist()}
        parts["xl/worksheets/sheet1.xml"] = sheet.encode()
        parts["xl/worksheets/sheet2.xml"] = _SHEET.format(
            prolog="", rows=f'<row r="1">{header}</row>{_sheet_row(2, "KZ-SEEN", "АК 2")}'
        ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_refused_not_imported_unseen(tmp_path: Path, state: str) -> None:
    path = _crafted(tmp_path / "h.xlsx", _sheet_row(2, "KZ-UNSEEN", "АК 1"), first_state=state)
    with pytest.raises(TableError) as refused:
        _read(path)
    said = str(refused.value)
    assert f"the first sheet 'Скрытый' is hidden ({state})" in said
    assert "Excel shows 'Приём'" in said


def test_a_row_number_given_twice_is_refused_naming_the_row(tmp_path: Path) -> None:
    rows = _sheet_row(2, "KZ-1", "АК 1") + _sheet_row(2, "KZ-2", "АК 2")
    with pytest.raises(TableError, match=r"^row 2: the sheet gives this row twice$"):
        _read(_crafted(tmp_path / "d.xlsx", rows))


def test_ooxml_escapes_are_decoded_so_the_grammar_refuses_a_carriage_return(
    tmp_path: Path,
) -> None:
    path = _crafted(tmp_path / "cr.xlsx", _sheet_row(2, "KZ-1", "АК_x000D_7713"))
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith("row 2: column marking:")
    assert "U+000D" in str(refused.value)
    # An escaped underscore is the literal text, decoded once: `_x005F_x0041_` is `_x0041_`.
    kept = _read(_crafted(tmp_path / "u.xlsx", _sheet_row(2, "KZ-2", "АК_x005F_x0041_ 1")))
    assert kept.intakes[0].marking == "АК_x0041_ 1"


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
        '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">',
    ],
    ids=["entity_bomb", "external_entity", "external_dtd"],
)
def test_a_document_type_is_refused_before_any_entity_is_expanded(
    tmp_path: Path, prolog: str
) -> None:
    marking = "&d;" if "ENTITY a" in prolog else "&e;" if "ENTITY e" in prolog else "АК 1"
    path = _crafted(tmp_path / "x.xlsx", _sheet_row(2, "KZ-1", marking), prolog=prolog)
    with pytest.raises(TableError, match="declares a document type"):
        _read(path)


def test_an_undefined_entity_is_a_table_error_not_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="malformed XML"):
        _read(_crafted(tmp_path / "u.xlsx", _sheet_row(2, "KZ-1", "&xxe;")))


def test_an_inline_string_with_a_bare_phonetic_run_is_a_table_error(tmp_path: Path) -> None:
    row = _sheet_row(2, "KZ-1", "x").replace(
        _inline("F2", "x"),
        '<c r="F2" t="inlineStr"><is><r><t>АК</t></r><r><t xml:space="preserve"> 1</t></r>'
        "<rPh><t>ZZZ</t></rPh></is></c>",
    )
    with pytest.raises(TableError, match=r"^row 2: the sheet's XML is not as a spreadsheet"):
        _read(_crafted(tmp_path / "r.xlsx", row))


def test_a_huge_cell_is_refused_while_streaming_without_holding_it(tmp_path: Path) -> None:
    big = "A" * (20 * 1024 * 1024)  # 20 MiB of text, a few KB compressed
    path = _crafted(tmp_path / "big.xlsx", _sheet_row(2, "KZ-1", big))
    del big
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(TableError, match=r"a cell holds more than 65,536 characters"):
            _read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak  # chunks of it, never the cell whole


def test_a_sheet_larger_than_its_unpacked_limit_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    path = _crafted(tmp_path / "wide.xlsx", _sheet_row(2, "KZ-1", "АК 1"))
    zeros = b" " * (1 << 24)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
        out.open("xl/padding.xml", "w", force_zip64=True) as part,
    ):
        for _ in range(xlsx_table.PART_MAX // len(zeros) + 1):
            part.write(zeros)
    with pytest.raises(TableError, match=r"xl/padding.xml is larger than 268,435,456 bytes"):
        _read(path)


def _padded(path: Path, parts: int, size: int) -> Path:
    """`path` with `parts` more XML parts of about `size` spaces each, in an element (a
    bomb: deflated, each is a thousandth of its size)."""
    spaces = b" " * (1 << 24)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for n in range(parts):
            with out.open(f"xl/padding{n}.xml", "w", force_zip64=True) as part:
                part.write(b"<a>")
                for _ in range(size // len(spaces)):
                    part.write(spaces)
                part.write(spaces[: size % len(spaces)] + b"</a>")
    return path


def test_parts_that_together_unpack_past_the_limit_are_refused_from_the_directory(
    tmp_path: Path,
) -> None:
    """Issue 12: four 250 MB parts of spaces (1 MB as a file) took minutes of CPU, each
    under PART_MAX. Their declared sizes add up past TOTAL_MAX: refused naming the limit."""
    each = xlsx_table.TOTAL_MAX // 2 + 1  # two of them, each well under PART_MAX
    assert each < xlsx_table.PART_MAX
    path = _padded(_crafted(tmp_path / "bomb.xlsx", _sheet_row(2, "KZ-1", "АК 1")), 2, each)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(TableError, match=r"XML parts unpack to more than 320 MiB: refused$") as no:
        _read(path)
    assert "320 МиБ" in i18n.reason(no.value, "ru")
    assert "320 МиБ" in i18n.reason(no.value, "kk")
    # at the limit, the same parts are read (and the row with them)
    fits = _padded(_crafted(tmp_path / "fits.xlsx", _sheet_row(2, "KZ-1", "АК 1")), 1, 1 << 20)
    assert [i.item for i in _read(fits).intakes] == ["KZ-1"]


def test_a_workbook_of_too_many_parts_is_refused_before_any_is_read(tmp_path: Path) -> None:
    path = _crafted(tmp_path / "many.xlsx", _sheet_row(2, "KZ-1", "АК 1"))
    with zipfile.ZipFile(path) as archive:
        held = len(archive.infolist())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as out:
        for n in range(xlsx_table.PARTS_MAX - held):
            out.writestr(f"xl/media/p{n}.xml", "<a/>")
    assert [i.item for i in _read(path).intakes] == ["KZ-1"]  # PARTS_MAX parts: read
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as out:
        out.writestr("xl/media/one-more.xml", "<a/>")
    with pytest.raises(TableError, match=r"^the workbook holds 1,001 parts, more than 1,000") as no:
        _read(path)
    assert i18n.reason(no.value, "kk").startswith("Excel кітабы 1\xa0001 бөліктен")


_FRAGMENTS = st.sampled_from(
    [
        "<rPh>",
        "</rPh>",
        "<rPh sb='0' eb='1'><t>x</t></rPh>",
        "<r><t>",
        "</t></r>",
        "</t></is></c>",
        '<c r="F2" t="inlineStr"><is>',
        "<v>",
        "</v>",
        '<c r="ZZZZ9" t="n"><v>1e999</v></c>',
        '<c t="s"><v>99</v></c>',
        '<c t="d"><v>2026-13-45</v></c>',
        '<c t="b"><v>7</v></c>',
        '<c t="e"><v>#N/A</v></c>',
        '<row r="0">',
        '<row r="-1">',
        '<row r="x">',
        "</row>",
        "&amp;",
        "&#0;",
        "&#x1F600;",
        "_x000D_",
        "_xD800_",
        "АК 1",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pieces=st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=8))
def test_any_sheet_xml_gives_rows_or_a_table_error_never_another_exception(
    tmp_path: Path, pieces: list[str]
) -> None:
    marking = "".join(pieces)
    path = _crafted(tmp_path / "fuzz.xlsx", _sheet_row(2, "KZ-1", marking))
    with contextlib.suppress(TableError):
        _read(path)


# -- b12: a few bad bytes, numbers in text columns, formulas, fields that contradict ------------


def test_a_utf8_file_with_one_bad_byte_is_refused_naming_line_and_character(
    tmp_path: Path,
) -> None:
    """Once read as Windows-1251 whole, every marking mojibake: now refused where it breaks."""
    path = _write(tmp_path / "u.csv", [_row("KZ-1", "ЛМ №1"), _row("KZ-2", "АК 7713")])
    content = path.read_bytes()
    at = content.index("АК 7713".encode())
    path.write_bytes(content[:at] + b"\xff" + content[at:])
    with pytest.raises(TableError) as refused:
        _read(path)
    line_start = content.rindex(b"\n", 0, at) + 1
    character = len(content[line_start:at].decode()) + 1
    assert str(refused.value).startswith(
        f"line 3: byte 0xff is not UTF-8 (character {character} of the line;"
    )
    # told it is Windows-1251, it is refused still: almost all of it is UTF-8, and its UTF-8
    # rows would be signed as mojibake ("ЛМ №1" as "Р›Рњ в„–1"; issue 12, finding 5)
    with pytest.raises(
        TableError, match=r"^the file is almost all UTF-8 \(\d+ characters .*1 byte does not\)"
    ):
        _read(path, encoding="windows-1251")


@pytest.mark.parametrize("line", [1, 3])
def test_a_bad_byte_in_a_utf8_file_with_a_bom_is_named_where_it_is_not_3_bytes_early(
    tmp_path: Path, line: int
) -> None:
    """The BOM's 3 bytes moved the refusal: utf-8-sig's decoder counts from after the BOM,
    so another byte was named, 3 before the bad one, and its character. The
    character counts from the line's first one the reader sees (the BOM is not one)."""
    path = _write(
        tmp_path / "bom.csv", [_row("KZ-1", "ЛМ №1"), _row("KZ-2", "АК 7713")], "utf-8-sig"
    )
    content = path.read_bytes()
    at = content.index("АК 7713".encode()) if line == 3 else content.index(b"location")
    path.write_bytes(content[:at] + b"\xff" + content[at:])
    line_start = max(content.rfind(b"\n", 0, at) + 1, len(codecs.BOM_UTF8))
    character = len(content[line_start:at].decode()) + 1
    for encoding in (None, "utf-8"):
        with pytest.raises(TableError) as refused:
            _read(path, encoding=encoding)
        assert str(refused.value).startswith(
            f"line {line}: byte 0xff is not UTF-8 with BOM (character {character} of the line;"
        ), str(refused.value)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    markings=st.lists(
        st.text(alphabet="АБВГДЕЖЗИКЛМНОПРСТУФабвгд №-0123456789", min_size=3, max_size=12)
        .map(str.strip)
        .filter(lambda m: len(m) >= 3 and any(c > "\x7f" for c in m)),
        min_size=2,
        max_size=6,
    ),
    bad=st.sampled_from([b"\xff", b"\xc0", b"\x80", b"\xfe"]),
    data=st.data(),
)
def test_a_cyrillic_utf8_file_with_bad_bytes_is_never_read_as_windows_1251(
    tmp_path_factory: pytest.TempPathFactory, markings: list[str], bad: bytes, data: st.DataObject
) -> None:
    path = _write(
        tmp_path_factory.mktemp("bad") / "u.csv",
        [_row(f"KZ-{n}", m) for n, m in enumerate(markings)],
    )
    content = path.read_bytes()
    at = data.draw(st.integers(content.index(b"\n") + 1, len(content) - 1))
    while at < len(content) and 0x80 <= content[at] < 0xC0:  # not inside a character
        at += 1
    path.write_bytes(content[:at] + bad + content[at:])
    with pytest.raises(TableError, match=r"^line \d+: byte 0x[0-9a-f]{2} is not UTF-8 \(character"):
        _read(path)


def test_windows_1251_cyrillic_is_still_found_as_windows_1251(tmp_path: Path) -> None:
    # (no « »: a marking holds ASCII punctuation only, docs/identifiers.md)
    rows = [_row(f"KZ-{n}", f"ЛМ №{n} ёЁ") for n in range(20)]
    path = _write(tmp_path / "w.csv", rows, "cp1251", ";")
    assert _read(path).table.described == "Windows-1251, cells separated by ';'"


@pytest.mark.parametrize(
    ("marking", "words"),
    [
        (123456789012345678, "1.234567890123457e+17"),
        (7.62, "7.62"),
    ],
    ids=["long_number", "fraction"],
)
def test_an_xlsx_number_in_a_text_column_is_refused_naming_the_cell(
    tmp_path: Path, marking: Any, words: str
) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [[*_row("KZ-1")[:5], marking, "клинок"]])
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith(
        f"row 2: column marking: cell F2 holds the number {words},"
    )


def test_an_xlsx_whole_number_in_a_text_column_is_its_digits(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [[*_row("KZ-1")[:5], 4455667, "клинок"]])
    assert _read(path).intakes[0].marking == "4455667"


def test_an_xlsx_formula_without_its_value_is_named_as_one(tmp_path: Path) -> None:
    rows = (
        '<row r="2">'
        + "".join(_inline(f"{c}2", v) for c, v in zip("ABCD", _row("KZ-1")[:4], strict=True))
        + '<c r="E2"><f>100*30</f></c>'
        + _inline("F2", "ЛМ 1")
        + "</row>"
    )
    path = _crafted(tmp_path / "f.xlsx", rows)
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith(
        "row 2: column weight_g: cell E2 holds a formula without a computed value"
    )


def test_rifled_on_a_knife_in_a_csv_names_line_and_column(tmp_path: Path) -> None:
    header = [*HEADER, "rifled"]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, [*_row("KZ-1"), "yes"]])
    path = tmp_path / "r.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(TableError, match=r"^line 2: column rifled: .*only a firearm is rifled"):
        _read(path)


@pytest.mark.parametrize(
    ("column", "cell", "words"),
    [
        ("year", "0", "line 2: column year: .*details.year is a whole number from 1800"),
        ("quantity", "5000", "line 2: column quantity: .*only a lot of ammunition"),
        ("unmarked", "yes", "line 2: column unmarked: .*R10: an item registered as unmarked"),
    ],
)
def test_what_the_api_refuses_a_csv_refuses_naming_line_and_column(
    tmp_path: Path, column: str, cell: str, words: str
) -> None:
    header = [*HEADER, column]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, [*_row("KZ-1"), cell]])
    path = tmp_path / "c.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(TableError, match=f"^{words}"):
        _read(path)


# -- b12r: what a sheet shows the person is what is imported, or the file is refused --------


def _formatted(path: Path, column: int, value: Any, number_format: str) -> Path:
    """A one-row workbook whose cell in `column` (0-based, HEADER's order) holds `value`
    shown with `number_format`."""
    book = Workbook()
    sheet = book.active
    row = [*_row("KZ-1")[:4], 3300, "ЛМ 1", "клинок"]
    row[column] = value
    for values in (HEADER, row):
        sheet.append(values)
    sheet.cell(row=2, column=column + 1).number_format = number_format
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.date(2026, 3, 4), "2026-03-04"),
        (dt.datetime(2026, 3, 4, 10, 30), "2026-03-04T10:30:00"),
    ],
    ids=["date", "datetime"],
)
def test_an_xlsx_date_in_a_text_column_is_refused_naming_the_cell(
    tmp_path: Path, value: Any, shown: str
) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [[*_row("KZ-1")[:5], value, "клинок"]])
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith(
        f"row 2: column marking: cell F2 holds a date or time ({shown}),"
    )


def test_an_xlsx_date_in_an_id_column_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [[dt.date(2026, 1, 2), *_row("KZ-1")[1:]]])
    with pytest.raises(TableError, match=r"^row 2: column item: cell A2 holds a date or time"):
        _read(path)


def test_an_xlsx_marking_shown_with_a_number_format_is_refused(tmp_path: Path) -> None:
    """12345 formatted `"АК "0000000` shows АК 0012345: never imported as 12345."""
    path = _formatted(tmp_path / "t.xlsx", 5, 12345, '"АК "0000000')
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith(
        'row 2: column marking: cell F2 holds the number 12345 shown with the format "АК "0000000,'
    )


@pytest.mark.parametrize("number_format", ['0" кг"', "0%", '#,##0" g"', "@"])
def test_an_xlsx_weight_shown_with_a_unit_is_refused(tmp_path: Path, number_format: str) -> None:
    path = _formatted(tmp_path / "t.xlsx", 4, 3, number_format)
    with pytest.raises(TableError, match=r"^row 2: column weight_g: cell E2 shows the number 3 "):
        _read(path)


@pytest.mark.parametrize("number_format", ["0", "#,##0", "[Red]0", "General"])
def test_an_xlsx_weight_with_a_plain_number_format_is_taken(
    tmp_path: Path, number_format: str
) -> None:
    path = _formatted(tmp_path / "t.xlsx", 4, 3300, number_format)
    assert _read(path).intakes[0].weight_g == 3300


def test_an_xlsx_sixteen_digit_marking_is_refused(tmp_path: Path) -> None:
    """Excel shows 15 significant digits: 1234567890123456 would show as ...450."""
    path = _xlsx(tmp_path / "t.xlsx", [[*_row("KZ-1")[:5], 10**15, "клинок"]])
    with pytest.raises(TableError, match=r"^row 2: column marking: cell F2 holds the number "):
        _read(path)
    below = _xlsx(tmp_path / "b.xlsx", [[*_row("KZ-1")[:5], 10**15 - 1, "клинок"]])
    assert _read(below).intakes[0].marking == str(10**15 - 1)


def test_an_xlsx_hidden_row_with_data_is_refused_naming_it(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for values in (HEADER, _row("KZ-1"), _row("KZ-2", "ЛМ 2")):
        sheet.append(values)
    sheet.row_dimensions[3].hidden = True
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(TableError, match=r"^row 3: the row is hidden and holds data"):
        _read(tmp_path / "t.xlsx")


def test_an_xlsx_hidden_column_with_data_is_refused_naming_it(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for values in ([*HEADER, "model"], [*_row("KZ-1"), "АКМ"]):
        sheet.append(values)
    sheet.column_dimensions["H"].hidden = True
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(
        TableError, match=r"^column H: the column is hidden and holds data \(cell H1\)"
    ):
        _read(tmp_path / "t.xlsx")


def test_an_xlsx_hidden_empty_row_and_column_are_no_matter(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for values in (HEADER, _row("KZ-1")):
        sheet.append(values)
    sheet.row_dimensions[5].hidden = True
    sheet.column_dimensions["K"].hidden = True
    book.save(tmp_path / "t.xlsx")
    assert [i.item for i in _read(tmp_path / "t.xlsx").intakes] == ["KZ-1"]


_WORDS = [
    "ствольная",
    "коробка",
    "затвор",
    "ствол",
    "рамка",
    "пистолет",
    "Макарова",
    "ружьё",
    "охотничье",
    "карабин",
    "Сайга",
    "обрез",
    "газовый",
    "травматический",
    "нож",
    "клинок",
    "патроны",
    "изъято",
    "добровольно",
    "сдано",
    "найдено",
    "Алматы",
    "Астана",
    "Караганда",
    "Шымкент",
    "районный",
    "суд",
    "решение",
    "постановление",
    "левая",
    "сторона",
    "ОВД",
    "АКМ",
    "ИЖ",
]


@given(
    st.lists(
        st.tuples(st.sampled_from(_WORDS), st.sampled_from([str.lower, str.upper, str.title])),
        min_size=1,
        max_size=12,
    )
)
def test_russian_words_read_as_windows_1251_and_their_koi8r_bytes_do_not(
    words: list[tuple[str, Any]],
) -> None:
    """Words a clerk types, in any case: their Windows-1251 bytes read as Russian, their
    KOI8-R bytes (taken for Windows-1251) do not."""
    text = " ".join(case(word) for word, case in words)
    assert csv_table.reads_as_russian(text.encode("cp1251"))
    assert not csv_table.reads_as_russian(text.encode("koi8_r"))


def test_a_koi8r_file_is_refused_not_read_as_windows_1251(tmp_path: Path) -> None:
    rows = [_row(f"KZ-{n}", f"АК 55500{n}") for n in range(3)]
    rows = [[*r[:6], "ствольная коробка"] for r in rows]
    path = _write(tmp_path / "koi.csv", rows, "koi8_r")
    with pytest.raises(TableError, match=r"reads as Russian \(KOI8-R\?\).*--encoding"):
        _read(path)
    right = _write(tmp_path / "w.csv", rows, "cp1251")
    assert _read(right).intakes[0].marking_place == "ствольная коробка"
    capitals = _write(tmp_path / "c.csv", [[*r[:6], "СТВОЛЬНАЯ КОРОБКА"] for r in rows], "cp1251")
    assert _read(capitals).intakes[0].marking_place == "СТВОЛЬНАЯ КОРОБКА"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_file_is_refused_as_utf16(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "u.csv", [_row("KZ-1")], "utf-16")
    if encoding == "utf-16-be":
        path.write_bytes(
            codecs.BOM_UTF16_BE + path.read_bytes()[2:].decode("utf-16-le").encode("utf-16-be")
        )
    for options in ({}, {"encoding": "utf-8"}):
        with pytest.raises(TableError, match=r"^the file is UTF-16"):
            _read(path, **options)


def test_a_koi8r_file_read_as_utf8_when_asked_names_its_bad_byte(tmp_path: Path) -> None:
    rows = [[*_row("KZ-1")[:6], "ствольная коробка"]]
    path = _write(tmp_path / "koi.csv", rows, "koi8_r")
    with pytest.raises(TableError, match=r"^line 2: byte 0x[0-9a-f]{2} is not UTF-8"):
        _read(path, encoding="utf-8")
    asked = _read(path, encoding="windows-1251")  # the person's word is taken
    assert asked.intakes[0].marking_place != "ствольная коробка"


def _number_row(number: int, weight: str, marking_cell: str = "") -> str:
    cells = ["KZ-N1", "edged", "found", "UNIT-ALM"]
    inline = "".join(_inline(f"{col}{number}", v) for col, v in zip("ABCD", cells, strict=True))
    weight_cell = f'<c r="E{number}" t="n"><v>{weight}</v></c>'
    marking = marking_cell or _inline(f"F{number}", "АК 1")
    return f'<row r="{number}">{inline}{weight_cell}{marking}</row>'


@pytest.mark.parametrize(
    ("weight", "marking", "cell"),
    [
        ("500", '<c r="F2" t="n"><v>1_2_3</v></c>', "F2"),
        ("\u0663\u0660\u0660\u0660", "", "E2"),  # Arabic-Indic ٣٠٠٠
        ("0x10", "", "E2"),
        ("NaN", "", "E2"),
        ("1" * 5000, "", "E2"),
        ("500", '<c r="F2" t="s"><v>1_0</v></c>', "F2"),
    ],
    ids=["underscores", "arabic-indic", "hex", "nan", "5000-digits", "string-index"],
)
def test_attack_an_xlsx_number_cell_not_in_ascii_digits_is_refused_naming_the_cell(
    tmp_path: Path, weight: str, marking: str, cell: str
) -> None:
    """Issue 12 (b12final), finding 8: openpyxl read `1_2_3` as 123 and `٣٠٠٠` as 3000;
    `0x10`, `NaN` gave "the sheet's XML is not as a spreadsheet writes it"."""
    path = _crafted(tmp_path / "n.xlsx", _number_row(2, weight, marking))
    with pytest.raises(TableError) as refused:
        _read(path)
    said = str(refused.value)
    assert said.startswith(f"cell {cell}: holds ")
    assert "not a number in ASCII digits" in said
    assert len(said) < 300


def test_a_whole_number_of_nineteen_digits_is_refused_in_csv_and_xlsx_alike(
    tmp_path: Path,
) -> None:
    """Issue 12, finding 9: `0000000000000000500` passed in an xlsx number cell (openpyxl
    reads 500) while the CSV refused it: both refuse it now, naming the count."""
    weight = "0" * 16 + "500"
    csv_path = _write(tmp_path / "n.csv", [_row("KZ-1", "АК 1", weight)])
    with pytest.raises(TableError, match="column weight_g: has 19 digits, more than 18"):
        _read(csv_path)
    with pytest.raises(TableError, match="cell E2: has 19 digits, more than 18"):
        _read(_crafted(tmp_path / "n.xlsx", _number_row(2, weight)))
    read = _read(_crafted(tmp_path / "ok.xlsx", _number_row(2, "0" * 15 + "500")))
    assert read.intakes[0].weight_g == 500


def test_an_xlsx_number_cell_as_excel_writes_it_passes_the_guard(tmp_path: Path) -> None:
    read = _read(_crafted(tmp_path / "ok.xlsx", _number_row(2, "500")))
    assert read.intakes[0].weight_g == 500
    # 5E+2 is a number as Excel writes one, read as 500.0: the whole-number check refuses it.
    with pytest.raises(TableError, match=r"column weight_g: '500\.0' is not a whole number"):
        _read(_crafted(tmp_path / "e.xlsx", _number_row(2, "5E+2")))


def test_attack_a_csv_line_with_fewer_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    """Issue 12 (b12final), finding 10: a short line was padded with empty cells."""
    path = tmp_path / "short.csv"
    path.write_text(
        "item,category,source,location,weight_g,marking\nX-1,edged,found,UNIT-ALM,400\n"
    )
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith("line 2: 5 cells, the header has 6: every line has")


def test_attack_a_bare_carriage_return_in_a_csv_cell_is_named(tmp_path: Path) -> None:
    """Finding 10: a stray CR cut the row in two and was reported as `source: is empty`."""
    path = tmp_path / "cr.csv"
    path.write_bytes(
        b"item,category,source,location,weight_g,marking\r\n"
        b"X-1,edged,found,UNIT-ALM,400,\xd0\x90\xd0\x9a\r1\r\n"
    )
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith("line 2: holds a carriage return (CR, U+000D) alone")
    # A file whose every line ends in a CR alone (old Mac) is still read.
    mac = tmp_path / "mac.csv"
    mac.write_bytes(
        b"item,category,source,location,weight_g,marking\rX-2,edged,found,UNIT-ALM,400,\r"
    )
    assert _read(mac).intakes[0].item == "X-2"


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    marking=st.text(alphabet="АБВГДЕЖЗИКЛМНОПРСТУФабвгдеяэю0123456789 -", min_size=1, max_size=12)
    .map(str.strip)
    .filter(lambda m: m and not m.isascii() and m[0] != "-"),
    bom=st.booleans(),
)
def test_a_utf8_file_said_to_be_windows_1251_is_refused_naming_both(
    tmp_path_factory: pytest.TempPathFactory, marking: str, bom: bool
) -> None:
    """Issue 12: `--encoding windows-1251` on a UTF-8 file signed `АК 9903` into the ledger
    as `РђРљ 9903`. Refused, one line naming both encodings; the same rows in Windows-1251
    are read as told (its letters А-я are no UTF-8 continuation bytes)."""
    folder = tmp_path_factory.mktemp("enc")
    rows = [_row("KZ-1", marking)]
    utf8 = _write(folder / "u.csv", rows, "utf-8-sig" if bom else "utf-8")
    with pytest.raises(TableError) as refused:
        _read(utf8, encoding="windows-1251")
    said = str(refused.value)
    assert "\n" not in said
    assert "UTF-8" in said
    assert "Windows-1251" in said
    assert ("byte order mark" in said) == bom
    cp1251 = _write(folder / "w.csv", rows, "cp1251")
    assert _read(cp1251, encoding="windows-1251").intakes[0].marking == marking


def test_an_ascii_file_said_to_be_windows_1251_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", [[*_row("KZ-1", "AK 1")[:6], "blade"]])
    assert _read(path, encoding="windows-1251").intakes[0].marking == "AK 1"


_ENGLISH = re.compile(r"\b[a-z]{2,} [a-z]{2,}\b")  # two English words running
_REFUSED_FILES = {
    "empty": "",
    "header_lacks_columns": "item,category\n",
    "unknown_column": ",".join([*HEADER, "extra"]) + "\n" + ",".join([*_row("KZ-1"), "x"]),
    "column_twice": ",".join([*HEADER, "item"]) + "\n" + ",".join([*_row("KZ-1"), "KZ-1"]),
    "header_but_no_rows": ",".join(HEADER) + "\n",
    "more_cells": ",".join(HEADER) + "\n" + ",".join([*_row("KZ-1"), "x", "y"]),
    "nul_in_type": ",".join([*HEADER, "type"]) + "\n" + ",".join([*_row("KZ-1"), "но\0ж"]),
    "line_feed_in_marking": ",".join(HEADER) + '\nKZ-1,edged,found,UNIT-ALM,300,"АК\n1",клинок',
}


@pytest.mark.parametrize("content", list(_REFUSED_FILES.values()), ids=list(_REFUSED_FILES))
def test_an_import_refusal_is_said_in_the_reader_s_language(tmp_path: Path, content: str) -> None:
    """Issue 12 (b12 #7): the web import's kk and ru pages said these in English."""
    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableError) as refused:
        _read(path)
    for language in ("ru", "kk"):
        said = i18n.reason(refused.value, language)
        assert _ENGLISH.search(said) is None, (language, said)
        assert "details." not in said, said  # a detail by its column (type), not the model's


def test_a_web_upload_is_named_by_the_name_it_was_sent_by(tmp_path: Path) -> None:
    """Issue 12 (b12 #7): the web import kept the upload as table.xlsx and the refusal named
    that (or the server's whole path), not the person's x.xlsx."""
    kept = tmp_path / "table.xlsx"
    kept.write_bytes(b"not a zip at all")
    with pytest.raises(TableError) as refused:
        intake_file.read(kept, _no_photo, PLACES, name="приём x.xlsx")
    assert str(refused.value).startswith("приём x.xlsx is not an .xlsx workbook")
    assert str(tmp_path) not in str(refused.value)
    assert i18n.reason(refused.value, "ru").startswith("приём x.xlsx — не книга Excel")
    with pytest.raises(TableError, match=r"not 'x\.txt'$") as refused:
        intake_file.read(tmp_path / "table", _no_photo, PLACES, name="x.txt")
    assert "'x.txt'" in i18n.reason(refused.value, "kk")


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(delimiter=st.sampled_from([",", ";", "\t"]), crlf=st.booleans())
def test_a_tab_separated_file_is_read_as_comma_and_semicolon_ones_are(
    tmp_path_factory: pytest.TempPathFactory, delimiter: str, crlf: bool
) -> None:
    """Issue 12 (b12 #8): a tab-separated file was refused as "the header lacks category,
    source, location, weight_g", naming the wrong cause."""
    path = tmp_path_factory.mktemp("tab") / "t.csv"
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerows([HEADER, _row("KZ-1"), _row("KZ-2", "ЛМ №2")])
    path.write_bytes(out.getvalue().encode())
    read = _read(path)
    assert [i.marking for i in read.intakes] == ["АК 7713", "ЛМ №2"]
    assert read.table.described.endswith(repr(delimiter))
    assert [
        i.item for i in _read(path, delimiter="tab" if delimiter == "\t" else delimiter).intakes
    ]


def test_an_xlsx_workbook_named_csv_is_refused_as_one(tmp_path: Path) -> None:
    path = _crafted(tmp_path / "book.xlsx", _sheet_row(2, "KZ-1", "АК 1"))
    named = path.rename(tmp_path / "book.csv")
    with pytest.raises(
        TableError, match=r"^the file is an \.xlsx workbook \(a ZIP archive\)"
    ) as no:
        _read(named)
    assert i18n.reason(no.value, "kk").startswith("файл — .xlsx")


def test_a_last_line_ending_in_a_lone_cr_ends_there(tmp_path: Path) -> None:
    """Issue 12 (b12 #8): a file whose last line ended in a CR alone (no LF) was refused as
    holding a CR "not at the line's end"; inside the file a CR alone is still refused."""
    body = ",".join(HEADER) + "\r\n" + ",".join(_row("KZ-1")) + "\r\n" + ",".join(_row("KZ-2"))
    path = tmp_path / "t.csv"
    path.write_bytes((body + "\r").encode())
    assert [i.item for i in _read(path).intakes] == ["KZ-1", "KZ-2"]
    path.write_bytes(body.replace("KZ-1,", "KZ-1\r,").encode() + b"\r")
    with pytest.raises(TableError, match=r"^line 2: holds a carriage return"):
        _read(path)


def _renamed(path: Path, name: str = "xl/worksheets/sheet1.bin") -> Path:
    """The workbook at `path` with its first sheet's part renamed to `name`, the workbook's
    relationships and the content types changed to match: openpyxl reads it all the same."""
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    parts[name] = parts.pop("xl/worksheets/sheet1.xml")
    for member in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
        parts[member] = parts[member].replace(
            b"worksheets/sheet1.xml", name.removeprefix("xl/").encode()
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member, data in parts.items():
            out.writestr(member, data)
    return path


@pytest.mark.parametrize("name", ["xl/worksheets/sheet1.bin", "xl/media/image1.png", "xl/s"])
def test_attack_a_sheet_part_not_named_xml_is_guarded_as_a_sheet(tmp_path: Path, name: str) -> None:
    """Issue 12: a sheet renamed sheet1.bin skipped every check of the guard (it looked at
    .xml and .rels names only): a row given twice and a hidden row with data were imported."""
    plain = _renamed(_crafted(tmp_path / "p.xlsx", _sheet_row(2, "KZ-1", "АК 1")), name)
    assert [i.item for i in _read(plain).intakes] == ["KZ-1"]  # openpyxl reads the part
    rows = _sheet_row(2, "KZ-1", "АК 1") + _sheet_row(2, "KZ-2", "АК 2")
    with pytest.raises(TableError, match=r"^row 2: the sheet gives this row twice$"):
        _read(_renamed(_crafted(tmp_path / "d.xlsx", rows), name))
    hidden = _sheet_row(2, "KZ-1", "АК 1").replace('<row r="2">', '<row r="2" hidden="1">')
    with pytest.raises(TableError, match=r"^row 2: the row is hidden and holds data"):
        _read(_renamed(_crafted(tmp_path / "h.xlsx", hidden), name))


def test_a_binary_member_not_named_xml_is_not_parsed_as_xml(tmp_path: Path) -> None:
    """Printer settings and images (not XML) stay as they are: the workbook is read."""
    path = _crafted(tmp_path / "b.xlsx", _sheet_row(2, "KZ-1", "АК 1"))
    with zipfile.ZipFile(path, "a") as out:
        out.writestr("xl/printerSettings/printerSettings1.bin", b"M\x00i\x00c\x00\xff" * 50)
        out.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert [i.item for i in _read(path).intakes] == ["KZ-1"]


def test_attack_a_sheet_of_more_rows_than_a_file_holds_is_refused_while_parsing(
    tmp_path: Path,
) -> None:
    """Issue 12: 34 MiB of `<row/>` deflate to 55 KB and took openpyxl 48 s. The guard
    counts the rows as it parses and stops past the header and FILE_ROWS."""
    empty = "<row/>" * xlsx_table.ROWS_MAX  # with the header row: one more than the cap
    with pytest.raises(TableError) as refused:
        _read(_crafted(tmp_path / "r.xlsx", empty))
    assert str(refused.value) == "the workbook holds more than 100,001 rows in a sheet: refused"
    numbered = "".join(f'<row r="{n}"/>' for n in range(2, xlsx_table.ROWS_MAX + 1))
    assert list(_read_rows(_crafted(tmp_path / "n.xlsx", numbered))) == []


def _read_rows(path: Path) -> list[Any]:
    """The rows of an .xlsx table (none for a sheet of empty rows)."""
    return list(xlsx_table.XlsxTable(path).rows())


def test_attack_too_many_cells_or_elements_are_refused_while_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caps counted while parsing (lowered here so the test is quick): cells of a sheet,
    and the elements of all the parts together."""
    monkeypatch.setattr(xlsx_table, "CELLS_MAX", 1000)
    cells = '<row r="2">' + "<c/>" * 1000 + "</row>"
    with pytest.raises(TableError, match=r"^the workbook holds more than 1,000 cells in a sheet"):
        _read(_crafted(tmp_path / "c.xlsx", cells))
    monkeypatch.setattr(xlsx_table, "ELEMENTS_MAX", 1000)
    junk = '<row r="2">' + "<x/>" * 1000 + "</row>"
    with pytest.raises(TableError, match=r"^the workbook holds more than 1,000 XML elements"):
        _read(_crafted(tmp_path / "e.xlsx", junk))
    for what in ("rows in a sheet", "cells in a sheet", "XML elements"):
        refused = TableError("", xlsx_table._too_many(what, 100_001))
        for language in ("ru", "kk"):
            said = i18n.reason(refused, language)
            assert "100\xa0001" in said  # grouped as ru and kk group (i18n.number)
            assert not _ENGLISH.search(said), said


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    marking=st.text(alphabet="АБВГДЕЖЗИКЛМНОПРСТУФабвгдеяэю0123456789 -", min_size=2, max_size=12)
    .map(str.strip)
    .filter(lambda m: sum(not c.isascii() for c in m) >= 2 and m[0] != "-"),
)
def test_attack_an_almost_utf8_file_said_to_be_windows_1251_is_refused_naming_both(
    tmp_path_factory: pytest.TempPathFactory, marking: str
) -> None:
    """Issue 12, finding 5: two UTF-8 rows and one Windows-1251 row, `--encoding
    windows-1251`, stored the UTF-8 rows as mojibake. Refused as `detect` would read it:
    almost UTF-8, one line naming both encodings; nothing read."""
    folder = tmp_path_factory.mktemp("mixed")
    path = folder / "m.csv"
    utf8 = _write(folder / "u.csv", [_row("KZ-1", marking), _row("KZ-2", marking)], "utf-8")
    cp1251 = ",".join(_row("KZ-3", marking)).encode("cp1251") + b"\n"
    path.write_bytes(utf8.read_bytes() + cp1251)
    with pytest.raises(TableError) as refused:
        _read(path, encoding="windows-1251")
    said = str(refused.value)
    assert "\n" not in said
    assert "almost all UTF-8" in said
    assert "Windows-1251" in said
    with pytest.raises(TableError, match=r"^line 4: "):  # read as UTF-8: the bad row named
        _read(path)


@pytest.mark.parametrize("encoding", ["", "koi8-r"])
def test_an_encoding_given_empty_or_unknown_is_refused_not_found(
    tmp_path: Path, encoding: str
) -> None:
    """Issue 12: `--encoding ""` was taken as no --encoding (the encoding found)."""
    path = _write(tmp_path / "a.csv", [_row("KZ-1")])
    with pytest.raises(TableError, match=r"^the encoding is utf-8 or windows-1251, not "):
        _read(path, encoding=encoding)


@pytest.mark.parametrize(
    "said",
    [
        "line 2: column rifled: is yes or no, not 'maybe'",
        "line 2: column weight_g: Input should be greater than 0",
        "row 2: column item: String should have at least 1 character",
        "row 3: column category: a category is one of edged, firearm",
        "line 4: column source: a source is one of found, seized, surrendered",
    ],
)
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_an_import_refusal_is_said_without_english(said: str, language: str) -> None:
    """Issue 12, finding 9: the cell's reason stayed English on ru and kk pages."""
    shown = i18n.reason(TableError("", said), language)
    assert not _ENGLISH.search(shown.replace("yes", "").replace("no", "")), shown
    assert shown != said


@pytest.mark.parametrize(
    "field", ["language", "timezone", "key_id", "reference", "national_id", "amount_tenge", "table"]
)
def test_a_field_is_labelled_not_named_by_its_code(field: str) -> None:
    """Issue 12, finding 9: «national_id», «key_id»... on ru and kk pages."""
    for language in ("ru", "kk"):
        label = i18n.field_label(field, i18n.gettext_of(language))
        assert field not in label
        assert not label.isascii(), label


@pytest.mark.parametrize(
    ("head", "parsed"),
    [
        (b"\x00" * 16, False),
        (b"", False),
        (b"  \r\n", True),
        (b"  \r\n<x", True),
        (b"\xff\xfe<\x00x\x00", True),
        (b"\x00<\x00x", True),
        (b"\xef\xbb\xbf<x", True),
        (b"M\x00i\x00c\x00", False),
        (b"\x89PNG", False),
    ],
)
def test_a_member_is_checked_as_xml_when_it_begins_as_xml(
    tmp_path: Path, head: bytes, parsed: bool
) -> None:
    """Printer settings (NULs, or UTF-16 of a printer's name) and images are not XML; a
    part that begins as XML does, in UTF-8 or UTF-16, whatever its name."""
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("xl/any.bin", head)
    with zipfile.ZipFile(path) as archive:
        assert xlsx_table._xml(archive, archive.getinfo("xl/any.bin")) == parsed


@pytest.mark.parametrize(
    "odd",
    ['<row r="²" hidden="1"/>', '<row r="١" hidden="1"/>'],
)
def test_attack_a_hidden_row_numbered_in_other_digits_is_no_crash(tmp_path: Path, odd: str) -> None:
    """r3: the guard took `²` for a row number (str.isdigit) and int() then raised: a 500
    on the web import, 'internal error' from the command line. Not a number: no row it hides."""
    path = _crafted(tmp_path / "odd.xlsx", _sheet_row(2, "KZ-1", "АК 1") + odd)
    try:
        read = _read(path)
    except TableError:
        return  # refused, naming what it refuses: as good as read
    assert [i.item for i in read.intakes] == ["KZ-1"]


def test_attack_hidden_columns_numbered_in_other_digits_are_no_crash(tmp_path: Path) -> None:
    cols = '<cols><col min="¹" max="²" hidden="1"/></cols>'
    crafted = _crafted(tmp_path / "c.xlsx", _sheet_row(2, "KZ-1", "АК 1"))
    with zipfile.ZipFile(crafted) as source:
        xml = source.read("xl/worksheets/sheet1.xml").decode()
    assert "<sheetData>" in xml
    path = _crafted(tmp_path / "c2.xlsx", "", part=xml.replace("<sheetData>", cols + "<sheetData>"))
    try:
        read = _read(path)
    except TableError:
        return
    assert [i.item for i in read.intakes] == ["KZ-1"]
