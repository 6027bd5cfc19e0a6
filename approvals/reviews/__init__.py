"""Parallel approval (并联审批) services: every change of a case's approval rows.

The flow (approvals.flows) calls the `*_open` hooks when it creates a human task; officers,
heads, clerks and the sweeps call the rest. A decision completes the step's viewflow task through
`complete_human_task`, which takes the process lock first and re-checks the row under it, so an
officer clicking and the deemed-approval sweep at the same instant produce exactly one decision.

Deadlines are working days on the hall's calendar (approvals.clock.deadlines), stored on each step;
suspensions (Art. 45 special procedures, corrections) and an extension (Art. 42) move them.
"""
