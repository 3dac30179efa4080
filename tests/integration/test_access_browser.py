"""The HTML access report in a real browser: headless Chromium (Debian's package) renders the page with hostile names,
takes a screenshot, and dumps the DOM after load, so that we know the page shows what it should and that nothing in it
ran.

`make browser` (part of `make test`) runs it: it installs Debian's chromium when it is missing (as root) and sets
VEEAM_TEST_BROWSER=1. By hand, after make install:

    apt-get install -y chromium          # Debian / Ubuntu; the test looks for /usr/bin/chromium
    VEEAM_TEST_BROWSER=1 .venv/bin/python -m pytest tests/integration/test_access_browser.py

`make integration` skips it (no VEEAM_TEST_BROWSER) so that it runs once per `make test`; the same page is also
checked without a browser by tests/unit/test_access_html.py (inert and self-contained, every hostile name as text).
"""

import os
import struct
import subprocess
import zlib

import pytest

from ansible_collections.backupops.veeam.plugins.filter.access_html import access_html
from tests.html_check import HOSTILE_NAMES, hostile_report, inert_page_problems, page_text

CHROMIUM = os.environ.get("VEEAM_TEST_CHROMIUM", "/usr/bin/chromium")
OPT_IN = "VEEAM_TEST_BROWSER"
WIDTH, HEIGHT = 1400, 1800
# Chromium without a sandbox (it runs as root in CI containers), a GPU, network chatter or a profile of its own.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Row colours of the page's style sheet: a rendered page shows them.
COLOURS = {"unlisted row": (0xfd, 0xe4, 0xe4), "missing row": (0xe4, 0xed, 0xfd), "differs row": (0xff, 0xf4, 0xd6),
           "table header": (0xee, 0xf2, 0xf6)}

pytestmark = [
    pytest.mark.skipif(os.environ.get(OPT_IN) != "1",
                       reason="the browser check runs in make browser (part of make test), which sets %s=1 "
                              "(docs/development.md, 'The HTML report in a browser')" % OPT_IN),
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                       reason="%s is absent: apt-get install -y chromium (or set VEEAM_TEST_CHROMIUM)" % CHROMIUM),
]


def chromium(tmp_path, *arguments):
    """Run headless Chromium with a new, empty profile; returns its standard output."""
    profile = tmp_path / ("profile-%d" % len(list(tmp_path.glob("profile-*"))))
    profile.mkdir()
    completed = subprocess.run([CHROMIUM] + FLAGS + ["--user-data-dir=%s" % profile] + list(arguments),
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def png_pixels(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks = 8, {}
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.setdefault(kind, []).append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG format"
    step = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * step
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up = previous[x]
            upper_left = previous[x - step] if x >= step else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xff
            elif kind == 2:
                line[x] = (line[x] + up) & 0xff
            elif kind == 3:
                line[x] = (line[x] + ((left + up) >> 1)) & 0xff
            elif kind == 4:
                estimate = left + up - upper_left
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - upper_left))
                predictor = (left, up, upper_left)[distances.index(min(distances))]
                line[x] = (line[x] + predictor) & 0xff
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, step)])
        previous = line
    return width, height, rows


@pytest.fixture
def page(tmp_path):
    text = access_html(hostile_report(), title="Veeam access <script>document.title='pwned'</script>")
    assert inert_page_problems(text) == []
    path = tmp_path / "access-report.html"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_page_renders_with_its_tables_and_colours(page, tmp_path):
    screenshot = tmp_path / "access-report.png"
    chromium(tmp_path, "--window-size=%d,%d" % (WIDTH, HEIGHT), "--screenshot=%s" % screenshot, page.as_uri())
    width, height, rows = png_pixels(screenshot)
    assert (width, height) == (WIDTH, HEIGHT)
    colours = set(pixel for row in rows for pixel in row)
    assert len(colours) > 50, "the screenshot is (nearly) blank: %d colours" % len(colours)
    for what, colour in COLOURS.items():
        assert colour in colours, "no %s (%s) in the screenshot: the page did not render as styled" % (what, colour)


def test_nothing_in_the_page_runs(page, tmp_path):
    """The DOM after load, as Chromium serialises it: no element came from a name, no script changed anything."""
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert "data-pwned" not in dom.split("<body", 1)[1].split(">", 1)[0], "a hostile name ran script"
    assert "<script" not in dom.lower() and "<img" not in dom.lower()
    title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == "Veeam access &lt;script&gt;document.title='pwned'&lt;/script&gt;"
    text = page_text(dom)
    for name in HOSTILE_NAMES:
        assert name in text, name
