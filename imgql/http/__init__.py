"""The live Images API: paging, retries, Keystone credentials and the sync and
async clients. The only layer that does network I/O.
"""

__all__: list[str] = []
