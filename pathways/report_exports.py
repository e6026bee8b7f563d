"""Reports as CSV and XLSX files, every text cell neutralised as ``pathways.exports`` does."""

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from pathways.exports import safe_cell, to_csv
from pathways.reporting import Table

# Excel refuses these in sheet names, and names longer than 31 characters.
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")


def tables_to_csv(title: str, tables: list[Table]) -> str:
    """One CSV: the report title, then each table's title, header, rows and any note, a blank
    line apart."""
    parts = [_csv_line(title)]
    for table in tables:
        parts.append("\n" + _csv_line(table.title) + to_csv(table.columns, table.rows))
        if table.note:
            parts.append(_csv_line(table.note))
    return "".join(parts)


def _csv_line(text: str) -> str:
    """A one-cell line (``to_csv`` neutralises it as it does every cell)."""
    return to_csv([text], [])


def tables_to_xlsx(title: str, tables: list[Table]) -> bytes:
    """A workbook with one sheet per table, the report title above each table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title, used))
        sheet.append([safe_cell(title)])
        sheet.append([safe_cell(table.title)])
        sheet.append([safe_cell(column) for column in table.columns])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([safe_cell(cell) for cell in row])
        if table.note:
            sheet.append([])
            sheet.append([safe_cell(table.note)])
        sheet.column_dimensions["A"].width = 45
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_NAME_REFUSED.sub(" ", title)[:28].strip() or "Table"
    name, number = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {number}"
        number += 1
    used.add(name.lower())
    return name
