"""The words of a ledger: its keys in the order files write them, what `set` may change."""

SCHEMA_FILE = "schemas/ledger.schema.json"
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/ledger.schema.json"

ITEM_KEY_ORDER = ("id", "title", "kind", "due", "duration", "after", "owner", "unit", "measures",
                  "closed", "notes")
PROJECT_KEY_ORDER = ("code", "name", "program", "stage", "unit", "leader", "owner", "deadline",
                     "calendar", "investment", "items")
ITEM_SETTABLE = ("title", "kind", "due", "duration", "after", "owner", "unit", "measures")
PROJECT_SETTABLE = ("name", "program", "stage", "unit", "leader", "owner", "deadline", "calendar")
REQUIRED = ("title", "name")
DATE_FIELDS = ("due", "deadline")

