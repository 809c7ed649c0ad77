#!/bin/bash
# merge-driver: both sides set `owner` of every one of N items differently (N conflicts: difflib),
# and both sides appending N items with the same ids (renumbering).
cd "$(dirname "$0")"  # (taizhang importable: its venv active)
python mergebench.py conflicts ${1:-1000,2000,4000}
python mergebench.py addboth ${2:-2000,4000,8000}
