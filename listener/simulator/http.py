"""The request handler every simulated network shares: JSON in and out, faults, the /_sim control endpoints."""

from __future__ import annotations

import json
import logging
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from listener.simulator.faults import Fault
from listener.simulator.network import SimNetwork, add_mentions, played
from listener.simulator.records import Request, handle_control, records_for
from listener.simulator.state import SimState

log = logging.getLogger(__name__)


class SimHandler(BaseHTTPRequestHandler):
    platform: ClassVar[str] = ""
    state: ClassVar[SimState]
    network: ClassVar[SimNetwork]  # set by the Simulator, with `state`
    protocol_version = "HTTP/1.1"
    server_version = "mentiondesk-sim/1"

    # --- plumbing -------------------------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.platform, format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        self.route = split.path
        self.query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        try:
            if self.route.startswith("/_sim/"):
                self._control(method)
                return
            with self.state.lock:
                self.state.request_log.append((self.platform, method, self.route))
            fault = self.state.take_fault(self.platform, self.route, method)
            if fault and self._apply_fault(fault):
                return
            self.handle_api(method, fault)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def handle_api(self, method: str, fault: Fault | None) -> None:
        raise NotImplementedError

    def fault_response(self, fault: Fault) -> bool:
        """Platform-specific fault answers; True when a response was sent."""
        raise NotImplementedError

    def _apply_fault(self, fault: Fault) -> bool:
        if fault.kind == "answer_lost":
            self._lose_answer_after: float | None = fault.delay
            return False
        if fault.kind == "slow":
            time.sleep(fault.delay)
            return False
        if fault.kind == "disconnect":
            self.close_connection = True
            self.connection.close()
            return True
        if fault.kind == "malformed":
            return False  # the endpoint breaks one item of its page
        return self.fault_response(fault)

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        lose_after: float | None = getattr(self, "_lose_answer_after", None)
        if lose_after is not None:
            # The work is done (a reply posted, say) but the client never hears of it.
            self._lose_answer_after = None
            time.sleep(lose_after)
            self.close_connection = True
            self.connection.close()
            return
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.headers.get("Connection", "").lower() == "close":
            # Say so, like real servers: otherwise the client pools a socket we are about to close.
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        records_for(self.state).observe(
            self.network, self.command, self.route, status, payload, headers or {}, Request(self.headers, self.body)
        )

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True).items()}

    def json_body(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None

    # --- control endpoints (not part of any network) ---------------------------------------------------

    def _control(self, method: str) -> None:
        state = self.state
        if self.route == "/_sim/replies" and method == "GET":
            with state.lock:
                self.send_json(200, {"replies": [r.as_dict() for r in state.replies]})
        elif self.route == "/_sim/mentions" and method == "POST":
            try:
                added = add_mentions(state, int(self.query.get("n", "10")), platform=self.query.get("platform", "both"))
            except ValueError as exc:
                self.send_json(400, {"error": str(exc)})
                return
            self.send_json(200, {"added": added})
        elif self.route == "/_sim/faults" and method == "POST":
            try:
                fault = Fault.from_dict(self.json_body() or {})
            except ValueError as exc:
                self.send_json(400, {"error": str(exc)})
                return
            with state.lock:
                state.faults.append(fault)
            self.send_json(200, {"injected": fault.kind})
        elif self.route == "/_sim/stats" and method == "GET":
            with state.lock:
                counts: dict[str, int] = {}
                for name, network in played(state).items():
                    counts.update(network.stats(state.worlds[name]))
                counts.update({"replies": len(state.replies), "requests": len(state.request_log)})
                self.send_json(200, counts)
        elif (answer := handle_control(state, method, self.route, self.query, self.json_body())) is not None:
            self.send_json(*answer)
        else:
            self.send_json(404, {"error": "unknown simulator control endpoint"})
