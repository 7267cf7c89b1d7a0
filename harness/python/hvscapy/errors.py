"""The one exception malformed scenarios raise.

Its message is hvkit's, word for word ("byte N: reason", docs/scenario-format.md "Errors"), so a crash file
rejected by one tool is rejected by the other with the same sentence; ``offset`` and ``field`` carry the same
facts for programs (``field`` is dotted: "header.version", "record.type", "port-out.size", ...).
"""


class HvsFormatError(ValueError):
    def __init__(self, offset, field, reason):
        self.offset = offset
        self.field = field
        self.reason = reason
        super().__init__(f"byte {offset}: {reason}")
