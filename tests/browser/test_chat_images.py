"""Chat images in Chromium against the real server: attach (button, keyboard, paste), preview,
send, see the thumbnail on both sides; phone and Arabic layouts."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_console import open_conversation, sign_in, start_visitor
from tests.fixtures.browser import open_page
from tests.fixtures.images import make_image

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = "/tmp/shots/chat-images"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def screenshot_png(tmp_path):
    path = tmp_path / "screen.png"
    path.write_bytes(make_image("PNG", size=(320, 200), color=(30, 140, 220)))
    return path


def attach_with_the_keyboard(page, path):
    """Reach the attach button with Tab from the message box and open the file chooser with Enter."""
    page.focus("#chat-input")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#chat-attach")).to_be_focused()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(path))


def thumbnail_loaded(locator):
    expect(locator).to_have_attribute("src", re.compile(r"^blob:"))
    return locator.evaluate("(img) => img.decode().then(() => [img.naturalWidth, img.naturalHeight])")


def test_visitor_sends_an_image_and_the_operator_sees_it(chat_server, make_operator, new_context, screenshot_png):
    visitor = start_visitor(new_context(viewport={"width": 1280, "height": 800}), chat_server, "My export looks wrong")
    attach_with_the_keyboard(visitor, screenshot_png)
    preview = visitor.locator("#chat-previews li")
    expect(preview).to_have_count(1)
    expect(preview).not_to_have_class(re.compile("is-uploading"))
    expect(visitor.locator("#chat-images-notice")).to_be_visible()
    expect(visitor.locator("#chat-images-notice")).to_contain_text("not redacted")
    visitor.screenshot(path=f"{SHOTS}/desktop-preview.png")

    visitor.press("#chat-input", "Enter")  # no text: the image alone is a message
    sent = visitor.locator("#chat-messages li.from-visitor[data-id] .chat-attachments img")
    assert thumbnail_loaded(sent) == [200, 320]  # the EXIF orientation was applied on the server
    expect(visitor.locator("#chat-previews")).to_be_hidden()
    expect(visitor.locator("#chat-images-notice")).to_be_hidden()
    expect(sent).to_have_attribute("alt", "Image 1 of 1")
    visitor.screenshot(path=f"{SHOTS}/desktop-sent.png")
    visitor.locator("#chat-messages .chat-attachment").focus()
    with visitor.context.expect_page() as opened:
        visitor.keyboard.press("Enter")  # the thumbnail opens the image in full size
    full = opened.value
    full.wait_for_load_state()
    assert full.url.startswith("blob:" + chat_server.url)
    assert full.evaluate("() => [document.images[0].naturalWidth, document.images[0].naturalHeight]") == [200, 320]
    full.close()

    operator = sign_in(new_context(), chat_server, *make_operator("olga", "Olga"))
    open_conversation(operator, "")  # the queue shows the last message, which has no text
    seen = operator.locator("#conversation-messages li.from-visitor .console-attachments img")
    assert thumbnail_loaded(seen) == [200, 320]
    link = operator.locator("#conversation-messages .console-attachment")
    expect(link).to_have_attribute("href", re.compile(r"^blob:"))
    expect(link).to_have_attribute("target", "_blank")
    operator.screenshot(path=f"{SHOTS}/console-thumbnail.png")
    assert visitor.context.cookies() == [] and operator.context.cookies() == []
    assert visitor.errors == [] and operator.errors == []


def test_operator_sends_an_image_the_visitor_sees(chat_server, make_operator, new_context, screenshot_png):
    visitor = start_visitor(new_context(), chat_server, "Can you show me where?")
    operator = sign_in(new_context(), chat_server, *make_operator("olga", "Olga"))
    open_conversation(operator, "Can you show me where?")
    with operator.expect_file_chooser() as chooser:
        operator.click("#reply-attach")
    chooser.value.set_files(str(screenshot_png))
    expect(operator.locator("#reply-previews li:not(.is-uploading)")).to_have_count(1)
    operator.fill("#reply-input", "Here")
    operator.screenshot(path=f"{SHOTS}/console-preview.png")
    operator.press("#reply-input", "Control+Enter")
    assert thumbnail_loaded(operator.locator("#conversation-messages li.from-operator[data-id] img")) == [200, 320]
    received = visitor.locator("#chat-messages li.from-operator .chat-attachments img")
    assert thumbnail_loaded(received) == [200, 320]
    expect(visitor.locator("#chat-messages li.from-operator")).to_contain_text("Here")


def test_a_pasted_image_is_attached_and_can_be_removed(chat_server, new_context):
    visitor = start_visitor(new_context(), chat_server, "Pasting a screenshot")
    visitor.evaluate("""async () => {
      const canvas = document.createElement("canvas");
      canvas.width = 40; canvas.height = 30;
      canvas.getContext("2d").fillRect(0, 0, 40, 30);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      const data = new DataTransfer();
      data.items.add(new File([blob], "pasted.png", { type: "image/png" }));
      document.getElementById("chat-input").dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }""")
    expect(visitor.locator("#chat-previews li:not(.is-uploading)")).to_have_count(1)
    remove = visitor.get_by_role("button", name="Remove image 1")
    remove.focus()
    visitor.keyboard.press("Enter")
    expect(visitor.locator("#chat-previews")).to_be_hidden()
    expect(visitor.locator("#chat-input")).to_be_focused()


def test_a_wrong_file_is_refused_in_the_visitors_language(chat_server, new_context, tmp_path):
    page = open_page(new_context(), chat_server.url + "/de/")
    page.click("#chat-launcher")
    page.fill("#chat-input", "Hallo")
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    svg = tmp_path / "drawing.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with page.expect_file_chooser() as chooser:
        page.click("#chat-attach")
    chooser.value.set_files(str(svg))
    expect(page.locator("#chat-alerts")).to_contain_text("Nur PNG-, JPEG- und WebP-Bilder")
    expect(page.locator("#chat-previews li")).to_have_count(0)


def test_before_the_first_message_the_attach_button_explains_why_not(chat_server, new_context):
    page = open_page(new_context(), chat_server.url + "/")
    page.click("#chat-launcher")
    page.click("#chat-attach")
    expect(page.locator("#chat-alerts")).to_contain_text("after your first message")
    assert page.evaluate("() => [sessionStorage.length, localStorage.length]") == [0, 0]


@pytest.mark.parametrize("path, viewport, name", [("/", PHONE, "phone"), ("/ar/", {"width": 1280, "height": 800}, "arabic"),
                                                  ("/ar/", PHONE, "arabic-phone")])
def test_layouts(chat_server, new_context, screenshot_png, path, viewport, name):
    page = open_page(new_context(viewport=viewport), chat_server.url + path)
    page.click("#chat-launcher")
    page.fill("#chat-input", "Hello")
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-messages li.from-visitor[data-id]")).to_have_count(1)
    with page.expect_file_chooser() as chooser:
        page.click("#chat-attach")
    chooser.value.set_files(str(screenshot_png))
    expect(page.locator("#chat-previews li:not(.is-uploading)")).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/{name}-preview.png")
    remove = page.locator(".chat-image-preview-remove").bounding_box()
    panel = page.locator("#chat-panel").bounding_box()
    assert panel["x"] <= remove["x"] and remove["x"] + remove["width"] <= panel["x"] + panel["width"]
    page.press("#chat-input", "Enter")
    thumbnail_loaded(page.locator("#chat-messages .chat-attachments img"))
    page.screenshot(path=f"{SHOTS}/{name}-sent.png")
    assert page.errors == []
