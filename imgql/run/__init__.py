"""Running a plan over records: the compiled client-side predicate, the one
answer path (filter, de-duplicate, merge, sort, limit) and the offline
:class:`Catalog`. No network here.
"""

__all__: list[str] = []
