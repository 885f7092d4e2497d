"""The device twin: emulated site routers, each a real SSH server on loopback with state.

netmiko and napalm drive it unmodified. See :mod:`netprov.twin.running` to build one from the
inventory, :mod:`netprov.twin.server` for the SSH side, :mod:`netprov.twin.ios` and
:mod:`netprov.twin.routeros` for the two personalities.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# asyncssh (the twin's SSH server) names cryptography's DSA key classes when it is imported
# (asyncssh/crypto/dsa.py, misc.py); cryptography 51 deprecates DSA and warns at each name:
# ten lines on stderr before every command that starts or aims at a twin. The twin's host
# key is Ed25519 and its users log in by password, so no DSA key is ever used: these
# warnings, raised in asyncssh's modules, and only they are silenced.
warnings.filterwarnings(
    "ignore",
    message="DSA is deprecated",
    category=CryptographyDeprecationWarning,
    module=r"asyncssh\.",
)

from netprov.twin.build import build_twin  # noqa: E402
from netprov.twin.running import Twin, TwinDevice  # noqa: E402
from netprov.twin.scenario import Scenario, SiteFaults  # noqa: E402

__all__ = ["Scenario", "SiteFaults", "Twin", "TwinDevice", "build_twin"]
