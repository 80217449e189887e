"""Masking pins every kind of variable value, in the default set and with the optional kinds (kv, quoted)."""

from __future__ import annotations

import pytest

from tools.logs.masking import OPTIONAL_KINDS, digit_blind, masker
from tools.logs.miner import DEFAULT_CONFIG, mask, normalise_template

ALL = frozenset(OPTIONAL_KINDS)

# (kind, line, template with the default masking, template with every optional kind)
CASES = [
    ("url with ids", "GET https://api.example.com/v1/orders/123?x=1 failed", "GET <*> failed", None),
    ("url", "probe http://example.com/health ok", "probe <*> ok", None),
    ("path with ids", "open /var/data/orders/991/items/7.json failed", "open <*> failed", None),
    ("path without ids", "GET /health ok", "GET /health ok", None),
    ("uuid", "req 7f3a9c2e-1b2c-4d5e-8f90-123456789abc done", "req <*> done", None),
    ("hex ids", "ptr 0x7ffe3a sha deadbeef1234 commit 3f786850e387550fdab836ed7e6dc881de23001b",
     "ptr <*> sha <*> commit <*>", None),
    ("ip with port", "connect to 10.0.3.17:443 refused", "connect to <*> refused", None),
    ("ip", "synchronized to 10.100.28.250, stratum 3", "synchronized to <*>, stratum <*>", None),
    ("number with unit", "took 12ms", "took <*>", None),
    ("numbers with units", "size 3.5MB of 200KB", "size <*> of <*>", None),
    ("units written apart", "0 bytes sent, 1024 bytes (1.0 KB) received, lifetime <1 sec",
     "<*> sent, <*> received, lifetime <*>", None),
    ("duration", "retry in 1h30m", "retry in <*>", None),
    ("iso duration", "timeout PT5M", "timeout <*>", None),
    ("clock duration", "elapsed 00:01:30 total", "elapsed <*> total", None),
    ("duration minutes seconds", "waited 2m30s", "waited <*>", None),
    ("key=value", "uid=0 euid=0 user=root", "uid=<*> euid=<*> user=root", "uid=<*> euid=<*> user=<*>"),
    ("empty key=", "logname= uid=0 ruser= rhost=", "logname= uid=<*> ruser= rhost=", None),
    ("query string", "GET /api/products?category=socks&page=5 -> 200 in 46ms",
     "GET /api/products?category=socks&page=<*> -> <*> in <*>", "GET /api/products?category=<*>&page=<*> -> <*> in <*>"),
    ("key: value", "status: 200 len: 1893 time: 0.2477829", "status: <*> len: <*> time: <*>", None),
    ("key: word", "login user: bob", "login user: bob", "login user: <*>"),
    ("not a key: value", "usbcore: registered new driver hub", "usbcore: registered new driver hub", None),
    ("quoted", "path 'C:\\Program Files\\x.exe' missing", "path 'C:\\Program Files\\x.exe' missing", "path '<*>' missing"),
    ("double quoted", 'said "hello world" twice', 'said "hello world" twice', 'said "<*>" twice'),
    ("apostrophe is not a quote", "Couldn't authenticate user", "Couldn't authenticate user", None),
    ("json values", '{"level":"ERROR","msg":"payment failed after 3 tries","order":"ord-123","ms":12,"ok":true, "next": null}',
     '{"level":"ERROR","msg":"payment failed after <*> tries","order":<*>,"ms":<*>,"ok":<*>, "next": <*>}',
     '{"level":"<*>","msg":"<*>","order":<*>,"ms":<*>,"ok":<*>, "next": <*>}'),
    ("iso timestamp", "2026-11-20T09:41:01.123Z start", "<*> start", None),
    ("syslog timestamp", "Jun 14 15:16:01 start", "<*> start", None),
    ("compact timestamp", "2016/9/27:20:30:31.455 start", "<*> start", None),
    ("dotted timestamp", "2005-08-26-12.28.37.922676 start", "<*> start", None),
    ("ctime", "Mon Dec 05 07:51:56 2005 start", "<*> start", None),
    ("epoch millis", "at 1795165241000 ms", "at <*>", None),
    ("id with inner punctuation", "package: Package_for_KB2977211~31bf3856ad364e35~amd64~~6.1.1.0, state: 112",
     "package: <*>, state: <*>", None),
    ("angle-bracketed id", "msgid=<200511091901.jAJ1@tbird-admin1>, relay=root@localhost",
     "msgid=<*>, relay=root@localhost", "msgid=<*>, relay=<*>"),
    ("arn", "denied on arn:aws:dynamodb:us-east-1:123456789012:table/orders", "denied on <*>", None),
    ("email", "mail to bob@example.com bounced", "mail to <*> bounced", None),
]


@pytest.mark.parametrize(("kind", "line", "default", "every"), CASES, ids=[c[0] for c in CASES])
def test_each_value_kind_is_masked(kind: str, line: str, default: str, every: str | None) -> None:
    assert normalise_template(mask(line, frozenset())) == default
    assert normalise_template(mask(line, ALL)) == (every or default)


def test_default_masking_is_the_chosen_set() -> None:
    line = "uid=0 user=root said 'hi there'"
    assert mask(line) == masker(DEFAULT_CONFIG.masking)(line)


def test_unknown_masking_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown masking kinds"):
        masker(frozenset({"everything"}))


def test_masking_treats_all_digits_alike() -> None:
    assert digit_blind()  # the memo in tools.logs.miner depends on it


def test_split_mark_in_input_cannot_leak_into_templates() -> None:
    assert normalise_template(mask("a=\x01 b c=1")) == "a= b c=<*>"
