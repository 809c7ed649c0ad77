"""The version, in a module of its own so that caches can key on it without importing the API."""

__version__ = "0.1.0"
