"""Every string the visitor chat widget shows, sent to the page as a JSON data block."""

from flask_babel import lazy_gettext as _l

from clipai.services.attachments.strings import IMAGE_STRINGS

# Keys are what the widget's modules (chat/main.js) look up; values are whole sentences for translators.
STRINGS = {
    # The launcher and the panel frame.
    "open_chat": _l("Chat with us"),
    "unread": _l("New replies from support"),
    "title": _l("Support chat"),
    "close": _l("Close the chat"),
    "intro": _l("Ask us anything. You need no account, and please do not type your name, e-mail or phone number."),
    "status_online": _l("Support is online"),
    "status_offline": _l("Support is offline"),
    "status_connecting": _l("Connecting…"),
    "status_reconnecting": _l("Connection lost. Reconnecting…"),
    # TRANSLATORS: %(day)s is "today", "tomorrow", a weekday ("Monday") or a date ("December 28"), %(time)s a time ("9:00 AM").
    "back_at": _l("Support is back %(day)s at %(time)s."),
    # TRANSLATORS: %(time)s is a rounded duration such as "5 minutes", "2 hours" or "1 day".
    "reply_time": _l("Usually replies within %(time)s."),
    "offline_notice": _l("Nobody from the team is online right now. Leave your message: the answer will appear in this same chat."),
    "connect_failed": _l("The chat could not connect. It keeps trying; check your internet connection."),
    "conversation_gone": _l("Your previous conversation is no longer available. You can start a new one."),
    # Messages.
    "messages_label": _l("Messages"),
    "author_you": _l("You"),
    "author_support": _l("Support"),
    "author_system": _l("ClipAI"),
    "operator_typing": _l("%(name)s is typing…"),
    "state_sending": _l("Sending…"),
    "state_queued": _l("Waiting for the connection…"),
    "state_sent": _l("Sent"),
    "state_read": _l("Read"),
    # TRANSLATORS: shown under a message while the browser proves a little work for a busy shared network.
    "state_checking": _l("Checking your connection…"),
    # The composer.
    "message_label": _l("Your message"),
    "placeholder": _l("Type your question…"),
    "send": _l("Send"),
    "composer_help": _l("Enter sends, Shift+Enter starts a new line."),
    "hint_email": _l("This looks like an e-mail address. We do not need it: please leave it out, it would be removed before storing."),
    "hint_phone": _l("This looks like a phone number. We do not need it: please leave it out, it would be removed before storing."),
    "counter": _l("%(count)s of %(max)s characters"),
    "redacted_email": _l("An e-mail address was removed from your message before it was stored."),
    "redacted_phone": _l("A phone number was removed from your message before it was stored."),
    "redacted_card": _l("A payment card number was removed from your message before it was stored."),
    "redacted_iban": _l("A bank account number (IBAN) was removed from your message before it was stored."),
    "redacted_other": _l("Personal details were removed from your message before it was stored."),
    # Errors, one per code the server may answer with.
    "error_too_long": _l("Your message is too long. Please keep it under %(max)s characters."),
    "error_rate_limited": _l("You are sending messages too quickly. You can send again in %(time)s."),
    "error_network_busy": _l("Many people on your network are writing to us right now. Your message will be sent in %(time)s."),
    "error_challenge_failed": _l("Your message could not be confirmed. Please send it again."),
    "error_closed": _l("This conversation is closed and can no longer receive messages."),
    "error_unavailable": _l("The chat is unavailable right now. Your message is kept and will be sent when it is back."),
    "error_invalid": _l("That message could not be sent. Please remove unusual characters and try again."),
    "error_empty": _l("Please type a message first."),
    "error_unauthorized": _l("Your conversation could not be found. It may have been erased."),
    "error_unknown": _l("Something went wrong. Please try again."),
    "dismiss": _l("Dismiss"),
    # Conversation lifetime and this device.
    "erase_date": _l("This conversation will be erased on %(date)s."),
    "erase_now": _l("Erase now"),
    "erase_confirm": _l("Erase this conversation and all its messages now? This cannot be undone."),
    "erase_yes": _l("Yes, erase it"),
    "cancel": _l("Cancel"),
    "erased": _l("The conversation was erased. Nothing of it is kept."),
    "keep_device": _l("Keep this chat on this device"),
    "kept_until": _l("Kept on this device until %(date)s."),
    "forget": _l("Forget"),
    "forgotten": _l("This chat is no longer kept on this device after you close the tab."),
    "new_conversation": _l("Start a new conversation"),
    "closed_by_support": _l("Support closed this conversation. Write again if you need more help."),
    # Resume codes.
    "resume_code": _l("Your resume code: %(code)s"),
    "resume_code_help": _l("Keep this code to come back to this conversation from another tab or device."),
    "resume_open": _l("Resume a conversation"),
    "resume_label": _l("Resume code"),
    "resume_submit": _l("Resume"),
    "resume_failed": _l("That code does not match any conversation."),
    # Rating a closed conversation (chat/rating.js).
    "rating_legend": _l("How was this conversation?"),
    "rating_option": _l("%(count)s of 5"),
    "rating_comment_label": _l("Anything to add? (optional)"),
    "rating_comment_help": _l("Please leave out personal details: they would be removed. Only the support team sees your rating."),
    "rating_submit": _l("Send rating"),
    "rating_thanks": _l("Thank you! You rated this conversation %(count)s of 5."),
    "rating_change": _l("Change your rating"),
    "rating_choose": _l("Please choose from 1 to 5 stars first."),
    "copy": _l("Copy"),
    "copied": _l("Copied"),
    # Images: what the console shows too (IMAGE_STRINGS), and what only visitors are told.
    **IMAGE_STRINGS,
    "attach_later": _l("Images can be attached after your first message."),
    "images_notice": _l("Images are not redacted: make sure they show no personal details such as names, addresses, e-mail addresses or card numbers."),
    # The thread: date separators, states of messages not stored yet.
    "today": _l("Today"),
    "yesterday": _l("Yesterday"),
    "state_waiting": _l("Will send in %(time)s"),
    "state_failed": _l("Not sent"),
    "retry": _l("Retry"),
    "hint_several": _l("This looks like %(kinds)s. We do not need them: please leave them out, they would be removed before storing."),
    "kind_email": _l("an e-mail address"),
    "kind_phone": _l("a phone number"),
    # The widget's menu.
    "menu": _l("Chat options"),
    "resume_link": _l("Resume link"),
    "resume_link_help": _l("Open this link on another device to continue this conversation there. Anyone with the code or the link can read it, so share it with nobody."),
    "copy_link": _l("Copy link"),
    "download": _l("Save a copy of this conversation"),
    "download_text": _l("Download as text"),
    "download_html": _l("Download as a web page"),
    "transcript_title": _l("Support chat with ClipAI"),
    "transcript_saved": _l("Saved on %(date)s"),
    "sound": _l("Play a sound when support replies"),
    # Offers: keeping the chat on this device, resuming from a link.
    "keep_offer_title": _l("Keep this chat on this device?"),
    "keep_offer_text": _l("If you keep it, this browser remembers the conversation until %(date)s, even after you close it, so you can come back to the answer. Anyone who uses this device could read it. If you do not, the chat ends when you close this tab."),
    "keep_offer_yes": _l("Keep it on this device"),
    "not_now": _l("Not now"),
    "resume_offer": _l("This link carries the resume code %(code)s. Continue that conversation here?"),
    "resume_offer_yes": _l("Continue it"),
    # Notice while the panel is closed.
    "preview_from": _l("New reply from %(name)s"),
}


def widget_strings() -> dict[str, str]:
    """Return the widget strings in the current locale."""
    return {key: str(value) for key, value in STRINGS.items()}
