"""CloudWatch metrics tools: find the metrics that changed around an incident, and show one series."""
