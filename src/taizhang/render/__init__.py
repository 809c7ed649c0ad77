"""What users see: terminal tables, html, xlsx, docx, svg, notices."""
