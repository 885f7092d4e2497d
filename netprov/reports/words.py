"""The managers' report's own words, in Bahasa Indonesia (``id``) and English (``en``):
one key per phrase, the same keys in both (netprov's words inside a check or a reason are
rendered by id from the catalogue of :mod:`netprov.said`)."""

from __future__ import annotations

from netprov.checks.results import Check
from netprov.reports.formatting import flat_brackets

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Central internet cutover",
        "headline": "{done} of {total} offices on the central provider",
        "headline_sub": "{final} of them already without their own ISP line",
        "short_legacy": "not started",
        "short_dual": "trial",
        "short_central": "on central",
        "short_final": "done",
        "phase_legacy": "own ISP only (not started)",
        "phase_dual": "own ISP + central link (trial)",
        "phase_central": "central link, own ISP as backup",
        "phase_final": "central link only, own ISP cut",
        "short_unknown": "unknown",
        "phase_unknown": "matches no phase netprov renders (changed by hand): a person looks",
        "over_time": "Offices on the central provider over time",
        "progress": "Progress by wave",
        "kinds": "Progress by office type",
        "failures": "Offices that failed and were put back",
        "none": "No failures.",
        "skipped": "Offices skipped (outside their maintenance window)",
        "git_vs_router": "Desired (inventory in git) against the router (journal)",
        "desired": "desired",
        "confirmed": "router",
        "state_pending": "promoted in git, waiting for its cutover",
        "state_ahead": "further than git says: record it with netprov promote",
        "state_failed": "its last change failed and it was put back (see the failures above)",
        "state_put_back": "put back on purpose (see above)",
        "state_unknown": "the router matches no phase netprov renders: a person looks",
        "all_agree": "Every office is where the inventory says.",
        "none_skipped": "No office was skipped.",
        "drills": "Failover drills (primary line taken down on purpose)",
        "none_drilled": "No failover drill yet.",
        "drill_ok": "the backup line carried the office",
        "drill_failed": "the backup line did NOT carry the office",
        "when": "When",
        "allocation": "Bandwidth allocation per provider",
        "contracts": "Contracts ending within {days} days",
        "none_contracts": "No contract ends within {days} days.",
        "budget": "Budget (per month)",
        "office": "Office",
        "what": "What happened",
        "legacy_before": "Office ISP spend before centralisation",
        "legacy_running": "Office ISP spend still running",
        "legacy_cut": "Office ISP spend already cut",
        "central": "Central provider spend",
        "savings": "Net saving today",
        "end_state": "Net saving once every office ISP line is cut",
        "double_end": "Paying twice (office ISP + central) until about {month}",
        "double_unknown": "The city pays twice (office ISP and central) until the remaining "
        "{left} office(s) move; an expected end is given once offices have moved on two "
        "different days.",
        "double_none": "No office ISP line left to pay for.",
        "wave": "Wave",
        "kind": "Office type",
        "offices": "offices",
        "provider": "Provider",
        "capacity": "Capacity (Mbps)",
        "demand": "Demand (Mbps)",
        "guaranteed": "Guaranteed (Mbps)",
        "ceiling": "Burst ceiling (Mbps)",
        "total": "Total",
        "contract": "Contract",
        "ends": "Ends",
        "days_left": "Days left",
        "lapsed": "ended {days} day(s) ago",
        "generated": "Generated",
        "reverted": "The checks after the change failed, so the router was put back on its "
        "previous configuration{identical}{how}. The office works as it did before. What "
        "failed:",
        "identical": ", verified identical",
        "by_undo": ", by its undo, without a reboot",
        "by_backup": ", by loading its backup: the router rebooted ({seconds} s without it)",
        "by_archive": ", by its configuration archive (configure revert), without a reboot",
        "by_itself": ", by the router itself at its deadline (netprov could not reach it)",
        "failed": "The change could not be made: {detail}",
        "refused": "Refused before anything was sent to the router: {detail}",
        "rolled_back": "Put back on purpose to its configuration of {when}, the backup of "
        "run {run}{identical}; the router is now: {phase}",
        "after": "; before that: {failure}",
        "outside_window": "outside its maintenance window (site time {when})",
        "kind_opd": "Agency (OPD)",
        "kind_kecamatan": "District office",
        "kind_kelurahan": "Urban village office",
        "kind_desa": "Village office",
        "kind_puskesmas": "Health centre",
        "kind_mpp": "Public service mall",
        "kind_hotspot": "Public hotspot",
        "kind_other": "Other",
        "legacy_line": "office ISP line of {site}",
        "central_contract": "central contract {name}",
        "check_line": "{name}: {observed}; expected {expected}",
        "untranslated": "",
    },
    "id": {
        "title": "Migrasi internet terpusat",
        "headline": "{done} dari {total} kantor sudah memakai penyedia pusat",
        "headline_sub": "{final} di antaranya sudah tanpa ISP sendiri",
        "short_legacy": "belum",
        "short_dual": "uji coba",
        "short_central": "pusat",
        "short_final": "selesai",
        "phase_legacy": "hanya ISP sendiri (belum mulai)",
        "phase_dual": "ISP sendiri + jalur pusat (uji coba)",
        "phase_central": "jalur pusat, ISP sendiri sebagai cadangan",
        "phase_final": "hanya jalur pusat, ISP sendiri diputus",
        "short_unknown": "tidak dikenal",
        "phase_unknown": "tidak cocok dengan tahap mana pun (diubah manual): perlu diperiksa",
        "over_time": "Kantor yang memakai penyedia pusat dari waktu ke waktu",
        "progress": "Kemajuan per gelombang",
        "kinds": "Kemajuan per jenis kantor",
        "failures": "Kantor yang gagal dan dikembalikan",
        "none": "Tidak ada kegagalan.",
        "skipped": "Kantor yang dilewati (di luar jam pemeliharaan)",
        "git_vs_router": "Target (inventaris di git) dibanding router (jurnal)",
        "desired": "target",
        "confirmed": "router",
        "state_pending": "sudah dinaikkan di git, menunggu cutover",
        "state_ahead": "lebih jauh dari git: catat dengan netprov promote",
        "state_failed": "perubahan terakhir gagal dan dikembalikan (lihat kegagalan di atas)",
        "state_put_back": "sengaja dikembalikan (lihat di atas)",
        "state_unknown": "router tidak cocok dengan tahap mana pun: perlu diperiksa",
        "all_agree": "Semua kantor sudah sesuai inventaris.",
        "none_skipped": "Tidak ada kantor yang dilewati.",
        "drills": "Uji pindah jalur (jalur utama sengaja diputus)",
        "none_drilled": "Belum ada uji pindah jalur.",
        "drill_ok": "jalur cadangan menjalankan kantor",
        "drill_failed": "jalur cadangan TIDAK menjalankan kantor",
        "when": "Waktu",
        "allocation": "Alokasi bandwidth per penyedia",
        "contracts": "Kontrak yang berakhir dalam {days} hari",
        "none_contracts": "Tidak ada kontrak yang berakhir dalam {days} hari.",
        "budget": "Anggaran (per bulan)",
        "office": "Kantor",
        "what": "Yang terjadi",
        "legacy_before": "Biaya ISP kantor sebelum sentralisasi",
        "legacy_running": "Biaya ISP kantor yang masih berjalan",
        "legacy_cut": "Biaya ISP kantor yang sudah dihentikan",
        "central": "Biaya penyedia pusat",
        "savings": "Penghematan bersih saat ini",
        "end_state": "Penghematan bersih setelah semua ISP kantor diputus",
        "double_end": "Anggaran ganda (ISP kantor + pusat) sampai sekitar {month}",
        "double_unknown": "Kota membayar dua kali (ISP kantor dan jalur pusat) sampai {left} "
        "kantor lagi pindah; perkiraan waktu selesainya muncul setelah kantor pindah pada "
        "dua hari yang berbeda.",
        "double_none": "Tidak ada lagi ISP kantor yang dibayar.",
        "wave": "Gelombang",
        "kind": "Jenis kantor",
        "offices": "kantor",
        "provider": "Penyedia",
        "capacity": "Kapasitas (Mbps)",
        "demand": "Kebutuhan (Mbps)",
        "guaranteed": "Jaminan (Mbps)",
        "ceiling": "Batas atas (Mbps)",
        "total": "Jumlah",
        "contract": "Kontrak",
        "ends": "Berakhir",
        "days_left": "Sisa hari",
        "lapsed": "sudah berakhir {days} hari lalu",
        "generated": "Dibuat",
        "reverted": "Pemeriksaan setelah perubahan gagal, jadi router dikembalikan ke "
        "konfigurasi sebelumnya{identical}{how}. Kantor berjalan seperti sebelum perubahan. "
        "Yang gagal:",
        "identical": ", terbukti identik",
        "by_undo": ", dengan perintah pembatalannya, tanpa reboot",
        "by_backup": ", dengan memuat cadangannya: router di-reboot ({seconds} detik tanpa router)",
        "by_archive": ", dengan arsip konfigurasinya (configure revert), tanpa reboot",
        "by_itself": ", oleh router itu sendiri pada batas waktunya (netprov tidak dapat "
        "menjangkaunya)",
        "failed": "Perubahan tidak dapat dilakukan: {detail}",
        "refused": "Ditolak sebelum ada yang dikirim ke router: {detail}",
        "rolled_back": "Sengaja dikembalikan ke konfigurasi {when}, cadangan proses "
        "{run}{identical}; router sekarang: {phase}",
        "after": "; sebelumnya: {failure}",
        "outside_window": "di luar jam pemeliharaan (waktu lokasi {when})",
        "kind_opd": "Perangkat daerah (OPD)",
        "kind_kecamatan": "Kantor kecamatan",
        "kind_kelurahan": "Kantor kelurahan",
        "kind_desa": "Kantor desa",
        "kind_puskesmas": "Puskesmas",
        "kind_mpp": "Mal pelayanan publik",
        "kind_hotspot": "Hotspot publik",
        "kind_other": "Lainnya",
        "legacy_line": "ISP kantor {site}",
        "central_contract": "kontrak pusat {name}",
        "check_line": "{name}: {observed}; seharusnya {expected}",
        "untranslated": " (belum diterjemahkan: dicatat sebelum netprov menyimpan teksnya)",
    },
}


def check_line(check: Check, lang: str) -> str:
    """One check as the page shows it: what was checked, what was seen, what should have
    been, in ``lang`` from its ids (a check journaled before netprov kept them: its
    English, said to be untranslated).

    Examples:
        >>> check_line(Check("ping gw", "<= 20% loss", "0/5 replies", False), "en")
        'ping gw: 0/5 replies; expected <= 20% loss'
    """
    t, said = TEXT[lang], check.words
    if said is None:
        line = t["check_line"].format(
            name=check.name, observed=check.observed, expected=check.expected
        )
        return flat_brackets(line + t["untranslated"])
    words = [said.name, said.observed, said.expected]
    name, observed, expected = (w.text("id") if lang == "id" else str(w) for w in words)
    return flat_brackets(t["check_line"].format(name=name, observed=observed, expected=expected))
