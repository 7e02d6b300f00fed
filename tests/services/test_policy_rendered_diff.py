"""Differences of the rendered text: readers see headings and emphasis, with changed words marked."""

from clipai.services.policy import rendered_diff

OLD = ("# Privacy Policy\n\n## 1. Data\n\n**1.1.** We keep chat messages for **30 days**.\n\n"
       "Unchanged paragraph.\n\n- first\n- second\n")


def html_of(old, new) -> str:
    return "".join(block.html for block in rendered_diff(old, new))


def test_changed_words_are_marked_inside_the_rendered_emphasis():
    html = html_of(OLD, OLD.replace("30 days", "14 days"))
    assert "<strong><del>30</del><ins>14</ins> days</strong>" in html
    assert "**" not in html and "<h2>1. Data</h2>" in html


def test_a_changed_heading_stays_a_heading():
    assert "<h2>1. <del>Data</del><ins>Information</ins></h2>" in html_of(OLD, OLD.replace("1. Data", "1. Information"))


def test_only_blocks_with_changes_are_flagged():
    blocks = rendered_diff(OLD, OLD.replace("30 days", "14 days"))
    assert [block.changed for block in blocks] == [False, False, True, False, False]


def test_a_removed_paragraph_is_shown_struck_through_in_place():
    blocks = rendered_diff(OLD, OLD.replace("Unchanged paragraph.\n\n", ""))
    assert [(block.html.strip(), block.changed) for block in blocks][3] == ("<p><del>Unchanged paragraph.</del></p>", True)


def test_an_added_list_item_is_a_list_item_with_inserted_words():
    html = html_of(OLD, OLD + "- third\n")
    assert "<li><ins>third</ins></li>" in html


def test_a_removed_text_keeps_the_space_before_it():
    assert "<p>Keep <del>this</del></p>" in html_of("Keep this\n", "Keep\n")


def test_unchanged_texts_have_no_marks():
    assert not any(block.changed for block in rendered_diff(OLD, OLD))
    assert "<ins>" not in html_of(OLD, OLD) and "<del>" not in html_of(OLD, OLD)


def test_output_stays_sanitized():
    html = html_of("Hello\n", "Hello [x](javascript:alert(1)) <script>alert(1)</script>\n")
    assert "href" not in html and "<script" not in html
    assert "&lt;script&gt;" in html


def test_a_removed_list_item_stays_a_list_item():
    html = html_of("- one\n- two\n- three\n", "- one\n- three\n")
    assert "<li>one</li>\n<li><del>two</del></li><li>three</li>" in html
