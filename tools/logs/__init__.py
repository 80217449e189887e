"""CloudWatch Logs tools: error patterns (Logs Insights ``pattern`` or drain3) and raw line search."""
