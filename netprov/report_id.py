"""netprov's own words on the Indonesian report page: check names, what was expected and
seen, and the reasons a change was refused or failed. Pure.

The journal keeps checks as netprov wrote them (English, with the addresses and names of
the site); each phrase netprov writes has its Indonesian form here, whatever surrounds it
(an address, an interface, a router's own error text, which stays as the router said it).
"""

from __future__ import annotations

import re

_ROLES = {"legacy": "ISP kantor", "central": "jalur pusat", "backup": "jalur cadangan"}
_ROLE = r"(legacy|central|backup)"


def _role(match: re.Match[str], group: int = 1) -> str:
    return _ROLES.get(match[group], match[group])


# (pattern on the whole check name, Indonesian with the pattern's groups), first match wins
_NAMES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^new management session$"), "sesi manajemen baru"),
    (re.compile(r"^management session$"), "sesi manajemen"),
    (re.compile(r"^management restricted$"), "manajemen terbatas"),
    (re.compile(r"^uplink (\S+) up$"), r"jalur \1 aktif"),
    (re.compile(rf"^ping {_ROLE} gateway (\S+)$"), "ping gateway {role} \\2"),
    (re.compile(rf"^default route via {_ROLE}$"), "rute default lewat {role}"),
    (re.compile(r"^ping internet probe (\S+) from LAN$"), r"internet dari LAN (ping ke \1)"),
    (
        re.compile(r"^ping filtering resolver (\S+) from LAN$"),
        r"DNS penyaring kota dari LAN (ping ke \1)",
    ),
    (
        re.compile(rf"^path MTU via {_ROLE}: (\d+)-byte DF ping to (\S+)$"),
        "paket besar lewat {role} (ping \\2 byte ke \\3)",
    ),
    (re.compile(rf"^egress via {_ROLE}$"), "keluar ke internet lewat {role}"),
    (re.compile(r"^service (.+) from LAN$"), r"layanan \1 dari LAN"),
    (re.compile(r"^DNS resolves (\S+)$"), r"DNS menjawab \1"),
    (re.compile(r"^DNS blocks (\S+)$"), r"DNS memblokir \1"),
    (
        re.compile(r"^LAN DNS forced to the filtering resolvers$"),
        "DNS LAN dipaksa ke resolver penyaring",
    ),
    (re.compile(r"^DHCP serves the LAN$"), "DHCP melayani LAN"),
    (re.compile(rf"^shaping on {_ROLE}$"), "pembatasan bandwidth di {role}"),
    (re.compile(r"^failover route for backup line$"), "rute pindah ke jalur cadangan"),
    (re.compile(r"^config after the drill$"), "konfigurasi setelah uji"),
]

