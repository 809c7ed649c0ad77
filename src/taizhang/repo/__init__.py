"""The repository on disk: find the root, lock, read through the cache, write all-or-nothing."""
