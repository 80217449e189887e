"""Scenario snapshots: the demo incident and the evaluation scenarios (``python -m agent make-snapshot``).

``builder`` writes the snapshot format, ``formats`` holds shared log/trace/finding shapes, ``demo`` is the demo
incident, ``catalog`` the registry of scenarios with their ground truth, ``command`` the CLI entry.
"""