# phrases inside what was expected or seen (values around them stay as they are)
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d+)/(\d+) replies"), r"\1 dari \2 ping dibalas"),
    (re.compile(r"<= (\d+)% loss"), r"paling banyak \1% ping hilang"),
    # what the route read around a line's check found (verify.line_ping, _default_route):
    # an interface and its gateway, without brackets inside the report's brackets
    (re.compile(r", but leaves by (\S+) \(([^)]+)\)"), r", tetapi keluar lewat \1, gateway \2"),
    (
        re.compile(r"\btraffic leaves by (\S+) \(([^)]+)\)"),
        r"lalu lintas keluar lewat \1, gateway \2",
    ),
    (re.compile(r", but leaves by\b"), ", tetapi keluar lewat"),
    (re.compile(r"\btraffic leaves by\b"), "lalu lintas keluar lewat"),
    (re.compile(r"\bleaves by\b"), "keluar lewat"),
    (re.compile(r", but no route\b"), ", tetapi tidak ada rute"),
    (re.compile(r"\bno route\b"), "tidak ada rute"),
    (
        re.compile(r"\(no public ranges of the provider to prove it by\)"),
        "(tidak ada rentang alamat publik penyedia untuk membuktikannya)",
    ),
    (
        re.compile(r'\btaken first by queue ("[^"]*")( \([^)]*\))? above\b'),
        r"lebih dulu diambil antrean \1\2 di atas",
    ),
    (re.compile(r"\bqueue (\S+) disabled\b"), r"antrean \1 dimatikan"),
    (re.compile(r"\bFastTrack rule enabled\b"), "aturan FastTrack aktif"),
    (re.compile(r"\bmissing route (\S+)"), r"tidak ada rute \1"),
    (re.compile(r"\broute (\S+) disabled\b"), r"rute \1 dimatikan"),
    (
        re.compile(r"\bdefault route via (\S+), distance (\d+), tracked\b"),
        r"rute default lewat \1, jarak \2, dipantau",
    ),
    (re.compile(r" via (\S+)"), r" lewat \1"),
    (re.compile(r"\bopened in (\d+) ms"), r"terbuka dalam \1 ms"),
    (re.compile(r"\banswered in (\d+) ms"), r"menjawab dalam \1 ms"),
    (re.compile(r"\bopens and answers\b"), "terbuka dan menjawab"),
    (re.compile(r"\bno answer\b"), "tidak ada jawaban"),
    (re.compile(r"\bempty answer\b"), "jawaban kosong"),
    (re.compile(r"\banswers\b"), "menjawab"),
    (re.compile(r"^refused \("), "ditolak ("),
    (re.compile(r"\ban address of\b"), "alamat milik"),
    (re.compile(r"\ban address\b"), "sebuah alamat"),
    (re.compile(r"\bnot running\b"), "tidak berjalan"),
    (re.compile(r"\brunning\b"), "berjalan"),
    (re.compile(r"\bdisabled\b"), "dimatikan"),
    (re.compile(r"\babsent\b"), "tidak ada"),
    (re.compile(r"\bpresent\b"), "ada"),
    (re.compile(r"\bmissing\b"), "tidak ada"),
    (re.compile(r"\bnot in the running config\b"), "tidak ada di konfigurasi berjalan"),
    (re.compile(r"\bin force\b"), "berlaku"),
    (
        re.compile(r"\bother resolvers redirected or refused\b"),
        "resolver lain dialihkan atau ditolak",
    ),
    (re.compile(r"\bsinkhole\b"), "sinkhole"),
    (re.compile(r"\bserver enabled, leases readable\b"), "server aktif, sewa alamat terbaca"),
    (re.compile(r"\benabled, (\d+) bound lease\(s\)"), r"aktif, \1 alamat tersewa"),
    (re.compile(r"\bno enabled server in the running config\b"), "tidak ada server aktif"),
    (
        re.compile(r"\bno enabled server with gateway (\S+) in the running config\b"),
        r"tidak ada server aktif dengan gateway \1",
    ),
    (re.compile(r"\blease table unreadable\b"), "tabel sewa tidak terbaca"),
    (re.compile(r"(\d+) kbps ceiling on (\S+), both directions"), r"batas \1 kbps di \2, dua arah"),
    (re.compile(r"(\d+) kbps ceiling"), r"batas \1 kbps"),
    (re.compile(r"\bno shaper\b"), "tidak ada pembatas"),
    (re.compile(r"\bnot attached\b"), "tidak terpasang"),
    (re.compile(r"\bbypassed\b"), "dilewati"),
    (re.compile(r"\brestricted\b"), "terbatas"),
    (
        re.compile(r"\bonly the management networks reach it \(no web UI, no MAC access\)"),
        "hanya jaringan manajemen yang menjangkaunya (tanpa web UI, tanpa akses MAC)",
    ),
    (re.compile(r"\bthe web UI\b"), "web UI"),
    (re.compile(r"\bidentical to backup\b"), "identik dengan cadangan"),
    (re.compile(r"\bidentical\b"), "identik"),
    (re.compile(r"\bDIFFERS\b"), "BERBEDA"),
    (re.compile(r"\bwithin (\d+) s\b"), r"dalam \1 dtk"),
    (re.compile(r"\bprobe answers\b"), "probe menjawab"),
    (re.compile(r"\bdefault via\b"), "default lewat"),
    (re.compile(r"\bcannot connect\b"), "tidak bisa terhubung"),
]

