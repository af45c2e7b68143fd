"""A TCP server that accepts connections and never answers: the probe must time out."""
import socket
import sys

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(128)
held = []
while True:
    conn, _ = server.accept()
    held.append(conn)
