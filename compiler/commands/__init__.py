"""Commands beyond compile: one module per command's logic, each a function the CLI calls.

Receives: a project root and the command's arguments (already parsed by cli.py).
Returns: results as data (promote's edits, review's trees) and the diagnostic reporters
(report.py: text, JSON) the CLI prints with.
Imports: anything before it (pipeline, diff, validate, …); only cli.py imports commands.
"""
