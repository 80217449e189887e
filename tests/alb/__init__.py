"""Tests of the ALB tool and the shared Athena runner."""
