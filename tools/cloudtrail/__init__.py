"""CloudTrail tools: what changed (mutating API calls) and which calls failed, around an incident window."""
