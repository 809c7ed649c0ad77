"""repo/digest.py: the BLAKE2b taken without hashlib is hashlib's own, keyed or not."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from taizhang.repo.digest import blake2b


@given(st.binary(max_size=300), st.binary(max_size=64), st.integers(1, 64))
def test_the_same_digests_as_hashlib(data, key, size):
    assert blake2b(data, key=key, digest_size=size).digest() == \
        hashlib.blake2b(data, key=key, digest_size=size).digest()


def test_a_small_write_does_not_load_openssl():
    """What digest.py is for: the write path (cache, journal, replay) hashes without hashlib."""
    code = ("import sys; import taizhang.repo.digest, taizhang.repo.cache, taizhang.repo.files, "
            "taizhang.repo.replay, taizhang.repo.write; print('_hashlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
