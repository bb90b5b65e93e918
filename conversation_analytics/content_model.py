"""The content model: a classifier per label trained on the team's labelled corpus.

The corpus (``corpus/*.yaml``) is written and reviewed by the team and kept under version
control; no model is downloaded. Every example goes to the test split or the training split by a
hash of its text (one in five to test), so the split is stable while the corpus grows. Features
are character 1–3-grams of the sound-folded text (homophones written by speech recognition give
the same features as the right characters), hashed into a fixed number of columns and weighted
by TF-IDF (:class:`CharNgrams`, computed for a whole batch at once with numpy: a warehouse
classifies tens of millions of utterances); each label has its own logistic regression, with
the hard negatives (lawful sentences using the same words) as negatives.

A trained model is cached under ``WORKPHONE_HOME/models/compliance/`` by its version: the hash
of the corpus, the training settings and the code and libraries the model depends on
(:func:`corpus_version`), so a change to any of them trains a new model and every finding can
name the model that made it.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pypinyin
import sklearn
import yaml
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from conversation_analytics import phonetic
from conversation_analytics.content_rules import LABELS
from conversation_analytics.phonetic import fold

TEST_SHARE = 5  # one example in five is held out
TRAINING = {"ngram_max": 3, "hash_bits": 18, "C": 8.0, "threshold": 0.5}
MODEL_NAME = "content-tfidf-logreg"


@dataclass(frozen=True)
class Example:
    text: str
    context: str
    labels: tuple[str, ...]

    @property
    def split(self) -> str:
        digest = hashlib.sha256(self.text.encode()).digest()
        return "test" if digest[0] % TEST_SHARE == 0 else "train"


def corpus_dir() -> Path:
    return Path(str(resources.files("conversation_analytics").joinpath("corpus")))


def load_corpus(folder: Path | None = None) -> list[Example]:
    """Every example of every corpus file (``examples`` and ``asr_examples``), in file order."""
    folder = folder or corpus_dir()
    examples = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for key in ("examples", "asr_examples"):
            for item in data.get(key) or []:
                examples.append(Example(str(item["text"]), str(item["context"]),
                                        tuple(item.get("labels") or ())))
    return examples


def corpus_version(folder: Path | None = None) -> str:
    """The model's version: a hash of what the trained model depends on (the corpus files, the
    training settings, the code that folds and featurises text and the versions of the
    libraries that train and pickle it), so a change to any of them trains a new model rather
    than loading a stale one from the cache."""
    folder = folder or corpus_dir()
    digest = hashlib.sha256(repr(sorted(TRAINING.items())).encode())
    digest.update(f"sklearn {sklearn.__version__} numpy {np.__version__} "
                  f"pypinyin {pypinyin.__version__}".encode())
    for source in (Path(__file__), Path(phonetic.__file__)):
        digest.update(source.read_bytes())
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


class CharNgrams:
    """TF-IDF over hashed character n-grams (1 to ``ngram_max``), sublinear term frequency,
    rows scaled to unit length."""

    def __init__(self, ngram_max: int, hash_bits: int) -> None:
        self.ngram_max = ngram_max
        self.columns = 1 << hash_bits
        self.idf = np.ones(self.columns, dtype=np.float32)

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        """Documents × hashed n-grams, the number of times each occurs."""
        joined = "\0".join(t.replace("\0", " ") for t in texts) + "\0"
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        document = np.cumsum(codes == 0) - (codes == 0)  # a separator closes its document
        rows, cols = [], []
        hashed = np.zeros(len(codes), dtype=np.uint64)
        inside = codes != 0
        for n in range(1, self.ngram_max + 1):
            width = len(codes) - n + 1
            if width <= 0:
                break
            hashed = hashed[:width] * np.uint64(1_000_003) ^ codes[n - 1:n - 1 + width]
            inside = inside[:width] & (codes[n - 1:n - 1 + width] != 0)
            keys = (hashed[inside] * np.uint64(2654435761) + np.uint64(n)) >> np.uint64(16)
            rows.append(document[:width][inside])
            cols.append((keys % np.uint64(self.columns)).astype(np.int64))
        matrix = sparse.csr_matrix(
            (np.ones(sum(len(r) for r in rows), dtype=np.float32),
             (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(texts), self.columns))
        matrix.sum_duplicates()
        return matrix

    def fit(self, texts: list[str]) -> CharNgrams:
        present = self.counts(texts)
        present.data[:] = 1
        frequency = np.asarray(present.sum(axis=0)).ravel()
        self.idf = (np.log((1 + len(texts)) / (1 + frequency)) + 1).astype(np.float32)
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        matrix = self.counts(texts)
        matrix.data = 1 + np.log(matrix.data)
        matrix = sparse.csr_matrix(matrix.multiply(self.idf))
        lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        return sparse.csr_matrix(sparse.diags(1 / np.maximum(lengths, 1e-12)) @ matrix)


class ContentModel:
    """Per-label probabilities for utterances: one linear model per label over the n-grams."""

    def __init__(self, version: str, features: CharNgrams, weights: np.ndarray,
                 intercepts: np.ndarray, threshold: float) -> None:
        self.version = version
        self.features = features
        self.weights = weights          # hashed n-grams × labels
        self.intercepts = intercepts    # labels (-inf: the corpus has no example of it)
        self.threshold = threshold

    @property
    def name(self) -> str:
        return MODEL_NAME

    def probabilities(self, folded: list[str]) -> np.ndarray:
        """An (utterances × labels) array, labels in ``LABELS`` order; texts already folded."""
        if not folded:
            return np.zeros((0, len(LABELS)))
        scores = self.features.transform(folded) @ self.weights + self.intercepts
        return 1 / (1 + np.exp(-scores))


def train(examples: list[Example], version: str) -> ContentModel:
    texts = [fold(e.text) for e in examples]
    features = CharNgrams(TRAINING["ngram_max"], TRAINING["hash_bits"]).fit(texts)
    matrix = features.transform(texts)
    weights = np.zeros((features.columns, len(LABELS)), dtype=np.float32)
    intercepts = np.full(len(LABELS), -np.inf)
    for j, label in enumerate(LABELS):
        target = np.array([label in e.labels for e in examples])
        if target.any() and not target.all():
            fitted = LogisticRegression(C=TRAINING["C"], class_weight="balanced",
                                        max_iter=2000).fit(matrix, target)
            weights[:, j] = fitted.coef_[0]
            intercepts[j] = fitted.intercept_[0]
    return ContentModel(version, features, weights, intercepts, TRAINING["threshold"])


def load_or_train(models_dir: Path | None, folder: Path | None = None) -> ContentModel:
    """The model for the current corpus: from the cache when it was trained before, else
    trained on the training split now (seconds) and cached."""
    version = corpus_version(folder)
    cached = models_dir / "compliance" / f"{MODEL_NAME}-{version}.pkl" if models_dir else None
    if cached and cached.exists():
        with cached.open("rb") as handle:
            return pickle.load(handle)
    model = train([e for e in load_corpus(folder) if e.split == "train"], version)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        staged = cached.with_suffix(".partial")
        with staged.open("wb") as handle:
            pickle.dump(model, handle)
        staged.replace(cached)
    return model
