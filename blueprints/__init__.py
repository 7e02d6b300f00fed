"""Feature packages. Each exposes ``init_app(app)``; the core loads those named in ENABLED_FEATURES."""
