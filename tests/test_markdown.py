"""Markdown rendering: no raw HTML, no dangerous links, no remote images, same bytes every time."""

import pytest

from clipai import markdown


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", "href"),
        ("[click](JaVaScRiPt:alert(1))", "href"),
        ("[click](vbscript:msgbox)", "href"),
        ("[click](data:text/html;base64,PHNjcmlwdD4=)", "href"),
        ("![tracker](https://example.com/pixel.png)", "<img"),
        ('<a href="https://example.com" onclick="x()">a</a>', "<a "),
    ],
)
def test_dangerous_input_is_neutralized(source, forbidden):
    assert forbidden not in markdown.to_html(source)


def test_raw_html_is_shown_as_text():
    assert "&lt;b&gt;bold&lt;/b&gt;" in markdown.to_html("<b>bold</b>")


def test_safe_links_keep_working():
    html = markdown.to_html("[mail](mailto:support@clipai.pro) [site](https://clipai.pro/privacy) [here](/privacy)")
    assert 'href="mailto:support@clipai.pro"' in html
    assert 'href="https://clipai.pro/privacy"' in html
    assert 'href="/privacy"' in html


def test_leading_heading_becomes_the_title():
    document = markdown.render_document("# Privacy *Policy*\n\n## 1. Data\n\nText.\n")
    assert document.title == "Privacy Policy"
    assert "<h1>" not in document.html and "<h2>1. Data</h2>" in document.html


def test_rendering_is_deterministic():
    source = "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- **x**\n- ~~y~~\n"
    assert len({markdown.to_html(source) for _ in range(5)}) == 1
    assert "<table>" in markdown.to_html(source)
