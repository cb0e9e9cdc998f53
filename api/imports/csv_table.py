"""A CSV file as a table of rows, read by the csv module straight from the byte stream.

What Russian Excel and LibreOffice save: UTF-8 with or without a BOM, or Windows-1251, and
`,`, `;` or a tab between cells. The encoding is the one asked for or found (UTF-8 if the whole file
decodes as UTF-8, or if it is almost UTF-8: its few bad bytes are then refused naming line and
character; else Windows-1251, when it reads as Russian rather than as KOI8-R taken for it,
else refused asking for --encoding; a UTF-16 file, by its BOM, is refused as one), the
delimiter the one asked for or the one the header line uses; a ZIP archive (an .xlsx
workbook named .csv) is refused as one. A line break inside a quoted
cell stays in the cell (whether a marking may hold one is for the command's grammar to say);
lines are never split or joined before the parser
(str.splitlines would split at U+2028 and U+0085 too).

Each row comes with the line it starts on, so an error names it even after a quoted break.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple, TypeVar

from api.imports.intake_rows import RowError, check_header

ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1251": "Windows-1251"}
DELIMITERS = (",", ";", "\t")  # a tab: what "Text (Tab delimited)" saves
_ZIP = b"PK\x03\x04"  # the first bytes of a ZIP archive, which an .xlsx workbook is
_CHUNK = 1 << 20
T = TypeVar("T")


class TableError(ValueError):
    """The file cannot be read as a table: `where` names the line (or row)."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class Row(NamedTuple):
    """A row of a table (a tuple: a frozen dataclass took 1 µs a row to make, a tenth of
    what an intake file's reading costs beyond the command's own checks, bench/imports.py)."""

    where: str  # "line 17" (CSV) or "row 17" (xlsx)
    cells: dict[str, str]


def codec_of(name: str) -> str:
    """The codec for an --encoding name: utf-8 (utf8) or cp1251 (windows-1251)."""
    try:
        found = codecs.lookup(name).name
    except LookupError:
        found = ""
    if found not in ("utf-8", "cp1251"):
        raise TableError("", f"the encoding is utf-8 or windows-1251, not {name!r}")
    return found


# How often each Russian letter comes in running text, per thousand letters (the National
# Corpus of Russian's counts, rounded); the Kazakh letters Windows-1251 cannot hold aside.
_FREQUENCY = dict(
    zip(
        "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
        (
            110,
            85,
            80,
            73,
            67,
            63,
            55,
            47,
            45,
            44,
            35,
            32,
            30,
            28,
            26,
            20,
            19,
            17,
            17,
            16,
            16,
            14,
            12,
            10,
            9,
            7,
            6,
            5,
            4,
            4,
            3,
            1,
            1,
        ),
        strict=True,
    )
)


def reads_as_russian(data: bytes) -> bool:
    """Whether `data` decoded as Windows-1251 reads as Russian rather than as KOI8-R taken
    for it: each Cyrillic letter scored by how often Russian uses it (case aside, so a text
    in capitals scores as its lowercase), the Windows-1251 reading against the KOI8-R one
    of the same bytes. KOI8-R read as Windows-1251 gives rare letters, mostly capitals
    (`ствольная` becomes `СФЧПМШОБС`). True when the bytes hold no Cyrillic letter."""

    def score(text: str) -> float:
        return sum(
            math.log(_FREQUENCY.get(c, 0.5)) for c in text.lower() if "а" <= c <= "я" or c == "ё"
        )

    ours, theirs = data.decode("cp1251", errors="replace"), data.decode("koi8_r", errors="replace")
    return score(ours) >= score(theirs)


