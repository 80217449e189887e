"""Alarm triage: a CloudWatch alarm entering ALARM starts an investigation posted to Slack through AWS Chatbot."""
