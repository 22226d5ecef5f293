"""A loopback stand-in for Identity Toolkit's `accounts:lookup`: what firebase-admin's `check_revoked` asks.

Every uid is an enabled account whose tokens were never revoked, unless a test disables it or revokes its tokens;
the server counts the lookups, so a test can see what one request cost.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class AccountsServer:
    def __init__(self) -> None:
        self.disabled: set[str] = set()
        self.deleted: set[str] = set()
        self.valid_since: dict[str, int] = {}
        self.lookups: Counter[str] = Counter()
        self.failing = False  # answer 403, as Google does when our service account lacks the role
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def revoke(self, uid: str) -> None:
        """What `auth.revoke_refresh_tokens` does: tokens issued before this second are refused."""
        self.valid_since[uid] = int(time.time())

    def record(self, uid: str) -> dict[str, object] | None:
        if uid in self.deleted:
            return None
        return {"localId": uid, "disabled": uid in self.disabled, "validSince": str(self.valid_since.get(uid, 0))}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if not self.path.endswith("/accounts:lookup"):
                    self.answer(404, {"error": {"code": 404, "message": "NOT_FOUND"}})
                    return
                uid = str((request.get("localId") or [""])[0])
                with outer._lock:
                    outer.lookups[uid] += 1
                    record = outer.record(uid)
                if outer.failing:
                    self.answer(403, {"error": {"code": 403, "message": "PERMISSION_DENIED", "status": "PERMISSION_DENIED"}})
                    return
                self.answer(200, {"kind": "identitytoolkit#GetAccountInfoResponse", **({"users": [record]} if record else {})})

            def answer(self, status: int, body: dict[str, object]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    @property
    def url(self) -> str:
        """The Identity Toolkit API root, as `UserManager.ID_TOOLKIT_URL` holds it."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
