"""What every corpora/<target>/scripts/seeds.py shares: writing seeds without ever losing one.

Corpora are never overwritten by a tool (README): a seed whose name exists with other bytes is reported and
left alone, and the script exits 1 so the clash is seen."""
import os


def write_seeds(out, seeds):
    """Write name -> bytes; an existing file with other bytes is never overwritten (exit 1)."""
    os.makedirs(out, exist_ok=True)
    clash = False
    for name, data in seeds.items():
        path = os.path.join(out, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                if f.read() != data:
                    print(f"{path}: exists with different bytes; not overwritten (give the new seed a new name)")
                    clash = True
            continue
        with open(path, "wb") as f:
            f.write(data)
    return 1 if clash else 0
