"""Region names as a person reads them: Kazakhstan's regions and its three cities of
republican significance (since 2022), in Russian, Kazakh and English.

Stored values are the English names (`Organisation.regions`, `Opportunity.region`,
`Person.region`); a name this table does not know (another country's deployment) is
shown as it was written. REVIEW BEFORE A PILOT: a native speaker of each language.
"""

from __future__ import annotations

from types import MappingProxyType

# English name -> (Russian, Kazakh). Short forms, as people say them: a region named
# after its centre reads as the city ("Караганда"), which is what a card has room for.
_NAMES = {
    "Abai": ("Абай", "Абай"),
    "Akmola": ("Акмолинская обл.", "Ақмола"),
    "Aktobe": ("Актобе", "Ақтөбе"),
    "Almaty Region": ("Алматинская обл.", "Алматы облысы"),
    "Atyrau": ("Атырау", "Атырау"),
    "East Kazakhstan": ("Восточный Казахстан", "Шығыс Қазақстан"),
    "Jambyl": ("Жамбылская обл.", "Жамбыл"),
    "Jetisu": ("Жетысу", "Жетісу"),
    "Karaganda": ("Караганда", "Қарағанды"),
    "Kostanay": ("Костанай", "Қостанай"),
    "Kyzylorda": ("Кызылорда", "Қызылорда"),
    "Mangystau": ("Мангистау", "Маңғыстау"),
    "North Kazakhstan": ("Северный Казахстан", "Солтүстік Қазақстан"),
    "Pavlodar": ("Павлодар", "Павлодар"),
    "Turkistan": ("Туркестан", "Түркістан"),
    "Ulytau": ("Улытау", "Ұлытау"),
    "West Kazakhstan": ("Западный Казахстан", "Батыс Қазақстан"),
    "Astana": ("Астана", "Астана"),
    "Almaty": ("Алматы", "Алматы"),
    "Shymkent": ("Шымкент", "Шымкент"),
}
KNOWN_REGIONS = MappingProxyType(
    {en: {"en": en, "ru": ru, "kk": kk} for en, (ru, kk) in _NAMES.items()}
)


def region_name(region: str, language: str) -> str:
    names = KNOWN_REGIONS.get(region)
    return names.get(language, region) if names else region
