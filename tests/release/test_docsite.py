"""The guides appear with the module docs: docs/docsite/extra-docs.yml lists every guide of docs/, and the
tarball holds each one as the RST page antsibull-docs reads (rendered from the Markdown by make install)."""

import os
import tarfile

from tests.release import docsite_rst
from tests.release.test_tarball import TARBALL

DOCS = os.path.join(docsite_rst.REPO_ROOT, "docs")


def test_every_guide_is_listed_in_extra_docs():
    guides = sorted(name[:-len(".md")] for name in os.listdir(DOCS) if name.endswith(".md") and name != "README.md")
    listed = docsite_rst.guides()
    assert sorted(listed) == guides, "docs/docsite/extra-docs.yml must list every guide of docs/ once"


def test_the_tarball_holds_every_guide_as_an_rst_page_with_its_label():
    prefix = docsite_rst.label_prefix(docsite_rst.galaxy())
    with tarfile.open(TARBALL) as tarball:
        for name in docsite_rst.guides():
            page = tarball.extractfile("docs/docsite/rst/%s.rst" % name).read().decode("utf-8")
            assert ".. _%s%s:" % (prefix, name) in page
            labels = [line for line in page.splitlines() if line.startswith(".. _")]
            assert all(label.startswith(".. _" + prefix) for label in labels), labels
            assert ".md>`" not in page, "a link to a guide was not turned into a :ref: link"
