"""A daemon for HealthRestartIT: answers "ok" to each connection on its socket until the file SICK
exists (then it accepts and never answers, as a hung daemon does). On SIGTERM it removes its socket
and, with --hang-on-term, never exits (a shutdown that hangs); otherwise it exits 0, as libvirtd
does. A new instance removes SICK: it starts healthy."""
import os
import signal
import socket
import sys
import time

path, sick = sys.argv[1], sys.argv[2]
hang_on_term = "--hang-on-term" in sys.argv[3:]


def on_term(signum, frame):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    if not hang_on_term:
        sys.exit(0)
    while True:
        time.sleep(3600)


signal.signal(signal.SIGTERM, on_term)
try:
    os.unlink(sick)
except FileNotFoundError:
    pass
try:
    os.unlink(path)
except FileNotFoundError:
    pass
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(16)
held = []
while True:
    client, _ = server.accept()
    if os.path.exists(sick):
        held.append(client)  # accepted, never answered
    else:
        client.sendall(b"ok\n")
        client.close()
