"""Reading uploaded spreadsheets (CSV) for all-or-nothing imports with an error for every bad row.

Each import (catalogue, vacancies, residents) declares its columns with the header variants people
really use; this module decodes the file, maps the headers, and collects ``RowError``s so the
caller can refuse the whole file and tell the user every line to fix.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pathways.errors import ValidationFailed

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    """A column an import understands: its name, the other headers that mean it, and if needed."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class RowError:
    """Why one line of the file was refused; line numbers count the header as line 1."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


class ImportRejected(ValidationFailed):
    """The file was refused as a whole; nothing from it was stored."""

    def __init__(self, row_errors: list[RowError]):
        count = len(row_errors)
        super().__init__(f"The file was not imported: {count} problem{'s' * (count != 1)} found")
        self.row_errors = row_errors


@dataclass
class CsvRow:
    """One data line, keyed by the import's own column names."""

    line: int
    values: dict[str, str]


@dataclass
class ParsedCsv:
    rows: list[CsvRow]
    ignored_headers: list[str] = field(default_factory=list)


def header_key(header: str) -> str:
    """Compare headers ignoring case, spaces, punctuation and a byte-order mark."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def decode_upload(data: bytes) -> str:
    """Text of an uploaded CSV: UTF-8 (with or without BOM), else Windows-1252 as Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes | str, columns: list[Column]) -> ParsedCsv:
    """Rows keyed by column name; a missing required header or an unreadable file is refused."""
    text = decode_upload(data) if isinstance(data, bytes) else data
    if not text.strip():
        raise ImportRejected([RowError(1, "", "the file is empty")])
    if "\x00" in text:
        # UTF-16 and binary files (a spreadsheet saved as .xlsx) are full of NULs; no database
        # text can hold one.
        raise ImportRejected(
            [RowError(1, "", "the file contains NUL characters; save it as CSV (UTF-8) and retry")]
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except csv.Error as error:
        raise ImportRejected([RowError(1, "", f"not a readable CSV file ({error})")]) from error
    mapping = _map_headers(headers, columns)
    rows = list(_data_rows(reader, mapping))
    if not rows:
        raise ImportRejected([RowError(2, "", "the file has a header but no rows")])
    ignored = [h for i, h in enumerate(headers) if i not in mapping and h.strip()]
    return ParsedCsv(rows=rows, ignored_headers=ignored)


def template_csv(columns: list[Column], example_rows: list[dict[str, str]]) -> str:
    """A downloadable template: the headers, then worked examples."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[column.name for column in columns])
    writer.writeheader()
    for row in example_rows:
        writer.writerow(row)
    return buffer.getvalue()


def _map_headers(headers: list[str], columns: list[Column]) -> dict[int, str]:
    names = {header_key(alias): c.name for c in columns for alias in (c.name, *c.aliases)}
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = names.get(header_key(header))
        if name and name not in mapping.values():
            mapping[index] = name
    missing = [c.name for c in columns if c.required and c.name not in mapping.values()]
    if missing:
        raise ImportRejected(
            [RowError(1, name, "required column is missing from the header") for name in missing]
        )
    return mapping


def _data_rows(reader, mapping: dict[int, str]) -> Iterator[CsvRow]:
    try:
        for cells in reader:
            line = reader.line_num
            if line > MAX_ROWS + 1:
                raise ImportRejected([RowError(line, "", f"more than {MAX_ROWS} rows; split it")])
            if not any(cell.strip() for cell in cells):
                continue
            values = {name: "" for name in mapping.values()}
            for index, name in mapping.items():
                if index < len(cells):
                    values[name] = cells[index].strip()
            yield CsvRow(line=line, values=values)
    except csv.Error as error:
        raise ImportRejected(
            [RowError(reader.line_num, "", f"not a readable CSV file ({error})")]
        ) from error
