"""The content model: one classifier over "compliant" and the nine labels, trained on the team's
labelled corpus.

The corpus (``corpus/*.yaml``) is written and reviewed by the team and kept under version
control; no model is downloaded. Every example goes to the test split or the training split by a
hash of its text (one in five to test), so the split is stable while the corpus grows; nothing
of the test split is used in training or in choosing thresholds.

Features are character 1–3-grams of the text twice over: folded by sound (homophones written by
speech recognition give the same features as the right characters) and as written (which keeps
apart words that folding makes collide), each hashed into a fixed number of columns, weighted by
TF-IDF and scaled to unit length (:class:`CharNgrams`, computed for a whole batch at once with
numpy: a warehouse classifies tens of millions of utterances).

The classifier is a multinomial logistic regression in which "compliant" competes with the
labels, so lawful sentences that use a violation's words (the hard negatives) pull towards
compliant rather than only away from one label; an example with two labels counts once for
each. The probabilities are normalised over what the context allows (compliant and the labels of
``sales`` or of ``collection``). An utterance gets its most probable label when the model is
sure enough that it is a violation and of that label (:func:`decide`: the geometric mean of the
violation probability and the label's, against the label's threshold); a second label only when
it is probable in its own right. The thresholds are chosen by cross-validation on the training
split, counting each compliant example ``compliant_weight`` times: real traffic is far more
compliant than the corpus, so a false alarm costs more than the corpus shows.

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
import scipy
import sklearn
import yaml
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from conversation_analytics import phonetic
from conversation_analytics.content_rules import CONTEXTS, LABEL_CONTEXTS, LABELS
from conversation_analytics.phonetic import fold

TEST_SHARE = 5  # one example in five is held out
TRAINING = {
    "ngram_max": 3,
    "hash_bits": 17,           # per view (sound-folded, as written)
    "C": 40.0,                 # inverse regularisation of the logistic regression
    "min_examples": 2,         # an n-gram gets a weight when this many training examples have it
    "folds": 4,                # cross-validation folds on the training split, for thresholds
    "compliant_weight": 6.0,   # how many times a compliant example counts when choosing them
    "thresholds": (0.2, 0.9, 0.025),       # the grid searched for each label
    "second_thresholds": (0.2, 0.8, 0.05),  # the grid searched for a second label
}
MODEL_NAME = "content-tfidf-softmax"
CLASSES = ("compliant", *LABELS)
# contexts × classes: what each context allows (compliant always)
ALLOWED = np.array([[True] + [c in LABEL_CONTEXTS[label] for label in LABELS]
                    for c in CONTEXTS])


@dataclass(frozen=True)
class Example:
    text: str
    context: str
    labels: tuple[str, ...]

    @property
    def split(self) -> str:
        digest = hashlib.sha256(self.text.encode()).digest()
        return "test" if digest[0] % TEST_SHARE == 0 else "train"

    @property
    def fold(self) -> int:
        """The cross-validation fold of a training example, by another hash of its text: like
        the split, it does not depend on the order of the corpus."""
        return hashlib.sha256(b"fold\0" + self.text.encode()).digest()[0] % TRAINING["folds"]


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
                  f"scipy {scipy.__version__} pypinyin {pypinyin.__version__}".encode())
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


class TextFeatures:
    """The n-grams of the sound-folded text beside those of the text as written, each view of
    unit length, the pair scaled back to unit length."""

    def __init__(self, ngram_max: int, hash_bits: int) -> None:
        self.folded = CharNgrams(ngram_max, hash_bits)
        self.written = CharNgrams(ngram_max, hash_bits)

    @property
    def columns(self) -> int:
        return self.folded.columns + self.written.columns

    def fit(self, texts: list[str], folded: list[str]) -> TextFeatures:
        self.folded.fit(folded)
        self.written.fit(texts)
        return self

    def transform(self, texts: list[str], folded: list[str]) -> sparse.csr_matrix:
        both = sparse.hstack([self.folded.transform(folded), self.written.transform(texts)],
                             format="csr")
        both.data *= np.float32(np.sqrt(0.5))
        return both


def class_probabilities(scores: np.ndarray, contexts: list[str]) -> np.ndarray:
    """Softmax of (utterances × classes) scores over the classes each context allows."""
    allowed = ALLOWED[np.array([CONTEXTS.index(c) for c in contexts], dtype=int)]
    scores = np.where(allowed, scores, -np.inf)
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    return scores / scores.sum(axis=1, keepdims=True)


def decide(probabilities: np.ndarray, thresholds: np.ndarray,
           second: float) -> tuple[np.ndarray, np.ndarray]:
    """The labels the model gives, from (utterances × classes) probabilities: (utterances ×
    labels) booleans and the score behind each. The most probable label scores the geometric
    mean of the violation probability (1 − P(compliant)) and its own, and is given at its
    threshold; another label is given beside it when its own probability reaches ``second``."""
    labels = probabilities[:, 1:]
    rows = np.arange(len(labels))
    top = labels.argmax(axis=1) if len(labels) else np.zeros(0, dtype=int)
    scores = labels.copy()
    scores[rows, top] = np.sqrt((1 - probabilities[:, 0]) * labels[rows, top])
    given = np.zeros(labels.shape, dtype=bool)
    given[rows, top] = scores[rows, top] >= thresholds[top]
    given |= (labels >= second) & given.any(axis=1, keepdims=True)
    return given, scores


class ContentModel:
    """The labels of utterances: one linear model over the n-grams, compliant against the
    labels, with a threshold per label."""

    def __init__(self, version: str, features: TextFeatures, weights: np.ndarray,
                 intercepts: np.ndarray, thresholds: np.ndarray, second: float) -> None:
        self.version = version
        self.features = features
        self.weights = weights          # hashed n-grams × classes (compliant, then LABELS)
        self.intercepts = intercepts    # classes (-inf: the corpus has no example of it)
        self.thresholds = thresholds    # labels: the score at which the top label is given
        self.second = second            # the probability at which a second label is given

    @property
    def name(self) -> str:
        return MODEL_NAME

    def probabilities(self, texts: list[str], folded: list[str],
                      contexts: list[str]) -> np.ndarray:
        """An (utterances × classes) array, classes in ``CLASSES`` order; ``folded``: the same
        texts folded by sound."""
        if not texts:
            return np.zeros((0, len(CLASSES)))
        scores = np.asarray(self.features.transform(texts, folded) @ self.weights)
        return class_probabilities(scores + self.intercepts, contexts)

    def labels(self, texts: list[str], folded: list[str],
               contexts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(utterances × labels) booleans, labels in ``LABELS`` order, and their scores."""
        return decide(self.probabilities(texts, folded, contexts), self.thresholds,
                      self.second)


