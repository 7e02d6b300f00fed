"""The one exception services raise for a refused request."""


class ServiceError(Exception):
    """A rule said no. ``code`` is stable for clients; ``message`` is a lazy localized string."""

    def __init__(self, code: str, message, **details):
        super().__init__(code)
        self.code = code
        self.message = message
        self.details = details

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), **self.details}
