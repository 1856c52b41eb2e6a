"""Where the shipped data files live (inside the package, so an installed copy finds them)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
REVIEW_PATH = DATA_DIR / "hcc-systemic-therapy-review.txt"
REGIMENS_PATH = DATA_DIR / "regimens.yaml"
TRIALS_PATH = DATA_DIR / "trials.yaml"
SYNONYMS_PATH = DATA_DIR / "synonyms.yaml"
GOLD_RETRIEVAL_PATH = DATA_DIR / "gold_retrieval.yaml"