def _targets(examples: list[Example]) -> tuple[np.ndarray, np.ndarray]:
    """Rows (an example once per label, compliant ones once) and their classes."""
    rows, classes = [], []
    for i, example in enumerate(examples):
        for label in example.labels or ("compliant",):
            rows.append(i)
            classes.append(CLASSES.index(label))
    return np.array(rows, dtype=int), np.array(classes, dtype=int)


def _fit(texts: list[str], folded: list[str],
         examples: list[Example]) -> tuple[TextFeatures, np.ndarray, np.ndarray]:
    features = TextFeatures(TRAINING["ngram_max"], TRAINING["hash_bits"]).fit(texts, folded)
    rows, classes = _targets(examples)
    matrix = features.transform(texts, folded)[rows]
    # fit only the n-grams that recur in the corpus (an n-gram of one sentence says little
    # about others): seconds, not minutes
    used = np.flatnonzero(np.bincount(matrix.indices, minlength=features.columns)
                          >= TRAINING["min_examples"])
    fitted = LogisticRegression(C=TRAINING["C"], max_iter=3000).fit(matrix[:, used], classes)
    weights = np.zeros((features.columns, len(CLASSES)), dtype=np.float32)
    intercepts = np.full(len(CLASSES), -np.inf)
    weights[np.ix_(used, fitted.classes_)] = fitted.coef_.T
    intercepts[fitted.classes_] = fitted.intercept_
    return features, weights, intercepts


def _grid(start: float, stop: float, step: float) -> np.ndarray:
    return np.round(np.arange(start, stop + step / 2, step), 3)


def _weighted_f1(truth: np.ndarray, given: np.ndarray, weight: np.ndarray) -> float:
    tp = (weight * (truth & given).T).sum()
    wrong = (weight * (truth != given).T).sum()
    return float(2 * tp / (2 * tp + wrong)) if tp + wrong else 0.0


def _thresholds(probabilities: np.ndarray,
                examples: list[Example]) -> tuple[np.ndarray, float]:
    """Per-label thresholds and the second-label probability that give the best F1 on
    out-of-fold probabilities, a compliant example counting ``compliant_weight`` times; among
    equally good thresholds, the one nearest 0.5."""
    truth = np.array([[label in e.labels for label in LABELS] for e in examples])
    weight = np.array([TRAINING["compliant_weight"] if not e.labels else 1.0 for e in examples])
    _, scores = decide(probabilities, np.zeros(len(LABELS)), np.inf)
    top = probabilities[:, 1:].argmax(axis=1)
    best = scores[np.arange(len(top)), top]
    thresholds = np.full(len(LABELS), 0.5)
    for j in range(len(LABELS)):
        def f1(t: float, j: int = j) -> tuple[float, float]:
            return (_weighted_f1(truth[:, j], (top == j) & (best >= t), weight), -abs(t - 0.5))
        thresholds[j] = max(_grid(*TRAINING["thresholds"]), key=f1)
    second = max(_grid(*TRAINING["second_thresholds"]),
                 key=lambda s: (_weighted_f1(truth, decide(probabilities, thresholds, s)[0],
                                             weight), s))
    return thresholds, float(second)


def train(examples: list[Example], version: str) -> ContentModel:
    """Fit on ``examples`` (the training split) and choose the thresholds by cross-validation
    on them. One BLAS thread: the fits are small, and threads fighting over the cores of a
    shared machine make them several times slower."""
    with threadpool_limits(1):
        return _train(examples, version)


def _train(examples: list[Example], version: str) -> ContentModel:
    texts = [e.text for e in examples]
    folded = [fold(t) for t in texts]
    contexts = [e.context for e in examples]
    features, weights, intercepts = _fit(texts, folded, examples)
    out_of_fold = np.zeros((len(examples), len(CLASSES)))
    folds = np.array([e.fold for e in examples])
    for k in range(TRAINING["folds"]):
        inside, outside = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        part = _fit([texts[i] for i in inside], [folded[i] for i in inside],
                    [examples[i] for i in inside])
        scores = part[0].transform([texts[i] for i in outside], [folded[i] for i in outside])
        out_of_fold[outside] = class_probabilities(
            np.asarray(scores @ part[1]) + part[2], [contexts[i] for i in outside])
    thresholds, second = _thresholds(out_of_fold, examples)
    return ContentModel(version, features, weights, intercepts, thresholds, second)


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
