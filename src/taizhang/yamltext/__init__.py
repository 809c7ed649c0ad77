"""YAML as text: read with positions, splice an edit into the text, emit new nodes."""
