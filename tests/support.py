"""Test helpers shared by every suite: a Stubber on the tools' cached boto3 client, and a fake clock."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from botocore.stub import Stubber

from tools.common import aws


@contextmanager
def stubbed(service: str, region: str | None = None) -> Iterator[Stubber]:
    """A Stubber on the client ``aws.client(service)`` hands the tools (it is cached, so they get this one).

    Every queued response must be consumed; the cache is cleared before and after so no stub leaks.
    """
    aws.client.cache_clear()
    client = aws.client(service, region) if region else aws.client(service)
    try:
        with Stubber(client) as stubber:
            yield stubber
            stubber.assert_no_pending_responses()
    finally:
        aws.client.cache_clear()


class FakeClock:
    """A monotonic clock advanced only by the fake sleep, so deadlines work without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
