"""Loopback servers for .ci/docker, each on a free 127.0.0.1 port that it
writes to PORTFILE once it listens.

  docker-fakes.py modproxy DIR PORTFILE   serve DIR (a Go module cache's
                                          cache/download) as a GOPROXY
  docker-fakes.py slack LOGDIR PORTFILE   a Slack Web API and response_url
                                          stand-in: every POST answers
                                          {"ok": true} (auth.test with team
                                          T0CI) and its path and body are
                                          written to LOGDIR
"""

import functools
import http.server
import json
import os
import sys


class Slack(http.server.BaseHTTPRequestHandler):
    logdir = "."
    count = 0

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        Slack.count += 1
        name = os.path.join(self.logdir, "%04d" % Slack.count)
        with open(name + ".tmp", "wb") as f:
            f.write(self.path.encode() + b"\n" + body)
        os.rename(name + ".tmp", name + ".req")  # whole files only
        answer = {"ok": True, "channel": "C1", "ts": "1.000001"}
        if self.path.endswith("/auth.test"):  # who the bot token belongs to
            answer.update(team_id="T0CI", team="ci", user_id="U0BOT", bot_id="B0CI")
        out = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    mode, path, portfile = sys.argv[1:4]
    if mode == "modproxy":
        handler = functools.partial(Quiet, directory=path)
    elif mode == "slack":
        Slack.logdir = path
        handler = Slack
    else:
        sys.exit("unknown mode " + mode)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
