"""MinHash estimates track true shingle overlap; the LSH index finds a reworded copy and nothing else."""

from __future__ import annotations

from training.dataset.dedup import LshIndex, MinHasher, estimated_jaccard, lsh_shape, text_fingerprint
from training_tests.utils.corpus import seed_stories, shingle_jaccard, with_words_changed


def test_fingerprint_ignores_spacing_case_and_punctuation() -> None:
    assert text_fingerprint("The Fox ran.  Home!") == text_fingerprint("the fox ran home")
    assert text_fingerprint("the fox ran home") != text_fingerprint("the fox ran away")


def test_estimates_are_close_to_the_true_jaccard() -> None:
    story = seed_stories("hi_part_b.jsonl", 1)[0]["text"]
    hasher = MinHasher(permutations=256, shingle_size=3, seed=5)
    for changed in (2, 10, 40):
        variant = with_words_changed(story, count=changed, seed=changed)
        estimate = estimated_jaccard(hasher.signature(story), hasher.signature(variant))
        assert abs(estimate - shingle_jaccard(story, variant)) < 0.1


def test_index_finds_the_reworded_copy_only() -> None:
    stories = seed_stories("hi_part_c.jsonl", 20)
    hasher = MinHasher(permutations=128, shingle_size=3, seed=1)
    index = LshIndex(permutations=128, threshold=0.8)
    for story in stories:
        index.insert(story["id"], hasher.signature(story["text"]))
    copy = with_words_changed(stories[11]["text"], count=3)
    match = index.most_similar(hasher.signature(copy))
    assert match is not None and match[0] == stories[11]["id"] and match[1] >= 0.8
    unrelated = seed_stories("hi_part_a.jsonl", 1)[0]["text"]
    assert index.most_similar(hasher.signature(unrelated)) is None


def test_banding_leans_towards_recall_below_the_threshold() -> None:
    bands, rows = lsh_shape(permutations=128, threshold=0.8)
    assert bands * rows == 128
    assert (1 / bands) ** (1 / rows) < 0.8
