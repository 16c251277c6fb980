"""Hand-written cues: lexicons and spaCy PhraseMatcher rules for what a word-count model misses.

Public cue names (they end up in `Classification.cues`):
  negation, contrast, sarcasm, question, spam, opt_out (rules/optout.py), emoji:positive, emoji:negative,
  complaint:<kind> (waiting, delivery, broken, service, delay, refund, cancel, billing),
  urgent:<kind> (legal, safety, cancel, refund).
Names starting with "_" are internal features for the model and never shown to users.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol, cast

import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from rules.chunks import CHUNK_CACHE_SIZE
from rules.optout import is_opt_out
from rules.text import plain_text

# --- tokenizer ----------------------------------------------------------------------------------------
# The stock English tokenizer spends most of its time on rules tweets do not need; this one splits leading
# and trailing punctuation, keeps URLs, @handles, #tags and contractions whole, and is about twice as fast.
_PREFIX = re.compile(r"""^[\(\[\{"'¡¿“‘«*~<>\-]""")
_SUFFIX = re.compile(r"""(?:[\.,!?:;\)\]\}"'”’»…*~\-]|\.\.+)$""")
_INFIX = re.compile(r"""(?<=[^\W\d_])[.,!?;:/()](?=[^\W\d_])|\.\.+|[!?]+""")
_URL = re.compile(r"""^(?:https?://|www\.)\S+$""", re.IGNORECASE)


TOKENIZER = "mentiondesk.tweet_tokenizer.v1"


TEXT_KEY = "mentiondesk_text"


class TweetTokenizer:
    """spaCy's Tokenizer with tweet rules, over the post's plain text (`rules.text.plain_text`: no markup, no
    invisible characters); also keeps that text on the Doc (see `text_of`)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.inner = _make_inner(vocab)

    def __call__(self, text: str) -> Doc:
        text = plain_text(text)
        doc = self.inner(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        self.inner.to_disk(path, exclude=exclude)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> TweetTokenizer:
        self.inner.from_disk(path, exclude=exclude)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        data: bytes = self.inner.to_bytes(exclude=exclude)
        return data

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> TweetTokenizer:
        self.inner.from_bytes(data, exclude=exclude)
        return self


def make_tokenizer(vocab: Vocab) -> TweetTokenizer:
    return TweetTokenizer(vocab)


def _make_inner(vocab: Vocab) -> Tokenizer:
    # spaCy caches how it split each whitespace-separated chunk, but by default only the first 10,000 it meets;
    # every later new chunk is split again each time it comes back. A cached split costs about 280 bytes (56 MB
    # at the size of our other chunk caches).
    return Tokenizer(
        vocab,
        rules={},
        prefix_search=_PREFIX.search,
        suffix_search=_SUFFIX.search,
        infix_finditer=_INFIX.finditer,
        url_match=_URL.match,
        max_cache_size=CHUNK_CACHE_SIZE,
    )


@spacy.registry.tokenizers(TOKENIZER)
def _tokenizer_factory() -> Callable[[Language], TweetTokenizer]:
    def create(nlp: Language) -> TweetTokenizer:
        use_lean_lexemes(nlp.vocab)
        return make_tokenizer(nlp.vocab)

    return create


def _lower(text: str) -> str:
    return text.lower()


class _LexAttrVocab(Protocol):
    """The run-time attribute spaCy's Vocab has (cdef public in vocab.pyx) but its .pyi stub omits; keyed by
    attribute id (LOWER, ...), which is how Vocab.get reads it."""

    lex_attr_getters: dict[int, Callable[[str], object]]


def use_lean_lexemes(vocab: Vocab) -> None:
    """Compute only LOWER for new words. English computes ~20 attributes per new word in Python, which
    halves throughput on fresh text; nothing in this pipeline reads the others."""
    cast(_LexAttrVocab, vocab).lex_attr_getters = {LOWER: _lower}


def blank_nlp() -> Language:
    """spacy.blank("en") with the tweet tokenizer named in its config, so a saved pipeline rebuilds it."""
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})


def install_tokenizer(nlp: Language) -> None:
    """Replace nlp's tokenizer with the tweet tokenizer."""
    use_lean_lexemes(nlp.vocab)
    nlp.tokenizer = make_tokenizer(nlp.vocab)


NEGATION_SCOPE = 3

# --- lexicons -----------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NEGATIONS = _words(
    "not no never n't dont don't doesnt doesn't didnt didn't cant can't cannot couldnt couldn't wont won't "
    "isnt isn't arent aren't wasnt wasn't werent weren't havent haven't hasnt hasn't hadnt hadn't shouldnt "
    "shouldn't wouldnt wouldn't aint ain't nothing nobody none neither nor without hardly barely nowhere"
)
CONTRASTS = ("but", "however", "although", "though", "except", "even though", "nevertheless", "yet still")
POSITIVE_WORDS = _words(
    "love loving loved great awesome amazing excellent perfect fantastic wonderful brilliant best good "
    "nice happy glad helpful impressed outstanding superb "
    "fabulous incredible lovely enjoy enjoyed fast quick smooth kudos shoutout cheers congrats "
    "congratulations"
) + ("well done",)
# Polite complaints end with thanks ("... please help, thx"), so thanks are kept apart from praise words.
THANKS_WORDS = ("thanks", "thank", "thankyou", "thx", "ty", "tks", "appreciate", "appreciated", "grateful")
NEGATIVE_WORDS = _words(
    "worst terrible horrible awful hate hated hates sucks suck sucked useless ridiculous unacceptable "
    "pathetic disappointed disappointing disappointment frustrated frustrating annoyed annoying angry "
    "furious disgusted disgusting rude incompetent joke shameful shame fail failed fails failing crap "
    "garbage trash poor bad evil "
    "nightmare wtf smh ugh"
) + ("fed up", "sick of", "tired of")

# What a customer is glad to be spared: after a negation ("no fuss", "without a single scuff", "didn't try to
# upsell") they make praise (`_negated_nuisances`), as a negated negative word does ("not one bad bag").
NUISANCES = _words(
    "fuss hassle hassles drama problem problems issue issues glitch glitches hiccup hiccups stress headache "
    "headaches upsell upselling pressure surprise surprises fee fees charge charges queue queues queueing "
    "queuing delay delays complaint complaints scuff scuffs scratch scratches meltdown meltdowns trouble "
    "misses faff nonsense"
)

_COMPLAINT: dict[str, tuple[str, ...]] = {
    "waiting": (
        "still waiting",
        "been waiting",
        "waiting for",
        "on hold",
        "no response",
        "no reply",
        "no answer",
        "hours later",
        "days later",
        "weeks later",
        "still no",
        "still not",
        "still haven't",
        "still hasn't",
        "yet to",
        "no one",
        "nobody",
        "ignored",
        "ignoring",
        "keep getting",
        "anyone there",
        "hold music",
        "since last week",
        "since last month",
    ),
    "delivery": (
        "never arrived",
        "never received",
        "never got",
        "hasn't arrived",
        "has not arrived",
        "didn't arrive",
        "not arrived",
        "not received",
        "not delivered",
        "where is my",
        "where's my",
        "lost my",
        "lost luggage",
        "lost bag",
        "missing",
        "late delivery",
        "wrong order",
        "wrong item",
        "damaged",
        "wrong",
        "instead of my",
        "to my neighbor",
        "to my neighbour",
        "to the wrong",
        "ever shows up",
        "ever show up",
        "ever arrives",
        "ever arrive",
        "ever gets here",
        "if it ever",
    ),
    "broken": (
        "not working",
        "doesn't work",
        "does not work",
        "didn't work",
        "won't work",
        "stopped working",
        "stop working",
        "stops working",
        "a lemon",
        "isn't working",
        "broken",
        "broke",
        "crashed",
        "crashing",
        "keeps crashing",
        "error",
        "bug",
        "bugs",
        "glitch",
        "outage",
        "down again",
        "again",
        "can't log",
        "cannot log",
        "can't access",
        "won't load",
        "not loading",
        "freezes",
        "frozen",
        "slow",
        "trouble",
        "problem",
        "problems",
        "issue",
        "issues",
        "standstill",
        "unable to",
        "not able to",
        "can't get",
        "won't let",
        "doesn't let",
    ),
    "service": (
        "worst",
        "terrible",
        "horrible",
        "awful",
        "rude",
        "useless",
        "ridiculous",
        "unacceptable",
        "pathetic",
        "disappointed",
        "disappointing",
        "frustrated",
        "frustrating",
        "poor service",
        "bad service",
        "joke",
        "scam",
        "rip off",
        "ripoff",
        "incompetent",
        "fed up",
        "sick of",
        "tired of",
        "complaint",
        "complain",
        "never again",
        "fix this",
        "fix it",
        "sort it out",
        # Staff not serving: a grievance whatever words surround it, so praise next to it reads as sarcasm.
        "instead of helping",
        "rather than helping",
        "just stands around",
        "just stood around",
    ),
    "delay": (
        "delayed",
        "delay",
        "delays",
        "cancelled flight",
        "canceled flight",
        "missed my",
        "missed connection",
        "stuck",
        "stranded",
        "late",
        "overbooked",
        "bumped",
    ),
    "refund": (
        "refund",
        "refunded",
        "money back",
        "reimburse",
        "reimbursement",
        "compensation",
        "chargeback",
    ),
    "cancel": ("cancel", "cancelled", "canceled", "cancelling", "canceling", "cancellation"),
    "billing": (
        "charged twice",
        "overcharged",
        "double charged",
        "charged me",
        "hidden fee",
        "extra fee",
        "billed",
    ),
}
_URGENT: dict[str, tuple[str, ...]] = {
    "legal": (
        "lawyer",
        "lawyers",
        "attorney",
        "sue",
        "suing",
        "lawsuit",
        "legal action",
        "legal",
        "court",
        "small claims",
        "ombudsman",
        "trading standards",
        "ftc",
        "bbb",
        "report you",
        "class action",
    ),
    "safety": (
        "caught fire",
        "fire hazard",
        "burst into flames",
        "smoke",
        "injury",
        "injured",
        "hurt",
        "danger",
        "dangerous",
        "unsafe",
        "burned",
        "burnt",
        "exploded",
        "explode",
        "explosion",
        "hospital",
        "ambulance",
        "allergic reaction",
        "food poisoning",
        "poisoning",
        "choking",
        "electric shock",
        "shocked me",
        "gas leak",
        "bleeding",
        "accident",
        "car accident",
        "emergency",
    ),
    "cancel": (
        "cancel my",
        "cancelling my",
        "canceling my",
        "cancel the subscription",
        "cancel subscription",
        "close my account",
        "closing my account",
        "switching to",
        "leaving you",
        "taking my business",
        "never using",
        "never flying",
        "never buying",
        "done with you",
    ),
    "refund": ("refund", "full refund", "money back", "chargeback", "dispute the charge"),
}
# Sarcasm on its own; and phrases that are sarcasm only next to a grievance ("great job" + "3 hours late").
_SARCASM = (
    "yeah right",
    "yeah sure",
    "cool cool cool",
    "great great great",
    "thanks for nothing",
    "thanks for ruining",
    "just what i needed",
    "#sarcasm",
    "#not",
    "so much for",
    "so much for nothing",
    "slow clap",
    "clap clap",
    "what a joke",
    "thanks a bunch",
    "oh joy",
    "real smooth",
)
_SARCASM_WEAK = (
    "thanks a lot",
    "oh great",
    "oh good",
    "way to go",
    "love how",
    "love it when",
    "love that",
    "gotta love",
    "got to love",
    "you have to love",
    "great job",
    "nice job",
    "good job",
    "well done",
    "bravo",
    "sure thing",
    "wow thanks",
    "great service",
    "brilliant service",
    "fantastic service",
    "lovely",
    "love waiting",
    "nothing like",
    "nice work",
    "good work",
    "great work",
    "thanks for",
)
# Questions that are complaints in disguise ("why is my flight delayed?").
_IDIOMS = (
    "can't wait",
    "cannot wait",
    "can not wait",
    "cant wait",
    "no problem",
    "no worries",
    "never disappoints",
    "never disappoint",
    "no doubt",
    "not only",
    "couldn't be happier",
    "could not be happier",
    "couldn't be more",
    "can't beat",
    "cannot beat",
    "can't go wrong",
    "don't miss",
)
# Phrases inside which a cue does not hold for decisions (the cue rules, the thank-you gate, what a user sees),
# though the shipped model's features, trained before them, still carry it: "so much for" is sarcasm ("so much
# for customer service") except in sincere thanks, "again" a thing broken again except in thanks, and thanks
# beyond words ("could never thank her enough") no negation.
_THANKS_SO_MUCH = (
    "thank you so much for",
    "thank u so much for",
    "thanks so much for",
    "thx so much for",
    "ty so much for",
)
_AGAIN_SINCERE = (
    "thanks again",
    "thank you again",
    "thank u again",
    "thx again",
    "ty again",
    "job again",
    "again soon",
)
_THANKS_BEYOND_WORDS = (
    "can't thank",
    "cant thank",
    "cannot thank",
    "can not thank",
    "couldn't thank",
    "could not thank",
    "never thank",
    "can't say enough",
    "cant say enough",
    "cannot say enough",
)
_WHY = ("why", "how come", "what happened", "what's up with", "whats up with", "what's going on", "wtf")
_SPAM = (
    "follow me",
    "follow back",
    "followback",
    "check out my",
    "free followers",
    "click here",
    "click the link",
    "giveaway",
    "win a",
    "win free",
    "dm me for",
    "promo code",
    "discount code",
    "earn $",
    "make money",
    "work from home",
    "crypto",
    "bitcoin",
    "forex",
    "onlyfans",
    "subscribe to my",
    "sub4sub",
)
# A question without "?" starts with a wh-word, or with an auxiliary followed by a subject ("can you ...");
# an auxiliary alone is too often an exclamation ("can't wait", "do not buy").
WH_WORDS = _words("how what why when where who whom whose which whats hows wheres")
AUXILIARIES = _words("can could is are am do does did will would should has have any")
SUBJECTS = _words("you u ya y'all anyone anybody someone somebody there it this that my i we they he she")
# The upside-down face (U+1F643) is irony ("they said they'd call, they didn't 🙃"), so it counts as negative.
_POS_EMOJI = re.compile(
    "[\u2764\u2665\u263a\U0001f600-\U0001f60d\U0001f617-\U0001f61d\U0001f642\U0001f917\U0001f929"
    "\U0001f44d\U0001f44f\U0001f64c\U0001f64f\U0001f389\U0001f38a\U0001f495-\U0001f49f\U0001f4af\u2728\U0001f970]"
)
_NEG_EMOJI = re.compile(
    "[\U0001f620-\U0001f62d\U0001f612\U0001f614\U0001f615\U0001f616\U0001f61e\U0001f61f\U0001f630-\U0001f631"
    "\U0001f92c\U0001f44e\U0001f4a9\U0001f926\U0001f937\U0001f644\U0001f611\U0001f610\U0001f494\U0001f643]"
)
_EMOTICON = re.compile(r"(?<!\S)(?:(?P<pos>:-?\)|:-?D|;-?\)|<3|\(:|=\))|(?P<neg>:-?\(|:'\(|:-?/|D:|:-?\|))(?!\S)")
# Waiting times are how polite complaints sound ("3 hours on hold... please help, thx").
_DURATION = re.compile(
    r"\b(?:\d+|an?|two|three|four|five|six|several|many|few)\s*\+?\s*"
    r"(?:hrs?|hours?|days?|weeks?|months?|mins?|minutes?|times)\b",
    re.IGNORECASE,
)
# The same on lowercased ASCII text, where ignoring case matches nothing more (outside ASCII it does: "ſ" is
# an "s"), without the case folding that makes the search twice as slow.
_DURATION_IN_LOWER_ASCII = re.compile(_DURATION.pattern)
# Every unit holds one of these: a text without any has no waiting time.
_DURATION_UNIT = re.compile("hr|hour|day|week|month|min|times")
# A few minutes after "in" or "within" is speed, not waiting: "fixed my order issue in 10 minutes", "install done
# in 40 min". For decisions only (the features keep the cue the model was trained on).
_QUICK_BEFORE = re.compile(r"\b(?:in|within)\s+(?:just\s+|under\s+|less than\s+)?$")
_MINUTES = re.compile(r"min", re.IGNORECASE)


# Thanks or praise for something that hurt: "thanks for losing my bag", "great job cancelling my flight".
_THANKS_FOR_HARM = re.compile(
    r"\b(?:thanks?|thank (?:you|u)|great job|nice job|good job|well done|way to go)\b[^.!?\n]{0,25}?"
    r"\b(?:losing|ruining|making me|cancell?ing|delaying|breaking|charging|overcharging|wasting|ignoring|"
    r"forgetting|stranding|bumping|leaving me|keeping me|destroying|damaging|screwing)\b",
    re.IGNORECASE,
)
# Praise in scare quotes: "thanks for the 'help'", "'fresh roasted' beans".
_SCARE_QUOTED = re.compile(
    r"(?:'|\"|\u2018|\u201c)(?:help|helpful|service|support|customer service|fresh|fresh roasted|premium|hot|"
    r"fast|quick|express|priority|on time|friendly|great|amazing)(?:'|\"|\u2019|\u201d)",
    re.IGNORECASE,
)


def text_cues(text: str, found: set[str], *, durations_wait: bool = True) -> None:
    """Emoji, emoticons and waiting times. Each regex runs only when a cheap test says it can match. With
    `durations_wait` false (the caller found every duration a quick one: `only_quick_durations`), no waiting
    time is read."""
    if not text.isascii():
        if _POS_EMOJI.search(text):
            found.add("emoji:positive")
        if _NEG_EMOJI.search(text):
            found.add("emoji:negative")
    if ":" in text or ";" in text or "<3" in text or "=)" in text:
        for match in _EMOTICON.finditer(text):
            found.add("emoji:positive" if match.lastgroup == "pos" else "emoji:negative")
    lower = text.lower()
    if durations_wait and _DURATION_UNIT.search(lower) and _has_duration(text, lower):
        found.add("complaint:waiting")
    if ("thank" in lower or "job" in lower or "well done" in lower or "way to go" in lower) and (
        _THANKS_FOR_HARM.search(text)
    ):
        found.add("sarcasm")
    if ("'" in text or '"' in text or "\u2018" in text or "\u201c" in text) and _SCARE_QUOTED.search(text):
        found.add("sarcasm")


def only_quick_durations(text: str) -> bool:
    """Every duration in `text` is a number of minutes right after "in" or "within" (its own words: "in just",
    "in under", "in less than")."""
    if not _MINUTES.search(text):
        return False
    for match in _DURATION.finditer(text):
        if not (
            _MINUTES.search(match.group())
            and _QUICK_BEFORE.search(text[max(0, match.start() - 20) : match.start()].lower())
        ):
            return False
    return True


def _has_duration(text: str, lower: str) -> bool:
    found = _DURATION_IN_LOWER_ASCII.search(lower) if text.isascii() else _DURATION.search(text)
    return found is not None


def _phrases() -> dict[str, Iterable[str]]:
    table: dict[str, Iterable[str]] = {
        "negation": NEGATIONS,
        "contrast": CONTRASTS,
        "_pos": POSITIVE_WORDS,
        "_thanks": THANKS_WORDS,
        "_neg": NEGATIVE_WORDS,
        "sarcasm": _SARCASM,
        "_why": _WHY,
        "_idiom": _IDIOMS,
        "_thanks_so_much": _THANKS_SO_MUCH,
        "_again_sincere": _AGAIN_SINCERE,
        "_thanks_beyond_words": _THANKS_BEYOND_WORDS,
        _NUISANCE_GROUP: NUISANCES,
        "_sarcasm_weak": _SARCASM_WEAK,
        "spam": _SPAM,
    }
    for kind, words in _COMPLAINT.items():
        table[f"complaint:{kind}"] = words
    for kind, words in _URGENT.items():
        table[f"urgent:{kind}"] = words
    return table


class CueMatcher:
    """Finds cue names in a Doc. Cheap enough to run on every mention (one PhraseMatcher pass)."""

    def __init__(self, nlp: Language) -> None:
        self.vocab = nlp.vocab
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for name, phrases in _phrases().items():
            self.matcher.add(name, [nlp.make_doc(p) for p in dict.fromkeys(phrases)])
        strings = nlp.vocab.strings
        self.wh_words = frozenset(strings.add(w) for w in WH_WORDS)
        self.auxiliaries = frozenset(strings.add(w) for w in AUXILIARIES)
        self.subjects = frozenset(strings.add(w) for w in SUBJECTS)
        self.negations = frozenset(strings.add(w) for w in NEGATIONS)
        self.positive = frozenset(strings.add(w) for w in POSITIVE_WORDS + THANKS_WORDS if " " not in w)
        self._skip: dict[int, bool] = {}

    def __call__(self, doc: Doc, lowers: list[int] | None = None) -> tuple[str, ...]:
        """The cue names the model's features are built from (and the weak labels of training)."""
        return self.both(doc, lowers)[0]

    def both(self, doc: Doc, lowers: list[int] | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the cue names of the features, the cue names decisions read): the second leaves out a cue whose
        every match lies inside a phrase that masks it for decisions (`_DECISION_MASKS`), and a waiting time
        whose every duration is a quick one ("in 10 minutes"); most often the same tuple. `lowers`
        (doc.to_array(LOWER) as a list) saves recomputing it."""
        strings = self.vocab.strings
        text = text_of(doc)
        matches = [(strings[m], start, end) for m, start, end in self.matcher(doc)]
        found, hidden = _cue_names(matches, asked="?" in text)
        if lowers is None:
            lowers = doc.to_array(LOWER).tolist()
        features = self._finish(set(found), text, lowers)
        quick = "complaint:waiting" in features and only_quick_durations(text)
        if not hidden and not quick:
            return features, features
        return features, self._finish(found - hidden, text, lowers, durations_wait=not quick)

    def _finish(self, found: set[str], text: str, lowers: list[int], *, durations_wait: bool = True) -> tuple[str, ...]:
        """The cues that are not phrase matches, then the cues that depend on others (`_resolve`)."""
        if "?" in text or self._starts_like_question(lowers):
            found.add("question")
        text_cues(text, found, durations_wait=durations_wait)
        if "negation" in found and "_pos" in found and self._negated_praise(lowers):
            found.add("_negpos")
        if "_sarcasm_weak" in found and ("..." in text or "\u2026" in text):
            found.add("sarcasm")
        if is_opt_out(text):
            found.add("opt_out")
        return _resolve(found)

    def _negated_praise(self, lowers: list[int]) -> bool:
        """A praise word within three tokens after a negation ("not great", "don't love")."""
        scope = 0
        for key in lowers:
            if scope and key in self.positive:
                return True
            scope = NEGATION_SCOPE if key in self.negations else max(0, scope - 1)
        return False

    def _starts_like_question(self, lowers: list[int]) -> bool:
        words = self._first_words(lowers, 2)
        if not words:
            return False
        if words[0] in self.wh_words:
            return True
        return words[0] in self.auxiliaries and len(words) > 1 and words[1] in self.subjects

    def _first_words(self, lowers: list[int], count: int) -> list[int]:
        skip = self._skip
        out: list[int] = []
        for key in lowers:
            is_skip = skip.get(key)
            if is_skip is None:
                word = self.vocab.strings[key]
                is_skip = word.startswith(("@", "#")) or not any(ch.isalnum() for ch in word)
                if len(skip) < 100_000:
                    skip[key] = is_skip
            if not is_skip:
                out.append(key)
                if len(out) == count:
                    break
        return out


def text_of(doc: Doc) -> str:
    """The original text: kept by the tweet tokenizer, since rebuilding doc.text costs more than the model."""
    text = doc.user_data.get(TEXT_KEY)
    return text if isinstance(text, str) else doc.text


# Phrase groups that hide a cue inside their span, for decisions only: group -> the cue hidden.
_DECISION_MASKS = {
    "_thanks_so_much": "sarcasm",
    "_again_sincere": "complaint:broken",
    "_thanks_beyond_words": "negation",
}
# Matched only to find a negated nuisance (`_negated_nuisances`); never a cue of their own.
_NUISANCE_GROUP = "_nuisance"
_MATCHED_NOT_CUES = frozenset({"_idiom", _NUISANCE_GROUP, *_DECISION_MASKS})


def _negated_nuisances(matches: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Spans that hide, for decisions, a negation that denies a nuisance and the nuisance's own cues: "no
    fuss", "not one bad bag", "not a single glitch", "didn't try to upsell". Said of a brand, being spared a
    nuisance is praise, not a grievance ("no refund" is: a refund is no nuisance). The features keep them."""
    nuisances = {(start, end) for name, start, end in matches if name in (_NUISANCE_GROUP, "_neg")}
    spans: list[tuple[str, int, int]] = []
    for name, start, _ in matches:
        if name != "negation":
            continue
        first = min((n for n in nuisances if start < n[0] <= start + NEGATION_SCOPE), default=None)
        if first is None:
            continue
        spans.append(("negation", start, first[1]))
        spans += [(cue, start, e) for cue, s, e in matches if start < s <= first[0] and e == first[1]]
    return spans


def _cue_names(matches: list[tuple[str, int, int]], *, asked: bool = False) -> tuple[set[str], set[str]]:
    """(the cue names matched, minus negations inside idioms that are not negations ("can't wait", "no
    problem"); those of them whose every match lies wholly inside a phrase that masks that cue for decisions, or
    inside a nuisance denied in a post that asks nothing: "no issues with the transfer?" asks about one)."""
    idiom_tokens = {i for name, start, end in matches if name == "_idiom" for i in range(start, end)}
    masks = [(_DECISION_MASKS[name], start, end) for name, start, end in matches if name in _DECISION_MASKS]
    if not asked:
        masks += _negated_nuisances(matches)
    found: set[str] = set()
    exposed: set[str] = set()
    for name, start, end in matches:
        if name in _MATCHED_NOT_CUES or (name == "negation" and start in idiom_tokens):
            continue
        found.add(name)
        if not any(name == hidden and s <= start and end <= e for hidden, s, e in masks):
            exposed.add(name)
    return found, found - exposed


def _resolve(found: set[str]) -> tuple[str, ...]:
    grievance = "_neg" in found or "emoji:negative" in found or any(c in COMPLAINT_CUES for c in found)
    # Praise next to a grievance reads as sarcasm to people ("love waiting 3 hours, great job"); a stock
    # phrase on its own ("great job!") is usually sincere.
    if grievance and ("_sarcasm_weak" in found or ("_pos" in found and "contrast" not in found)):
        found.add("sarcasm")
    if "_why" in found and "question" in found:
        found.add("question:why")
    return tuple(sorted(found))


def public(cues: Iterable[str]) -> tuple[str, ...]:
    """The cue names a user may see."""
    return tuple(c for c in cues if not c.startswith("_"))


COMPLAINT_CUES = frozenset(f"complaint:{k}" for k in _COMPLAINT) | frozenset(f"urgent:{k}" for k in _URGENT)
