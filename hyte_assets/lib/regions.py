"""The regions the shipped snapshot covers, with where each identifier comes from.

Real identifiers are used where a public source gives them; everything else is a clearly
marked demo placeholder (codes starting with `Z`, Sotkanet ids from 90001 up), so nothing
here can be mistaken for an official identifier.
"""

from __future__ import annotations

from dataclasses import dataclass

# Statistics Finland municipality classification (kuntaluokitus): the municipalities of
# Päijät-Häme (maakunta 07) with their official codes; Iitti belongs to Päijät-Häme since 2021.
PAIJAT_HAME_MUNICIPALITIES: tuple[tuple[str, str], ...] = (
    ("016", "Asikkala"),
    ("081", "Hartola"),
    ("098", "Hollola"),
    ("111", "Heinola"),
    ("142", "Iitti"),
    ("316", "Kärkölä"),
    ("398", "Lahti"),
    ("560", "Orimattila"),
    ("576", "Padasjoki"),
    ("781", "Sysmä"),
)

# Sotkanet internal region ids verified in ../shared/reference/sotkanet-api.md §5.
VERIFIED_SOTKANET_IDS = {
    ("KUNTA", "111"): 44,
    ("MAA", ""): 658,
    ("MAAKUNTA", "07"): 493,
    ("HYVINVOINTIALUE", "09"): 975,
}

FINLAND_MUNICIPALITY_COUNT = 308  # Sotkanet KUNTA count (reference notes §5, MCP)
DEMO_ID_BASE = 90000


@dataclass(frozen=True)
class Region:
    sotkanet_id: int
    category: str  # Sotkanet category: KUNTA, MAAKUNTA, HYVINVOINTIALUE, MAA
    code: str  # Sotkanet code ("" for MAA, whose code no source shows)
    name: str
    member_of: tuple[int, ...]
    is_demo: bool

    @property
    def level(self) -> str:
        return {
            "KUNTA": "kunta",
            "MAAKUNTA": "maakunta",
            "HYVINVOINTIALUE": "hyvinvointialue",
            "MAA": "koko_maa",
        }[self.category]

    @property
    def region_code(self) -> str:
        """Our region code (docs/architecture.md): `SSS` for the whole country."""
        return "SSS" if self.category == "MAA" else self.code

    @property
    def statfin_code(self) -> str:
        return {"kunta": f"KU{self.code}", "maakunta": f"MK{self.code}", "koko_maa": "SSS"}.get(
            self.level, ""
        )


def snapshot_regions(*, national: bool = True) -> list[Region]:
    """Whole country, Päijät-Häme (maakunta + wellbeing county), its municipalities and,
    with `national`, demo municipalities that fill Finland up to 308 for national normalisation."""
    ids = iter(range(DEMO_ID_BASE + 1, DEMO_ID_BASE + 10_000))
    maa = Region(658, "MAA", "", "Koko maa", (), False)
    maakunta = Region(493, "MAAKUNTA", "07", "Päijät-Häme", (658,), False)
    hva = Region(975, "HYVINVOINTIALUE", "09", "Päijät-Hämeen hyvinvointialue", (658,), False)
    regions = [maa, maakunta, hva]
    for code, name in PAIJAT_HAME_MUNICIPALITIES:
        # Real municipalities; only Heinola's internal Sotkanet id is verified, the others get
        # placeholder ids from the demo range (resolution is by category + code, never by id).
        sotkanet_id = VERIFIED_SOTKANET_IDS.get(("KUNTA", code)) or next(ids)
        regions.append(Region(sotkanet_id, "KUNTA", code, name, (658, 493, 975), False))
    if national:
        demo_maakunta = Region(next(ids), "MAAKUNTA", "Z1", "Demomaakunta", (658,), True)
        demo_hva = Region(next(ids), "HYVINVOINTIALUE", "Z1", "Demohyvinvointialue", (658,), True)
        regions += [demo_maakunta, demo_hva]
        for n in range(1, FINLAND_MUNICIPALITY_COUNT - len(PAIJAT_HAME_MUNICIPALITIES) + 1):
            regions.append(
                Region(
                    next(ids),
                    "KUNTA",
                    f"Z{n:03d}",
                    f"Demokunta {n:03d}",
                    (658, demo_maakunta.sotkanet_id, demo_hva.sotkanet_id),
                    True,
                )
            )
    return regions
