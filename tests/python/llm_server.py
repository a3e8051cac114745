"""A local OpenAI-compatible chat endpoint for tests: `reply(request)` decides each answer."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedServer:
    """Serves POST /v1/chat/completions on 127.0.0.1 with what `reply(request)` returns:
    `(status, text, delay_seconds)`. Counts requests and the most seen in flight at once."""

    def __init__(self, reply):
        self.reply = reply
        self.requests = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.requests.append(body)
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                try:
                    status, text, delay = server.reply(body)
                    time.sleep(delay)
                    payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}) if status == 200 else text
                    data = payload.encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server._lock:
                        server.in_flight -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def step(request):
    """Which model step a request is: extract, choose, prune or reason."""
    system = next((m["content"] for m in request["messages"] if m["role"] == "system"), "")
    if "medical entities" in system:
        return "extract"
    if "candidates" in system:
        return "choose"
    if "paths best explain" in system:
        return "prune"
    return "reason"
