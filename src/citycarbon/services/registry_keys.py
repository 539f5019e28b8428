"""Ed25519 keys of the registry and of verifiers: create, load, sign, check.

The registry signs journal checkpoints and verifiers sign monitoring reports. Only public keys
are stored in the database; private keys stay in PEM files that their holders keep, so a
database operator cannot forge either signature.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from citycarbon.domain.sinks.errors import RegistryError

MSG_NOT_A_REGISTRY_KEY = "{file} is not an Ed25519 key in PEM format"
MSG_KEY_EXISTS = "{file} already exists; a signing key is never overwritten"


def create_key_pair(private_path: Path) -> Path:
    """Write a new private key (mode 0600) and its public key next to it (``.pub``); return the latter."""
    public_path = private_path.with_suffix(private_path.suffix + ".pub")
    for path in (private_path, public_path):
        if path.exists():
            raise RegistryError(MSG_KEY_EXISTS, file=str(path))
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a PEM file."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        raise RegistryError(MSG_NOT_A_REGISTRY_KEY, file=str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise RegistryError(MSG_NOT_A_REGISTRY_KEY, file=str(path))
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read an Ed25519 public key from a PEM file."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError):
        raise RegistryError(MSG_NOT_A_REGISTRY_KEY, file=str(path)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise RegistryError(MSG_NOT_A_REGISTRY_KEY, file=str(path))
    return key


def public_key_hex(key: Ed25519PublicKey) -> str:
    """The 32 raw bytes of a public key as hex (how it is stored and exported)."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """Signature of ``message`` as hex."""
    return key.sign(message).hex()


def signature_is_valid(public_hex: str, signature_hex: str, message: bytes) -> bool:
    """Whether ``signature_hex`` is the holder of ``public_hex``'s signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(signature_hex), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True
