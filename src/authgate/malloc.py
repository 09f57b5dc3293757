"""Give argon2's working memory back to the OS after each hash (glibc only).

Every argon2id hash mallocs its whole memory cost (19 MiB at OWASP parameters). glibc
serves an allocation that large with mmap and unmaps it on free, but the first such free
raises its mmap threshold above 19 MiB, so later hashes come from per-thread arenas that
keep the memory: resident size then grows by 19 MiB per thread that ever hashed. Pinning
the threshold (which also turns off that adjustment) keeps large blocks mmapped; the
cost is a fresh mapping per hash, small beside the hash itself. There is no library knob
for this: mallopt is the interface glibc documents (mallopt(3)).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_MMAP_THRESHOLD = -3
_THRESHOLD = 1024 * 1024


def release_large_blocks() -> bool:
    """Pin glibc's mmap threshold at 1 MiB; False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, _THRESHOLD))
    except (OSError, AttributeError):
        # musl and other libcs have no mallopt: nothing to tune there.
        return False
