"""Every assumption the simulator's documentation lists has one check of the live conformance kit, and
docs/development.md names the document it rests on: the three lists stay in step."""

import os
import re

from ansible_collections.backupops.veeam.plugins.module_utils.conformance_em import CHECKS as EM_CHECKS
from ansible_collections.backupops.veeam.plugins.module_utils.conformance_vbr import CHECKS as VBR_CHECKS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ASSUMPTION_ID = re.compile(r"\*\*((?:VBR|EM)-[A-Z0-9-]+)\*\*")


def _section(path, heading):
    with open(os.path.join(ROOT, path)) as handle:
        text = handle.read()
    return text[text.index(heading):]


def test_every_documented_assumption_has_one_check_and_every_check_an_assumption():
    vbr = ASSUMPTION_ID.findall(_section("tests/simulator/README.md", "## Assumptions"))
    em = ASSUMPTION_ID.findall(_section("tests/simulator/EM.md", "## EM assumptions"))
    assert len(vbr) == len(set(vbr)) and len(em) == len(set(em))
    assert sorted(vbr) == sorted(VBR_CHECKS)
    assert sorted(em) == sorted(EM_CHECKS)


def test_development_guide_names_the_document_of_every_assumption():
    table = _section("docs/development.md", "### Assumptions and the documents they rest on")
    rows = dict((match.group(1), match.group(2)) for match in
                re.finditer(r"^\| ((?:VBR|EM)-[A-Z0-9-]+) \|[^|]+\| ([^|]+) \|$", table, re.MULTILINE))
    assert sorted(rows) == sorted(list(VBR_CHECKS) + list(EM_CHECKS))
    assert all(document.strip() for document in rows.values())
