"""The officer desk (部门审批台): thin views over approvals.reviews.

An officer sees and acts only on the department's own rows. Every lookup goes through a selector
scoped to the officer's department, so another department's id is answered with 404, never 403,
and ids cannot be probed. Each POST parses one form, calls one service, and either redirects with
a Chinese success message or renders the page again with the service's message at the form.
"""
