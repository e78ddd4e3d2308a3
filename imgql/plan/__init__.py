"""Planning: a normalized query and a capability profile become a :class:`Plan`
(the requests to send and what the client does with the answers). Pure: no I/O.
"""

__all__: list[str] = []