# reasons netprov gives for a refusal or a failure
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bwould cut the management path at:"), "akan memutus jalur manajemen pada:"),
    (
        re.compile(r"\bnew management sessions from (\S+) would be (dropped|refused) by rule"),
        r"sesi manajemen baru dari \1 akan ditolak oleh aturan",
    ),
    (
        re.compile(r"\bwould move the management path to (\S+) onto\b"),
        r"akan memindah jalur manajemen ke \1 ke",
    ),
    (
        re.compile(r"\bnot proven yet \(go through dual first\)"),
        "belum terbukti (lewati dual dulu)",
    ),
    (re.compile(r"\bthe end of the plan\b"), "akhir rencana"),
    (re.compile(r", at:"), ", pada:"),
    (
        re.compile(r"\bthe router holds what clashes with the inventory:"),
        "router memuat yang bertentangan dengan inventaris:",
    ),
    (re.compile(r"\bpush interrupted\b"), "pengiriman terputus"),
    (
        re.compile(r"\bthe device reverts by itself in (\d+) min\b"),
        r"perangkat kembali sendiri dalam \1 menit",
    ),
    (re.compile(r"\bsite is locked by run\b"), "lokasi dikunci oleh proses"),
    (
        re.compile(r"\brunning config changed since the plan was made; plan again\b"),
        "konfigurasi berjalan berubah sejak rencana dibuat; buat rencana lagi",
    ),
]


_VIA = re.compile(rf" via {_ROLE}$")  # a check held to one line: "... from LAN via central"


def check_name(name: str) -> str:
    """A check's name in Indonesian (a name netprov does not know stays as it is).

    Examples:
        >>> check_name("ping internet probe 198.41.0.4 from LAN")
        'internet dari LAN (ping ke 198.41.0.4)'
        >>> check_name("ping internet probe 199.7.83.42 from LAN via central")
        'internet dari LAN lewat jalur pusat (ping ke 199.7.83.42)'
        >>> check_name("default route via central")
        'rute default lewat jalur pusat'
    """
    held = _VIA.search(name)
    if held is not None and not name.startswith(("default route", "egress")):
        base = check_name(name[: held.start()])
        line = f" lewat {_role(held)}"
        return base.replace(" (", f"{line} (", 1) if " (" in base else base + line
    for pattern, template in _NAMES:
        match = pattern.match(name)
        if match is not None:
            # the uplink's role, where there is one, is always the first group
            worded = template.replace("{role}", _role(match)) if "{role}" in template else template
            return match.expand(worded)
    return name


def phrase(text: str) -> str:
    """What was expected or seen, netprov's words in Indonesian.

    Examples:
        >>> phrase("0/5 replies, but leaves by ether1 (172.30.0.1)")
        '0 dari 5 ping dibalas, tetapi keluar lewat ether1, gateway 172.30.0.1'
        >>> phrase("<= 20% loss")
        'paling banyak 20% ping hilang'
    """
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return text


def reason(text: str) -> str:
    """A refusal or failure, netprov's words in Indonesian (a router's own error text
    stays as the router wrote it)."""
    for pattern, replacement in _REASONS:
        text = pattern.sub(replacement, text)
    return phrase(text)


def check_line(name: str, expected: str, observed: str) -> str:
    """One failed check as the Indonesian page shows it: what was checked, what was seen,
    what should have been (no brackets around brackets).

    Examples:
        >>> check_line("DNS resolves google.com", "an address", "no answer")
        'DNS menjawab google.com: tidak ada jawaban; seharusnya sebuah alamat'
    """
    return f"{check_name(name)}: {phrase(observed)}; seharusnya {phrase(expected)}"


def check_line_en(name: str, expected: str, observed: str) -> str:
    """One failed check as the English page shows it.

    Examples:
        >>> check_line_en("ping central gateway 100.72.44.1", "<= 20% loss", "0/5 replies")
        'ping central gateway 100.72.44.1: 0/5 replies; expected <= 20% loss'
    """
    return f"{name}: {observed}; expected {expected}"
