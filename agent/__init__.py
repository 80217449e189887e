"""The ops agent's local side: the command line (``python -m agent``), triage reports, the runtime modes
(offline planner, Bedrock Converse, InvokeAgent), scenario snapshots and the demo."""
