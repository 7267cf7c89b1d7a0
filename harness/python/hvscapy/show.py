"""``hvscapy show``: every layer as scapy's show() prints it, each headed by its byte offset and index."""
from .layers import iter_layers, layer_bytes


def show_text(pkt):
    """The listing of a parsed scenario. Each layer is re-dissected alone (from its own bytes) so show()
    prints just that layer: the chain itself may be too long for scapy's recursive show()."""
    parts, off, k = [], 0, -1
    for layer in iter_layers(pkt):
        own = layer_bytes(layer)
        where = f"# byte {off}" + (f", record {k}" if k >= 0 else "")
        parts.append(where + "\n" + type(layer)(own).show(dump=True))
        off, k = off + len(own), k + 1
    return "\n".join(parts)
