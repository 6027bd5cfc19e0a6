"""`make bench`: throughput, sweep, page and memory figures of Seamless Hall (issue 8).

Everything runs against its own database (``hall_bench``) and its own Redis database, created and
migrated by the bench itself; see ``bench.run``.
"""
