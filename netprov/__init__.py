"""netprov: move office routers from per-office ISPs to one central provider, safely."""

from netprov.allocation import Allocation, allocate
from netprov.errors import InventoryError, NetprovError, Problem, RenderError, SecretError, Severity
from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.models import Inventory, Organisation, Phase, Platform, Site, SiteKind
from netprov.render.config import RenderedConfig, Renderer

__all__ = [
    "Allocation",
    "Inventory",
    "InventoryError",
    "LoadedInventory",
    "NetprovError",
    "Organisation",
    "Phase",
    "Platform",
    "Problem",
    "RenderError",
    "RenderedConfig",
    "Renderer",
    "SecretError",
    "Severity",
    "Site",
    "SiteKind",
    "allocate",
    "load_inventory",
]
__version__ = "0.1.0"
