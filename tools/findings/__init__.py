"""Findings action group: active Security Hub and GuardDuty findings (``list_security_findings``)."""
