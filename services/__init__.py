"""Use cases as plain functions over models and a session. They never read the request;
the caller (a view, the CLI, a job or a test) commits."""


class ServiceError(Exception):
    """A refusal the user should read: ``message`` is translated; ``field`` names the form
    field it belongs to, when there is one."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
