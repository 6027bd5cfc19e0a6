"""The scale-out drill (`make drill`): the hall on the components a city runs, with faults.

`topology` sets up and runs the parts (two PostgreSQL clusters, one a streaming replica of the
other; PgBouncer; nginx before two gunicorn nodes; two Celery worker hosts; an active and a
standby beat), `load` drives a mixed load through nginx, `hallside` is the part that runs inside
Django (preparing the drill's world, a notification batch, the checks afterwards) and `run`
conducts the drill and prints its table. `python -m bench.drill --short` is the short form that
`make test` runs: the replica router and PgBouncer's transaction mode, without the load.
"""
