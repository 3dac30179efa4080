# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: to_csv
short_description: Rows as CSV text that is safe to open in a spreadsheet
version_added: 1.0.0
description:
  - Turns a list of rows (dictionaries) into CSV text with Python's C(csv) module - every field quoted, quotes
    doubled, commas and line breaks kept inside their field - so that a name holding C(") or C(,) or a line break
    never shifts the columns.
  - Neutralises spreadsheet formulas as OWASP recommends against CSV injection - a field that starts with C(=),
    C(+), C(-), C(@), a tab or a carriage return gets a leading C(') so that a spreadsheet shows it as text
    instead of running it (for example an account named C(=HYPERLINK(...))).
  - Lists in a field are joined with O(list_separator); V(null) becomes an empty field.
  - The result is data, never a template.
author:
  - backupops.veeam contributors (@backupops)
options:
  _input:
    description: The rows, each a dictionary.
    type: list
    elements: dict
    required: true
  columns:
    description:
      - The keys to write, in this order; they are the header line too. A key a row lacks gives an empty field.
      - Defaults to the keys of the first row.
    type: list
    elements: str
  header:
    description: Whether the first line names the columns.
    type: bool
    default: true
  list_separator:
    description: What joins the items of a list in one field.
    type: str
    default: "; "
  neutralize_formulas:
    description:
      - Whether to prefix fields that a spreadsheet would read as a formula with C(').
      - Turn it off only for a consumer that never evaluates formulas and needs the exact text.
    type: bool
    default: true
notes:
  - Lines end with CR LF, as RFC 4180 says; read the file with a CSV reader (in Python C(open(path, newline=""))).
"""

EXAMPLES = r"""
- name: Write the access report as CSV
  ansible.builtin.copy:
    content: "{{ audit_rows | backupops.veeam.to_csv(columns=['server', 'account', 'roles']) }}"
    dest: /srv/reports/veeam-access.csv
    mode: "0640"
"""

RETURN = r"""
_value:
  description: The CSV text, a header line (unless O(header=false)) and one line per row.
  type: str
  sample: "\"server\",\"account\"\r\n\"vbr01\",\"'=HYPERLINK(\"\"https://evil.example\"\")\"\r\n"
"""

import csv
import io

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.unsafe_proxy import wrap_var

# OWASP, CSV Injection: fields starting with these are formulas (or can start one) in spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_field(value, list_separator="; ", neutralize_formulas=True):
    """The text of one field: lists joined, None empty, a formula-like start neutralised."""
    if value is None:
        text = ""
    elif is_sequence(value) and not isinstance(value, str):
        text = list_separator.join(csv_field(item, list_separator, False) for item in value)
    else:
        text = to_text(value)
    if neutralize_formulas and text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text


def to_csv(rows, columns=None, header=True, list_separator="; ", neutralize_formulas=True):
    if not is_sequence(rows) or isinstance(rows, str):
        raise AnsibleFilterError("to_csv needs a list of rows (dictionaries), got %s" % type(rows).__name__)
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise AnsibleFilterError("to_csv: row %d is a %s, not a dictionary" % (index, type(row).__name__))
    if columns is None:
        columns = list(rows[0]) if rows else []
    columns = [to_text(column) for column in columns]
    output = io.StringIO()
    writer = csv.writer(output, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    if header and columns:
        writer.writerow([csv_field(column, list_separator, neutralize_formulas) for column in columns])
    for row in rows:
        writer.writerow([csv_field(row.get(column), list_separator, neutralize_formulas) for column in columns])
    # The text holds server data: it is data, never a template (ansible-core before 2.19 needs the mark).
    return wrap_var(output.getvalue())


class FilterModule(object):
    def filters(self):
        return {"to_csv": to_csv}
