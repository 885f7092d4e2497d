"""Cisco type 7, the reversible encoding ``service password-encryption`` shows passwords in.

Not a hash: a two-digit offset into a fixed key, then each character XOR the key's, as two
hex digits (the encoding every type 7 reader undoes, netutils' ``decrypt_type7`` among them;
written here because importing netutils.password warns of Python's deprecated ``crypt``).
"""

from __future__ import annotations

_KEY = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def encode(clear: str, offset: int | None = None) -> str:
    """``clear`` in type 7. IOS picks the offset (0-15) when the password is set; by default
    it is taken from the password here, so a config always reads the same.

    Examples:
        >>> encode("cisco", 11)  # the vector netutils documents
        '110A1016141D'
        >>> decode(encode("SECRET-NETPROV_PPPOE_PASSWORD"))
        'SECRET-NETPROV_PPPOE_PASSWORD'
    """
    salt = sum(map(ord, clear)) % 16 if offset is None else offset
    return f"{salt:02d}" + "".join(
        f"{ord(char) ^ ord(_KEY[(index + salt) % len(_KEY)]):02X}"
        for index, char in enumerate(clear)
    )


def decode(cipher: str) -> str:
    """The clear text of a type 7 value; ValueError for what is not one.

    Examples:
        >>> decode("121A0C041104")
        'cisco'
        >>> decode("zz")
        Traceback (most recent call last):
        ...
        ValueError: not a type 7 value: 'zz'
    """
    if len(cipher) < 4 or len(cipher) % 2 or not cipher[:2].isdigit():
        raise ValueError(f"not a type 7 value: {cipher!r}")
    salt = int(cipher[:2])
    try:
        codes = [int(cipher[i : i + 2], 16) for i in range(2, len(cipher), 2)]
    except ValueError:
        raise ValueError(f"not a type 7 value: {cipher!r}") from None
    return "".join(
        chr(code ^ ord(_KEY[(index + salt) % len(_KEY)])) for index, code in enumerate(codes)
    )
