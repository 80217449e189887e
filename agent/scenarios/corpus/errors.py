"""Exceptions as each language's runtime and libraries print them, for the corpus's failing services.

An ``ErrorSpec`` names, per language, the exception class (what the truth records and a correct hypothesis must
show) and the message; ``render`` returns the log message (first line plus a stack in that language's shape:
Java ``\\tat`` frames with ``Caused by:``, a Python traceback, Node.js ``    at`` frames, a Go error chain) and the
class, so a kind writes one spec and every language variant stays faithful.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from agent.scenarios.formats import java_stack


@dataclass(frozen=True)
class ErrorSpec:
    """Exception class and message per language (``java``, ``python``, ``node``, ``go``); ``{...}`` filled by render."""

    java: tuple[str, str]
    python: tuple[str, str]
    node: tuple[str, str]
    go: tuple[str, str]

    def for_language(self, language: str) -> tuple[str, str]:
        return getattr(self, language)


@dataclass(frozen=True)
class Rendered:
    exception: str      # the class as the runtime prints it (e.g. java.net.SocketTimeoutException)
    message: str        # the exception message
    log: str            # context line + newline + stack (what the logger writes)


def render(spec: ErrorSpec, language: str, context: str, service: str, org: str, rng: random.Random,
           **values: str) -> Rendered:
    """The log message for ``spec`` in ``language`` with ``values`` substituted into the message."""
    exc_template, template = spec.for_language(language)
    exc, message = exc_template.format(**values), template.format(**values)
    head = f"{exc}: {message}" if message else exc
    pkg = service.replace("-", "")
    if language == "java":
        frames = [f"com.{org}.{pkg}.service.{_camel(service)}Service.handle({_camel(service)}Service.java:{rng.randint(40, 400)})",
                  f"com.{org}.{pkg}.web.{_camel(service)}Controller.post({_camel(service)}Controller.java:{rng.randint(20, 200)})",
                  "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)"]
        stack = java_stack(exc, message, frames)
    elif language == "python":
        stack = ("Traceback (most recent call last):\n"
                 f'  File "/app/{pkg}/handlers.py", line {rng.randint(30, 300)}, in handle\n    result = self.backend.call(payload)\n'
                 f'  File "/app/{pkg}/backend.py", line {rng.randint(10, 200)}, in call\n    return self._client.send(request)\n'
                 f"{head}")
    elif language == "node":
        stack = (f"{head}\n    at {_camel(service)}Handler.handle (/usr/src/app/src/handlers/{pkg}.js:{rng.randint(10, 300)}:{rng.randint(5, 40)})\n"
                 "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
                 f"    at async /usr/src/app/src/routes/{pkg}.js:{rng.randint(10, 90)}:{rng.randint(5, 30)}")
    else:
        stack = head
    return Rendered(exc, message, f"{context}\n{stack}")


GENERIC_CLASSES = frozenset({"Error", "error", "TypeError", "SyntaxError", "ValueError", "KeyError", "RangeError",
                             "AttributeError", "OSError", "MemoryError", "RuntimeError", "Exception"})


def decisive_text(rendered: Rendered) -> str:
    """What a truth records for an exception: the class, or (for a generic class such as ``TypeError``) the class
    with the start of its message, so that any other error of that class does not count."""
    if rendered.exception in GENERIC_CLASSES or " " in rendered.exception:
        return f"{rendered.exception}: {rendered.message[:28]}".rstrip()
    return rendered.exception


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-") if part)


# --- specs used by several kinds ------------------------------------------------------------------------------

CONNECT_TIMEOUT = ErrorSpec(
    java=("java.net.SocketTimeoutException", "Connect timed out to {host}:{port}"),
    python=("urllib3.exceptions.ConnectTimeoutError", "Connection to {host} timed out. (connect timeout=5)"),
    node=("Error", "connect ETIMEDOUT {ip}:{port}"),
    go=("dial tcp {ip}:{port}", "i/o timeout"),
)
READ_TIMEOUT = ErrorSpec(
    java=("java.net.SocketTimeoutException", "Read timed out calling https://{host}{path}"),
    python=("requests.exceptions.ReadTimeout", "HTTPSConnectionPool(host='{host}', port=443): Read timed out. (read timeout=10)"),
    node=("TimeoutError", "The operation was aborted due to timeout calling https://{host}{path}"),
    go=("Post \"https://{host}{path}\"", "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"),
)
UPSTREAM_5XX = ErrorSpec(
    java=("org.springframework.web.client.HttpServerErrorException$ServiceUnavailable", "503 Service Unavailable from POST https://{host}{path}"),
    python=("requests.exceptions.HTTPError", "503 Server Error: Service Unavailable for url: https://{host}{path}"),
    node=("AxiosError", "Request failed with status code 503 (POST https://{host}{path})"),
    go=("upstream error", "POST https://{host}{path}: unexpected status 503 Service Unavailable"),
)
ACCESS_DENIED = ErrorSpec(
    java=("software.amazon.awssdk.services.{svc}.model.{sdk_exc}",
          "User: {role_arn} is not authorized to perform: {action} on resource: {resource_arn} because no identity-based policy allows the {action} action (Service: {svc_title}, Status Code: 400)"),
    python=("botocore.exceptions.ClientError",
            "An error occurred (AccessDeniedException) when calling the {operation} operation: User: {role_arn} is not authorized to perform: {action} on resource: {resource_arn} because no identity-based policy allows the {action} action"),
    node=("AccessDeniedException",
          "User: {role_arn} is not authorized to perform: {action} on resource: {resource_arn} because no identity-based policy allows the {action} action"),
    go=("operation error {svc_title}: {operation}",
        "https response error StatusCode: 400, api error AccessDeniedException: User: {role_arn} is not authorized to perform: {action} on resource: {resource_arn}"),
)
DB_AUTH_FAILED = ErrorSpec(
    java=("org.postgresql.util.PSQLException", 'FATAL: password authentication failed for user "{user}"'),
    python=("psycopg2.OperationalError", 'connection to server at "{host}" ({ip}), port 5432 failed: FATAL:  password authentication failed for user "{user}"'),
    node=("error", 'password authentication failed for user "{user}"'),
    go=("failed to connect to `host={host} user={user} database={db}`", 'failed SASL auth (FATAL: password authentication failed for user "{user}" (SQLSTATE 28P01))'),
)
DNS_FAILURE = ErrorSpec(
    java=("java.net.UnknownHostException", "{host}: Name or service not known"),
    python=("socket.gaierror", "[Errno -2] Name or service not known ({host})"),
    node=("Error", "getaddrinfo ENOTFOUND {host}"),
    go=("dial tcp: lookup {host} on 169.254.169.253:53", "no such host"),
)