def _starts_with_bom(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(3) == codecs.BOM_UTF8


def utf16(path: Path) -> bool:
    """Whether the file starts with a UTF-16 byte order mark (FF FE or FE FF)."""
    with path.open("rb") as handle:
        return handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _beyond_ascii(text: str) -> int:
    """How many characters of `text` are not ASCII: the encoder drops them in C, where a
    loop over the characters cost an intake file's read 2 µs a row (bench/imports.py)."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _utf8_counts(path: Path) -> tuple[int, int]:
    """(characters beyond ASCII that decode as UTF-8, bad bytes: each a U+FFFD) of the file
    read as UTF-8 from its first byte; streamed."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    beyond = bad = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            text = decoder.decode(chunk)
            replaced = text.count("\ufffd")
            bad += replaced
            beyond += _beyond_ascii(text) - replaced
    bad += decoder.decode(b"", final=True).count("\ufffd")
    return beyond, bad


def detect(path: Path) -> str:
    """utf-8-sig (a BOM), utf-8 (all of it decodes, or it is almost UTF-8: more characters
    beyond ASCII decode as UTF-8 than bytes fail to, so a few bad bytes in a UTF-8 file are
    refused where they are, not read as Windows-1251 mojibake), else cp1251 when its first
    MiB reads as Russian (`reads_as_russian`); streamed. TableError for a file that is
    neither (KOI8-R), asking for --encoding."""
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    beyond, bad = _utf8_counts(path)
    # (a U+FFFD the file itself holds counts as bad: it is mojibake already)
    if bad == 0 or beyond > bad:
        return "utf-8"
    with path.open("rb") as handle:
        sample = handle.read(_CHUNK)
    if not reads_as_russian(sample):
        raise TableError(
            "",
            "the file is neither UTF-8 nor Windows-1251 that reads as Russian (KOI8-R?): save it "
            "as UTF-8, or say its encoding with --encoding",
        )
    return "cp1251"


def _not_utf8(path: Path) -> None:
    """TableError when a file said to be Windows-1251 (--encoding) is UTF-8: it starts with
    the UTF-8 BOM, or all of it decodes as UTF-8 and it holds bytes beyond ASCII, or it is
    almost UTF-8 (more characters beyond ASCII decode as UTF-8 than bytes fail to: `detect`'s
    rule). Read as Windows-1251, its Cyrillic would be signed into the ledger as mojibake (`АК`
    as `РђРљ`, issue 12); a Windows-1251 text of Russian words is never valid UTF-8 throughout,
    nor mostly. Streamed."""
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            raise TableError(
                "",
                "the file starts with the UTF-8 byte order mark, so it is UTF-8, not "
                "Windows-1251 as --encoding says: give --encoding utf-8, or leave it out",
            )
    beyond, bad = _utf8_counts(path)
    if beyond and not bad:
        raise TableError(
            "",
            "the file is UTF-8 (all of it decodes as UTF-8, letters beyond ASCII included), not "
            "Windows-1251 as --encoding says: give --encoding utf-8, or leave it out",
        )
    if beyond > bad:
        # Mostly UTF-8 with a few bad bytes (rows pasted from a Windows-1251 file): read as
        # Windows-1251, its UTF-8 rows would be signed as mojibake (issue 12, finding 5).
        raise TableError(
            "",
            f"the file is almost all UTF-8 ({beyond:,} characters beyond ASCII decode as UTF-8, "
            f"{bad:,} {'byte does' if bad == 1 else 'bytes do'} not), not Windows-1251 as "
            "--encoding says: save all of it as UTF-8 and give --encoding utf-8, or leave it out",
        )


def _delimiter(header_line: str, given: str | None) -> str:
    if given is not None:
        given = "\t" if given.lower() in ("tab", "\\t") else given
        if given not in DELIMITERS:
            raise TableError("", f"the delimiter is , or ; or tab, not {given!r}")
        return given
    # Header names hold none of them, so the header line shows which one the file uses (a
    # tab-separated file was refused as one lacking its columns, issue 12).
    return max(DELIMITERS, key=header_line.count)


class CsvTable:
    """Open with `CsvTable(path, encoding, delimiter)` (None: detect), then iterate rows.

    Raises TableError naming the line for a bad header, an undecodable byte, broken quoting
    or a row with more cells than the header."""

    def __init__(self, path: Path, encoding: str | None = None, delimiter: str | None = None):
        if utf16(path):
            raise TableError(
                "", "the file is UTF-16 (its first bytes say so): save it as UTF-8 (CSV UTF-8)"
            )
        with path.open("rb") as handle:
            if handle.read(4) == _ZIP:
                raise TableError(
                    "",
                    "the file is an .xlsx workbook (a ZIP archive), though its name ends in "
                    ".csv: name it .xlsx, or save it as CSV",
                )
        # (an empty --encoding "" is refused by codec_of, not taken as "find it": issue 12)
        codec = codec_of(encoding) if encoding is not None else detect(path)
        if encoding is not None and codec == "cp1251":
            _not_utf8(path)
        if codec == "utf-8" and _starts_with_bom(path):
            codec = "utf-8-sig"  # asked for UTF-8, and the file starts with its BOM
        self.path, self.codec = path, codec
        self.delimiter = delimiter
        self.header: list[str] = []

    @property
    def described(self) -> str:
        return f"{ENCODINGS[self.codec]}, cells separated by {self.delimiter!r}"

    def rows(self) -> Iterator[Row]:
        with self.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=self.codec, errors="strict", newline="")
            first = self._decoded(text.readline)
            self.delimiter = _delimiter(first, self.delimiter)
            self.header = [h.strip() for h in next(csv.reader([first], self._dialect()), [])]
            try:
                check_header(self.header)
            except RowError as exc:
                raise TableError("line 1", str(exc)) from None
            # A file whose lines end in a CR alone (old Mac) is read as such; in any other a
            # CR alone is a stray character inside a line (issue 12, finding 10), which the
            # reader would take for a line's end and so cut the row in two.
            cr_ends_lines = first.endswith("\r")
            yield from self._records(self._lines(text, cr_ends_lines))

    def _lines(self, text: io.TextIOWrapper, cr_ends_lines: bool) -> Iterator[str]:
        """The file's lines after the header, TableError for a carriage return alone in one
        (unless CRs end the file's lines)."""
        number = 1
        line = text.readline()
        while line:
            number += 1
            following = text.readline()
            # A CR alone at the end of the file's last line ends that line, as a CR LF would
            if not cr_ends_lines and line.endswith("\r") and following:
                raise TableError(
                    f"line {number}",
                    "holds a carriage return (CR, U+000D) alone, not at the line's end: "
                    "remove it and save the file again",
                )
            yield line
            line = following

    def _dialect(self) -> csv.Dialect:
        class Dialect(csv.excel):
            delimiter = self.delimiter or ","
            strict = True

        return Dialect()

    def _records(self, text: Iterator[str]) -> Iterator[Row]:
        # One try around the whole loop, not a wrapped call per row: it runs for each of up
        # to 100,000 rows (bench/imports.py).
        reader = csv.reader(text, self._dialect())
        header, width = self.header, len(self.header)
        start = 2  # the physical line the next record starts on
        try:
            for record in reader:
                line, start = start, 2 + reader.line_num
                # every cell blank: a blank line, skipped (the first cell decides most rows)
                if not (record and (record[0].strip() or "".join(record).strip())):
                    continue
                if len(record) != width:
                    raise self._width_refused(line, len(record))
                # zip's strict check again cost 1 µs a row (bench/imports.py): width checked
                yield Row(f"line {line}", dict(zip(header, record, strict=False)))
        except csv.Error as exc:
            raise TableError(f"line {start}", f"the CSV is malformed: {exc}") from None
        except UnicodeDecodeError:
            raise self._bad_byte() from None

    def _width_refused(self, line: int, cells: int) -> TableError:
        """The refusal of a record of `cells` cells, not one for each column of the header."""
        if cells > len(self.header):
            return TableError(
                f"line {line}",
                f"{cells} cells, the header has {len(self.header)} "
                f"(is the delimiter {self.delimiter!r} right?)",
            )
        return TableError(  # a cell left out, not an empty one
            f"line {line}",
            f"{cells} cells, the header has {len(self.header)}: every line has "
            "a cell for each column, an empty one where there is nothing",
        )

    def _decoded(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except UnicodeDecodeError:
            raise self._bad_byte() from None

    def _bad_byte(self) -> TableError:
        # The wrapper decodes ahead of the parser: find the byte's own line and column.
        line, column, byte = _first_bad_byte(self.path, self.codec)
        return TableError(
            f"line {line}",
            f"byte 0x{byte} is not {ENCODINGS[self.codec]} (character {column} of the "
            "line; --encoding says which the file is)",
        )


def _first_bad_byte(path: Path, codec: str) -> tuple[int, int, str]:
    """The line (from 1) of the first byte `codec` cannot decode, its character in that line
    (from 1, the BOM of a UTF-8 file not counted: no one sees it), and that byte in hex."""
    bom = codec == "utf-8-sig"
    # utf-8-sig's decoder drops the BOM and counts an error's position from after it, which
    # put the bad byte 3 bytes early (another byte named, the character 3 off): read past the
    # BOM here, and decode the rest as the UTF-8 it is.
    codec = "utf-8" if bom else codec
    decoder = codecs.getincrementaldecoder(codec)()
    line, before = 1, b""  # before: the bytes of the current line up to this chunk
    with path.open("rb") as handle:
        if bom:
            handle.read(len(codecs.BOM_UTF8))
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                head = before + chunk[: exc.start]
                start = head.rfind(b"\n") + 1
                column = len(head[start:].decode(codec, errors="replace")) + 1
                byte = chunk[exc.start : exc.start + 1].hex()
                return line + chunk[: exc.start].count(b"\n"), column, byte
            line += chunk.count(b"\n")
            before = (before + chunk)[(before + chunk).rfind(b"\n") + 1 :]
    return line, 1, "??"
