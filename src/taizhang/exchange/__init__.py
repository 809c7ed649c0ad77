"""Exchange with the Excel and Word 台账 offices send each other: `import` a table into the
ledgers, `export` the ledgers as one table.

One job per module, imports pointing down this list:
  sheets    what every spreadsheet written or read respects (formula-like text, print setup)
  readers   a file into a Sheet of cell values, one reader function per suffix
  columns   the header's words → column roles (a synonym table), each row → a Record
  importer  Records → an ImportPlan (projects, items, ids), applied all or nothing
  export    the ledgers → one table, as xlsx, CSV or Markdown
What the CLI calls is imported here.
"""

from taizhang.exchange.export import ExportTable, export_table, to_csv, to_markdown, to_xlsx
from taizhang.exchange.importer import (
    ImportPlan,
    apply_import,
    committed_numbers,
    due_text,
    moved_reason,
    plan_import,
)

__all__ = ["ExportTable", "ImportPlan", "apply_import", "committed_numbers", "due_text", "export_table",
           "moved_reason", "plan_import", "to_csv", "to_markdown", "to_xlsx"]
