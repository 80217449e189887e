"""Proactive alerts: error lines streamed by a CloudWatch Logs subscription filter become at most a few Slack
notifications per incident (``handler.py`` is the Lambda entry; read it first)."""
