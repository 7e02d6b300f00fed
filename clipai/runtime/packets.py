"""JSON-first Socket.IO packets: no walk of every payload for bytes (half a message's packet cost)."""

from socketio import packet as socketio_packet


class JsonPacket(socketio_packet.Packet):
    """python-socketio's packet, which looks for binary data only when JSON cannot encode it.

    The stock packet walks its whole payload when it is built (a recursive call, a list and a
    ``reduce`` per value) to tell binary events from JSON ones, for a site that only ever sends
    JSON: half the cost of a chat message's packets (docs/benchmarks.md). Here the JSON encoding
    is tried first; bytes make it fail, and only then is the packet sent as a binary one, as before.
    """

    uses_binary_events = False  # no walk when the packet is built

    def encode(self):
        try:
            return super().encode()
        except TypeError:
            binary_type = {socketio_packet.EVENT: socketio_packet.BINARY_EVENT,
                           socketio_packet.ACK: socketio_packet.BINARY_ACK}.get(self.packet_type)
            if binary_type is None or not self.data_is_binary(self.data):
                raise
            self.packet_type = binary_type
            return super().encode()

