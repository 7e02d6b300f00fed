"""What the widget and the console both show about images (``clipai/static/js/images.js``), in one
place; the limits' sentences are the server's own, so the browser and the server say the same."""

from flask_babel import lazy_gettext as _l

from clipai.services.attachments import WRONG_TYPE

IMAGE_STRINGS = {
    "attach": _l("Attach images"),
    "images_label": _l("Images to send"),
    "image_remove": _l("Remove image %(number)s"),
    "image_alt": _l("Image %(number)s of %(count)s"),
    "image_open": _l("Open image %(number)s of %(count)s in full size"),
    "image_uploading": _l("Uploading…"),
    "image_failed": _l("The image could not be uploaded. Please try again."),
    "image_type": WRONG_TYPE,
    "image_size": _l("Images can be at most %(max)d MB each."),
    "image_count": _l("At most %(max)d images can be sent with one message."),
}
