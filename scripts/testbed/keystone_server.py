#!/usr/bin/python3
"""Serve Keystone's public WSGI application on 127.0.0.1 with a threaded wsgiref server.

Usage: /usr/bin/python3 keystone_server.py <keystone.conf> <port>

Keystone reads its configuration from OS_KEYSTONE_CONFIG_FILES, which this wrapper sets from
its first argument before importing keystone. Part of the manila-placement test bed.
"""
import os
import socketserver
import sys
from wsgiref import simple_server


def main() -> None:
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    conf, port = sys.argv[1], int(sys.argv[2])
    os.environ["OS_KEYSTONE_CONFIG_FILES"] = conf
    del sys.argv[1:]  # keystone parses the command line itself

    from keystone.server.wsgi import initialize_public_application

    app = initialize_public_application()

    class ThreadingWSGIServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 64

    class Handler(simple_server.WSGIRequestHandler):
        def log_message(self, fmt, *args):  # one short access-log line per request
            sys.stderr.write("access %s %s\n" % (self.address_string(), fmt % args))

        def address_string(self):
            return self.client_address[0]

    server = simple_server.make_server(
        "127.0.0.1", port, app, server_class=ThreadingWSGIServer, handler_class=Handler
    )
    sys.stderr.write("keystone listening on http://127.0.0.1:%d (config %s)\n" % (port, conf))
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
