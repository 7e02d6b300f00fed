"""Chat images: what the re-encoding keeps (pixels) and drops (metadata), and what it refuses."""

import io
import zlib

import pytest
from PIL import Image

from clipai.services.attachments.images import ImageRefused, clean_image
from tests.fixtures.images import ICC, make_image, png_header

MAX_PIXELS = 40_000_000


def reopened(data):
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                               ("WEBP", "image/webp")])
def test_metadata_is_present_before_and_gone_after(fmt, content_type):
    original = make_image(fmt)
    before = reopened(original)
    assert before.getexif().get_ifd(0x8825), "the fixture carries GPS"
    assert before.info.get("icc_profile") == ICC
    clean = clean_image(original, MAX_PIXELS)
    after = reopened(clean.data)
    assert clean.content_type == content_type
    assert not after.getexif()
    assert "icc_profile" not in after.info and "exif" not in after.info
    assert b"SecretCam" not in clean.data and b"secret comment" not in clean.data and ICC not in clean.data


def test_exif_orientation_is_applied_before_it_is_dropped():
    clean = clean_image(make_image("JPEG", size=(60, 30)), MAX_PIXELS)
    assert (clean.width, clean.height) == (30, 60)  # orientation 6: turned a quarter
    assert reopened(clean.data).size == (30, 60)


def test_pixels_survive():
    clean = clean_image(make_image("PNG", color=(10, 120, 250), exif=False), MAX_PIXELS)
    assert reopened(clean.data).convert("RGB").getpixel((5, 5)) == (10, 120, 250)


def test_transparency_is_kept_in_png():
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert reopened(clean_image(out.getvalue(), MAX_PIXELS).data).getpixel((1, 1))[3] == 0


@pytest.mark.parametrize("data", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF",
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    b"",
    b"plain text",
], ids=["svg", "pdf", "gif", "empty", "text"])
def test_other_files_are_refused_as_the_wrong_type(data):
    with pytest.raises(ImageRefused) as refused:
        clean_image(data, MAX_PIXELS)
    assert refused.value.reason == "type"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_polyglot_with_an_archive_appended_is_refused(fmt):
    with pytest.raises(ImageRefused):
        clean_image(make_image(fmt) + b"PK\x03\x04" + b"\x00" * 40, MAX_PIXELS)


def test_a_jpeg_carrying_an_archive_after_its_end_is_refused():
    with pytest.raises(ImageRefused):
        clean_image(make_image("JPEG") + b"PK\x03\x04payload", MAX_PIXELS)


def test_an_image_with_a_script_inside_is_refused():
    image = make_image("JPEG", comment=b"<script>alert(document.domain)</script>")
    with pytest.raises(ImageRefused) as refused:
        clean_image(image, MAX_PIXELS)
    assert refused.value.reason == "invalid"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_truncated_image_is_refused(fmt):
    noisy = Image.frombytes("RGB", (400, 300), (bytes(range(256)) * 1407)[:360_000])
    out = io.BytesIO()
    noisy.save(out, fmt)
    whole = out.getvalue()
    with pytest.raises(ImageRefused):
        clean_image(whole[: len(whole) // 2], MAX_PIXELS)


def test_a_decompression_bomb_is_refused_from_its_header():
    bomb = png_header(20_000, 10_000)  # 200 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    with pytest.raises(ImageRefused) as refused:
        clean_image(bomb, MAX_PIXELS)
    assert refused.value.reason == "invalid"


def test_the_pixel_limit_is_the_configured_one():
    image = make_image("PNG", size=(100, 100), exif=False)
    assert clean_image(image, 10_000).width == 100
    with pytest.raises(ImageRefused):
        clean_image(image, 9_999)


def test_a_png_whose_header_lies_about_its_size_is_refused():
    data = bytearray(make_image("PNG", size=(10, 10), exif=False))
    data[16:24] = (50_000).to_bytes(4, "big") + (50_000).to_bytes(4, "big")  # IHDR width, height
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    with pytest.raises(ImageRefused):
        clean_image(bytes(data), MAX_PIXELS)
