"""The working-day clock: the pure deadline maths, the calendar loader, and the same rule in SQL."""
