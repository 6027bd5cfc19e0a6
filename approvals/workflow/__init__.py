"""The viewflow machinery: the dynamic split node and the driver that completes human tasks.

The flow itself stays in `approvals/flows.py`: viewflow stores its import path
(`approvals/flows.ApprovalFlow`) in every process and task row, so moving it would orphan them."""
