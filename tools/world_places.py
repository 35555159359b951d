"""Write pipeline/data/world_places.tsv: the Chinese names of the world's countries and of their
first-level divisions (states, provinces, territories), from the ISO 3166 databases and zh_CN
translations that the pycountry package ships (LGPL-2.1; only the names are taken).

    pip install pycountry && python -m tools.world_places

The entity policy uses the list to label a place the NER model found (LOC) as a GPE when it
names a country or a state (澳大利亚, 加拿大, 昆士兰州, 昆士兰); China's own divisions come from
divisions.tsv and are left out here.
"""
from __future__ import annotations

import gettext
import json
import sys
from pathlib import Path

import regex

from pipeline.paths import DATA_DIR

OUT = DATA_DIR / "world_places.tsv"
CHINA = ("CN", "TW", "HK", "MO")
DIVISION_TYPES = {"State", "Province", "Territory", "Autonomous region", "Autonomous republic", "Republic",
                  "Capital territory", "Federal district", "Capital district", "Prefecture", "Region"}
SUFFIXES = ("州", "省", "邦", "地区")


def _catalogue(pkg: Path, name: str):
    with open(pkg / "locales" / "zh_CN" / "LC_MESSAGES" / f"{name}.mo", "rb") as fh:
        zh = gettext.GNUTranslations(fh)
    rows = json.loads((pkg / "databases" / f"{name}.json").read_text(encoding="utf-8"))
    return zh, next(iter(rows.values()))


def build() -> list[tuple[str, str, str]]:
    import pycountry

    pkg = Path(pycountry.__file__).parent
    names: dict[str, tuple[str, str]] = {}

    def add(name: str, kind: str, code: str):
        if regex.fullmatch(r"\p{Han}{2,10}", name) and name not in names:
            names[name] = (kind, code)

    zh, countries = _catalogue(pkg, "iso3166-1")
    for c in countries:
        if c["alpha_2"] in CHINA:
            continue
        for key in ("name", "common_name"):
            if key in c and zh.gettext(c[key]) != c[key]:
                add(zh.gettext(c[key]), "country", c["alpha_2"])
    zh, subdivisions = _catalogue(pkg, "iso3166-2")
    from pipeline import divisions
    from pipeline.segment import jieba_tags

    tags = jieba_tags()

    def place_like(name: str) -> bool:  # not 东部, 三角, 中央 (names of a few divisions, words first)
        return len(name) >= 3 and tags.get(name, "ns")[:2] in ("ns", "nr", "nz")

    for d in subdivisions:
        country = d["code"].split("-")[0]
        if country in CHINA or d["type"] not in DIVISION_TYPES or "parent" in d:
            continue
        name = zh.gettext(d["name"])
        if name == d["name"] or name.endswith("地区") or divisions.resolve(name) is not None:
            continue  # untranslated; 西北地区 reads as a region of China
        if place_like(name):
            add(name, "division", d["code"])
        for suf in SUFFIXES:
            stem = name[: -len(suf)]
            if name.endswith(suf) and place_like(stem) and divisions.resolve(stem) is None:
                add(stem, "division", d["code"])
    return sorted((n, k, c) for n, (k, c) in names.items())


def main(argv=None) -> int:
    rows = build()
    import pycountry

    head = ("# Countries and their first-level divisions by their Chinese names (the entity policy labels a model\n"
            f"# place GPE when it is one of these). Written by tools/world_places.py from pycountry {pycountry.__version__}\n"
            "# (ISO 3166 with its zh_CN translations, LGPL-2.1); China's divisions are in divisions.tsv.\n"
            "name\tkind\tiso\n")
    OUT.write_text(head + "".join(f"{n}\t{k}\t{c}\n" for n, k, c in rows), encoding="utf-8")
    print(f"{len(rows)} names -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
