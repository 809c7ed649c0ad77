"""BLAKE2b, the one hash the caches, replays and journals use.

hashlib loads OpenSSL (`_hashlib`, ~2 ms) to offer its other hashes; its `blake2b` is CPython's
own `_blake2.blake2b`, which is imported here directly where it exists (tests/test_digest.py
holds them equal), and taken from hashlib on any other interpreter.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # (not CPython, or built without it)
    from hashlib import blake2b

__all__ = ["blake2b"]
