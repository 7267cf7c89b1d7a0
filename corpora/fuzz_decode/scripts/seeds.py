#!/usr/bin/python3
"""Seeds of fuzz_decode: raw instruction bytes (up to 16), each decoded by the target in 16-, 32- and 64-bit
code against Zydis. One seed per opcode of the decoder's set with a memory ModRM, plus the corner cases of
decode_diff's fixed table (moffs, RIP-relative, REX high bytes, REP/LOCK, 15+ prefixes), and a few rejects.
Deterministic; never overwrites a seed with different bytes.

    /usr/bin/python3 corpora/fuzz_decode/scripts/seeds.py [--out DIR]
"""
import argparse
import os
import sys

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


ONE_BYTE = [0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0A, 0x0B, 0x20, 0x21, 0x22, 0x23, 0x28, 0x29, 0x2A, 0x2B,
            0x30, 0x31, 0x32, 0x33, 0x38, 0x39, 0x3A, 0x3B, 0x63, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B]
FIXED = {
    "sib_disp8": bytes([0x89, 0x44, 0x8B, 0x10]),
    "moffs64": bytes([0xA1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]),
    "moffs32": bytes([0x67, 0xA1, 0x00, 0x00, 0x00, 0x80]),
    "riprel": bytes([0x89, 0x05, 0x00, 0x01, 0x00, 0x00]),
    "rex_spl": bytes([0x40, 0x88, 0x20]),
    "ah": bytes([0x88, 0x20]),
    "rep_stosq": bytes([0xF3, 0x48, 0xAB]),
    "rep_movsd": bytes([0xF3, 0xA5]),
    "movsb_seg": bytes([0x26, 0xA4]),
    "stosb": bytes([0xAA]),
    "lock_add": bytes([0xF0, 0x01, 0x00]),
    "lock_mov_ud": bytes([0xF0, 0x89, 0x00]),
    "prefixes_15": bytes([0x66] * 14 + [0x89, 0x00]),
    "grp1_80": bytes([0x80, 0x08, 0x7F]),
    "grp1_81_imm32": bytes([0x81, 0x20, 0x78, 0x56, 0x34, 0x12]),
    "grp1_83": bytes([0x83, 0x38, 0xFF]),
    "mov_c6": bytes([0xC6, 0x00, 0x5A]),
    "mov_c7_rex_w": bytes([0x48, 0xC7, 0x00, 0x01, 0x00, 0x00, 0x80]),
    "test_f6": bytes([0xF6, 0x00, 0x01]),
    "test_f7_slash1": bytes([0xF7, 0x08, 0x01, 0x00, 0x00, 0x00]),
    "neg_f7_unsupported": bytes([0xF7, 0x18]),
    "movzx_b6": bytes([0x0F, 0xB6, 0x00]),
    "movzx_b7": bytes([0x0F, 0xB7, 0x00]),
    "movsx_be": bytes([0x0F, 0xBE, 0x00]),
    "movsx_bf": bytes([0x0F, 0xBF, 0x00]),
    "bt_a3": bytes([0x0F, 0xA3, 0x00]),
    "movsxd_rex_w": bytes([0x48, 0x63, 0x00]),
    "addr16_bp_si": bytes([0x8B, 0x02]),
    "addr32_sib_r13": bytes([0x67, 0x41, 0x8B, 0x04, 0x25, 0x44, 0x33, 0x22, 0x11]),
    "truncated": bytes([0x8B, 0x84]),
    "invalid_0f0b": bytes([0x0F, 0x0B]),
    "empty": b"",
}


def seeds():
    out = dict(FIXED)
    for op in ONE_BYTE:
        out[f"op_{op:02x}"] = bytes([op, 0x84, 0x91, 0x78, 0x56, 0x34, 0x12])  # [rcx+rdx*4+disp32]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seeds"))
    return write_seeds(ap.parse_args().out, seeds())


if __name__ == "__main__":
    sys.exit(main())
