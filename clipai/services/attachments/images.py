"""Decode an uploaded image and encode it again: only pixels leave, never metadata or hidden payloads.

Pure functions over bytes (no Flask): the size in pixels is read from the header and checked before
anything is decoded, the EXIF orientation is applied, and a fresh image without ``info`` (EXIF, GPS,
ICC profile, comments, text chunks, XMP) is written in the uploaded format.
"""

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
MAX_SIDE = 16_383  # WebP's largest side; no screenshot is wider
# Markup or another document inside an image file makes a polyglot: a file a browser or another
# program could read as something else. Pillow would drop it on re-encoding; it is refused anyway.
_FOREIGN = re.compile(rb"<script|<html|<!doctype|<svg|<iframe|<body|<\?php|%pdf-|javascript:", re.IGNORECASE)
_ZIP_ENTRY = b"PK\x03\x04"


class ImageRefused(Exception):
    """Not an image the chat accepts; ``reason`` is ``type`` (not PNG, JPEG or WebP) or ``invalid``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanImage:
    content_type: str
    width: int
    height: int
    data: bytes


def clean_image(data: bytes, max_pixels: int) -> CleanImage:
    """Return the image re-encoded without metadata, or raise :class:`ImageRefused`."""
    kind = _sniff(data)
    if kind is None:
        raise ImageRefused("type")
    if _FOREIGN.search(data) or _trailing_data(kind, data):
        raise ImageRefused("invalid")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _reencode(data, kind, max_pixels)
    except ImageRefused:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, UnidentifiedImageError):
        raise ImageRefused("invalid") from None


def _sniff(data: bytes) -> str | None:
    """The format the first bytes announce (never the file name or the declared type)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _trailing_data(kind: str, data: bytes) -> bool:
    """Whether bytes follow the image's end (where a ZIP or a script of a polyglot sits)."""
    if kind == "PNG":
        return _png_end(data) != len(data)
    if kind == "WEBP":
        return int.from_bytes(data[4:8], "little") + 8 != len(data)
    # JPEG: cameras append their own trailers after the end marker; an archive there is refused.
    end = data.rfind(b"\xff\xd9")
    return end < 0 or _ZIP_ENTRY in data[end:]


def _png_end(data: bytes) -> int:
    """The offset right after the IEND chunk, or -1 when the chunks do not lead there."""
    offset = 8
    while offset + 12 <= len(data):
        length = int.from_bytes(data[offset:offset + 4], "big")
        chunk_type = data[offset + 4:offset + 8]
        offset += 12 + length
        if chunk_type == b"IEND":
            return offset
    return -1


def _reencode(data: bytes, kind: str, max_pixels: int) -> CleanImage:
    with Image.open(io.BytesIO(data), formats=[kind]) as image:
        width, height = image.size  # from the header: nothing is decoded yet
        if width * height > max_pixels or max(width, height) > MAX_SIDE or not width or not height:
            raise ImageRefused("invalid")
        image.load()  # a truncated file fails here
        upright = ImageOps.exif_transpose(image)
        pixels = _plain_pixels(upright, kind)
    fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())  # no info: no metadata at all
    out = io.BytesIO()
    options = {"quality": 90} if kind in ("JPEG", "WEBP") else {}
    fresh.save(out, format=kind, **options)
    return CleanImage(FORMATS[kind], fresh.width, fresh.height, out.getvalue())


def _plain_pixels(image: Image.Image, kind: str) -> Image.Image:
    """The image in a mode its format can write without a palette or profile to carry along."""
    if kind == "JPEG":
        return image.convert("RGB") if image.mode != "RGB" else image
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "RGB"
    return image.convert(wanted) if image.mode != wanted else image
