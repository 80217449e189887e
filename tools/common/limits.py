"""Limits of the channels an answer travels through, defined once.

AWS Chatbot shows an agent's answer in Slack and Microsoft Teams: Slack shows at most 2,500 characters of one
message (the rest is cut without a mark), and Chatbot's custom notifications truncate a title beyond 250
characters. The triage report's ``summary`` (``triage-report.schema.json``: ``maxLength`` 2500), the offline
planner's answers, alarm and alert notifications are all cut to these, always with a visible ``…``.
"""

from __future__ import annotations

SLACK_LIMIT = 2500  # characters Slack shows of one message
CHATBOT_TITLE_LIMIT = 250  # characters of a Chatbot custom notification's title
