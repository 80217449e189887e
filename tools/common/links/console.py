"""Where the AWS console lives for a region, and the shape every console link shares:
``https://<host>/<service>/home?region=<region>#<fragment>``.

Hosts per partition: ``<region>.console.aws.amazon.com`` (aws), ``console.amazonaws-us-gov.com`` (aws-us-gov),
``console.amazonaws.cn`` (aws-cn). ``split`` reads a link back into (region, service, fragment).
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

HOSTS = {"aws-us-gov": "console.amazonaws-us-gov.com", "aws-cn": "console.amazonaws.cn"}


def partition_of(region: str) -> str:
    """The partition a region belongs to: ``aws-cn`` (cn-*), ``aws-us-gov`` (us-gov-*) or ``aws``."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def host(region: str) -> str:
    return HOSTS.get(partition_of(region), f"{region}.console.aws.amazon.com")


def url(region: str, service: str, fragment: str) -> str:
    """A console page of ``service`` in ``region`` with its state in the fragment (kept as given)."""
    return f"https://{host(region)}/{service}/home?region={region}#{fragment}"


class ConsoleLink(NamedTuple):
    region: str
    service: str
    fragment: str


def split(link: str) -> ConsoleLink:
    """(region, service, fragment) of a link made by ``url``; ValueError for anything else."""
    parts = urlsplit(link)
    region = (parse_qs(parts.query).get("region") or [""])[0]
    path = parts.path.strip("/").split("/")
    if parts.scheme != "https" or not region or len(path) != 2 or path[1] != "home" or parts.netloc != host(region):
        raise ValueError(f"not a console link: {link[:120]!r}")
    return ConsoleLink(region, path[0], parts.fragment)


def state(link: str, service: str, prefix: str) -> tuple[str, str]:
    """(region, the fragment after ``prefix``) of a ``service`` link whose fragment starts with ``prefix``."""
    parts = split(link)
    if parts.service != service or not parts.fragment.startswith(prefix):
        raise ValueError(f"not a {service} {prefix} link: {link[:120]!r}")
    return parts.region, parts.fragment[len(prefix):]
