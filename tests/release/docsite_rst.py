"""Render the Markdown guides of docs/ as the RST pages antsibull-docs shows next to the module docs.

antsibull-docs takes a collection's extra docs only as RST files under docs/docsite/rst/, each starting with a
label ``ansible_collections.<namespace>.<name>.docsite.<page>``; our guides are Markdown (what GitHub and
Automation Hub show). So the Markdown stays the one source: `make install` runs this script before it builds
the tarball, and it writes docs/docsite/rst/<name>.rst (ignored by git) for every guide docs/<name>.md that
docs/docsite/extra-docs.yml lists. Links between guides become ``:ref:`` links; links to other files of the
repository become links to them on GitHub.

    python tests/release/docsite_rst.py          # from the repository root
"""

import glob
import os
import posixpath
import re
import sys

import m2r2
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(REPO_ROOT, "docs")
EXTRA_DOCS = os.path.join(DOCS, "docsite", "extra-docs.yml")
RST_DIR = os.path.join(DOCS, "docsite", "rst")
# m2r2 with anonymous references writes a link as `text <target>`__
RST_LINK = re.compile(r"`([^`<]*?)\s*<([^>`]+)>`__")
RST_LABEL = re.compile(r"^\.\. _([^:]+):\s*$", re.M)
# an image (and the link around it) whose file lies beside the guide in docs/
RST_IMAGE = re.compile(r"^(\s*(?:\.\. image::|:target:))\s+(?![a-z][a-z0-9+.-]*:)(\S+)\s*$", re.M)
# a fenced code block without a language: rstcheck (antsibull-docs lint) wants one
CODE_BLOCK_WITHOUT_LANGUAGE = re.compile(r"^(\s*\.\. code-block::)\s*$", re.M)


def galaxy():
    with open(os.path.join(REPO_ROOT, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)


def guides():
    """The guide names docs/docsite/extra-docs.yml lists, in its order."""
    with open(EXTRA_DOCS) as handle:
        sections = yaml.safe_load(handle)["sections"]
    return [entry if isinstance(entry, str) else entry["ref"] for section in sections for entry in section["toctree"]]


def label_prefix(meta):
    return "ansible_collections.%s.%s.docsite." % (meta["namespace"], meta["name"])


def rewrite_link(text, target, names, meta):
    """A link of docs/<guide>.md as the RST page needs it."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
        return "`%s <%s>`__" % (text, target)
    path, anchor = (target.split("#", 1) + [""])[:2]
    name = posixpath.splitext(posixpath.basename(path))[0]
    if posixpath.dirname(path) in ("", ".") and path.endswith(".md") and name in names:
        return ":ref:`%s <%s%s>`" % (text or name, label_prefix(meta), name)
    in_repo = posixpath.normpath(posixpath.join("docs", path))
    url = "%s/blob/main/%s%s" % (meta["repository"].rstrip("/"), in_repo, "#" + anchor if anchor else "")
    return "`%s <%s>`__" % (text or in_repo, url)


def image_url(path, meta):
    """An image of docs/ (a chart of docs/performance.md) as a file of the repository on GitHub: the RST pages lie
    in docs/docsite/rst/, where the relative path would not find it."""
    return "%s/raw/main/%s" % (meta["repository"].rstrip("/"), posixpath.normpath(posixpath.join("docs", path)))


def render(name, names, meta):
    with open(os.path.join(DOCS, name + ".md")) as handle:
        markdown = handle.read()
    rst = m2r2.convert(markdown, anonymous_references=True).strip("\n")
    rst = RST_LINK.sub(lambda match: rewrite_link(match.group(1), match.group(2), names, meta), rst)
    # antsibull-docs accepts only labels of this collection's docsite: keep none of the converter's own
    rst = RST_LABEL.sub("", rst)
    rst = CODE_BLOCK_WITHOUT_LANGUAGE.sub(r"\1 text\n", rst)
    rst = RST_IMAGE.sub(lambda match: "%s %s" % (match.group(1), image_url(match.group(2), meta)), rst)
    header = (".. Generated from docs/%s.md by tests/release/docsite_rst.py (make install): edit the Markdown.\n\n"
              ".. _%s%s:\n\n" % (name, label_prefix(meta), name))
    return header + rst + "\n"


def main():
    meta = galaxy()
    names = guides()
    missing = [name for name in names if not os.path.isfile(os.path.join(DOCS, name + ".md"))]
    if missing:
        sys.exit("docs/docsite/extra-docs.yml lists guides that do not exist: %s" % ", ".join(
            "docs/%s.md" % name for name in missing))
    os.makedirs(RST_DIR, exist_ok=True)
    for stale in glob.glob(os.path.join(RST_DIR, "*.rst")):
        os.unlink(stale)
    for name in names:
        with open(os.path.join(RST_DIR, name + ".rst"), "w") as handle:
            handle.write(render(name, names, meta))
    print("docsite: %d guides rendered as RST in %s" % (len(names), os.path.relpath(RST_DIR, REPO_ROOT)))


if __name__ == "__main__":
    main()
