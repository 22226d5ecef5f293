"""The catalog as clients see it, built from the shared vocabulary in storyscape_common.catalog."""

from __future__ import annotations

from functools import cache

from prompt_service.schemas import AgeGroupEntry, Catalog, GenreEntry, Labels, LanguageEntry
from storyscape_common.catalog import AGE_GROUPS, BUILT_IN_GENRES, LANGUAGES


def age_group_labels(age_group: str) -> Labels:
    """ "6-8" → "6–8 years" / "6–8 साल" (an en dash reads better than the id's hyphen)."""
    span = age_group.replace("-", "–")
    return Labels(en=f"{span} years", hi=f"{span} साल")


@cache
def build_catalog() -> Catalog:
    """Languages, age groups and built-in genres with English and Hindi labels; fixed, so built once."""
    return Catalog(
        languages=[LanguageEntry.model_validate({"id": code, "labels": labels}) for code, labels in LANGUAGES.items()],
        age_groups=[AgeGroupEntry.model_validate({"id": group, "labels": age_group_labels(group)}) for group in AGE_GROUPS],
        genres=[GenreEntry(id=g.id, labels=Labels(en=g.label_en, hi=g.label_hi)) for g in BUILT_IN_GENRES],
    )
