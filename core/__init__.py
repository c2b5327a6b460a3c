"""Infrastructure that every layer above uses: configuration, extensions, tenancy, auth,
sessions, i18n, the mail outbox, background jobs, security, input parsing, form helpers.

It imports nothing above it (models, services, blueprints, the app factory): what it needs
of them is handed down (see ``app.py``)."""
