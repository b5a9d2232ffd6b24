"""Complaint references: short, easy to read aloud, random rather than sequential."""

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6 or U/V pairs that sound or look alike.
ALPHABET = "ACDEFHJKMNPRTWXY34679"
GROUP = 4


def new_reference() -> str:
    """Return a new random reference such as `K7TM-9PXR` (about 35 bits of randomness)."""
    chars = [secrets.choice(ALPHABET) for _ in range(GROUP * 2)]
    return "".join(chars[:GROUP]) + "-" + "".join(chars[GROUP:])


def normalise_reference(text: str) -> str:
    """Turn what someone typed or read aloud into the stored form."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != GROUP * 2:
        return cleaned
    return cleaned[:GROUP] + "-" + cleaned[GROUP:]
