#!/usr/bin/env python3
"""Writes the malformed programs reprise's bad-input tests feed it.

    make-bad-inputs.py common OUTDIR
        not_elf        a text file with the execute bit and no "#!"
        empty          an empty file with the execute bit

    make-bad-inputs.py elf GOOD_ELF OUTDIR PREFIX
        PREFIX.truncated         the first 100 bytes of GOOD_ELF
        PREFIX.wrong_machine     e_machine patched to RISC-V (243)
        PREFIX.elf32             EI_CLASS patched to ELFCLASS32
        PREFIX.big_endian        EI_DATA patched to ELFDATA2MSB
        PREFIX.vaddr_overflow    first PT_LOAD's p_vaddr set to 0xffffffffffff0000,
                                 so the segment runs past the end of the address space
        PREFIX.segment_past_eof  first PT_LOAD's p_filesz made larger than the file
        PREFIX.phoff_past_eof    e_phoff pointing past the end of the file
        PREFIX.not_executable    GOOD_ELF unchanged but with mode 0644

All outputs except not_executable get mode 0755, so only their content is wrong.
"""

import os
import struct
import sys

EI_CLASS, EI_DATA = 4, 5
E_MACHINE = 0x12
E_PHOFF = 0x20
E_PHENTSIZE, E_PHNUM = 0x36, 0x38
PT_LOAD = 1
EM_RISCV = 243


def write(path, data, mode=0o755):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def first_load(elf):
    """Offset of the first PT_LOAD program header of a 64-bit little-endian ELF."""
    phoff = struct.unpack_from("<Q", elf, E_PHOFF)[0]
    phentsize, phnum = struct.unpack_from("<HH", elf, E_PHENTSIZE)
    for i in range(phnum):
        off = phoff + i * phentsize
        if struct.unpack_from("<I", elf, off)[0] == PT_LOAD:
            return off
    raise SystemExit("no PT_LOAD in the input ELF")


def patched(elf, fmt, offset, value):
    out = bytearray(elf)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def make_elf_variants(good, outdir, prefix):
    with open(good, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[EI_CLASS] != 2 or elf[EI_DATA] != 1:
        raise SystemExit(f"{good}: not a 64-bit little-endian ELF")
    out = lambda name: os.path.join(outdir, f"{prefix}.{name}")
    load = first_load(elf)

    write(out("truncated"), elf[:100])
    write(out("wrong_machine"), patched(elf, "<H", E_MACHINE, EM_RISCV))
    write(out("elf32"), patched(elf, "<B", EI_CLASS, 1))
    write(out("big_endian"), patched(elf, "<B", EI_DATA, 2))
    # p_vaddr is at +16 and p_paddr at +24 in an Elf64_Phdr.
    over = patched(elf, "<Q", load + 16, 0xFFFFFFFFFFFF0000)
    write(out("vaddr_overflow"), patched(over, "<Q", load + 24, 0xFFFFFFFFFFFF0000))
    # p_filesz is at +32, p_memsz at +40; memsz must stay >= filesz.
    big = len(elf) + 0x100000
    past = patched(elf, "<Q", load + 32, big)
    write(out("segment_past_eof"), patched(past, "<Q", load + 40, big))
    write(out("phoff_past_eof"), patched(elf, "<Q", E_PHOFF, len(elf) + 4096))
    write(out("not_executable"), elf, mode=0o644)


def make_common(outdir):
    write(os.path.join(outdir, "not_elf"), b"this is plain text, not a program\n")
    write(os.path.join(outdir, "empty"), b"")


def main(argv):
    if len(argv) == 3 and argv[1] == "common":
        os.makedirs(argv[2], exist_ok=True)
        make_common(argv[2])
    elif len(argv) == 5 and argv[1] == "elf":
        os.makedirs(argv[3], exist_ok=True)
        make_elf_variants(argv[2], argv[3], argv[4])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
