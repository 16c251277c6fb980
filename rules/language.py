"""Language of a mention: a cheap English check first, then `lingua` (Apache-2.0; its models ship in the wheel).

Most mentions are English, and lingua costs about as much as the whole classifier, so a tweet with enough
words that exist only in English is English without asking it. A tweet with no words (handles, links, emoji,
numbers) is "und"; it is classified as usual. Language codes are ISO 639-1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rules.chunks import ChunkCache

SUPPORTED_LANGUAGES = ("en", "de", "es", "fr", "it", "pt")
UNDETERMINED = "und"
# Below this confidence lingua's answer for a short tweet is a guess; English (the desk's default) is kept
# when the tweet also has an English word.
MIN_CONFIDENCE = 0.5


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent English words that are not (common) words of de, es, fr, it, pt or nl.
_ENGLISH_ONLY = _words(
    "the and my you your is are were been have has had this that with for from what why how when where who which "
    "just can can't don't didn't doesn't isn't wasn't won't i'm i've it's im dont cant thanks thank thx please "
    "they their there them our ours she he his her him would could should any not but get got flight bag customer "
    "still waiting help order out about been being after again all because before did does know like need now "
    "only over said some than then these those through today too very want way well yes yet hours day days time "
    "back delayed never ever us we it of to at by if love great good best worst new just really thanks! awesome "
    "amazing sad hate bad nice fun guys going gonna wanna got lost card phone account money refund waiting late "
    "tomorrow tonight morning night week year home work thank-you appreciate sorry issue number call called let "
    "make made take took go went came see saw look looking say tell told give gave keep two three first last next "
    "more most much many every each other another same own little big long help! why? yeah yep nope "
)
# Function words of the other languages we meet most; one of them means "ask the model".
_FOREIGN = _words(
    "el los las del una unos por para pero muy gracias hola mi mis su sus es está estoy tengo nada que qué cuando "
    "donde porque también así hay le les des et est une je tu nous vous avec pour pas sur dans ce cette mais très "
    "merci bonjour sont être il ils elle du au aux der das und ist nicht ich du wir ihr sie mit von zu auf für "
    "ein eine einen dem des auch noch nur schon danke bitte aber il che di da della dei non sono ho hai grazie "
    "ciao anche più perché questo questa sei io noi voi não uma um os da dos das na nos nas obrigado obrigada "
    "você muito também mas por que het een en ik je niet wel maar ook dat voor zijn bij naar hoe wat dank ang mga "
    "sa ng yang dan ini itu tidak saya "
)
_WORD = re.compile(r"[^\W\d_][^\W\d_'’]*", re.UNICODE)
_HANDLE_OR_URL = re.compile(r"@\w+|#\w+|https?://\S+|www\.\S+")
# Scripts that name their language well enough for routing (none of them is supported, so "which one"
# matters less than "not one of ours"). Kana before Han: Japanese mixes both.
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u3400-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
)
# Any letter of those scripts: most non-ASCII tweets are Latin with emoji or curly quotes and have none.
_ANY_SCRIPT = re.compile("[" + "".join(script.pattern[1:-1] for _, script in _SCRIPTS) + "]")
_LETTER = re.compile(r"[^\W\d_]")

# Latin-script languages lingua chooses among (fewer candidates: faster and fewer confusions).
_LINGUA_LANGUAGES = tuple(
    sorted(
        _words(
            "ENGLISH GERMAN SPANISH FRENCH ITALIAN PORTUGUESE DUTCH CATALAN TAGALOG INDONESIAN "
            "POLISH TURKISH SWEDISH DANISH"
        )
    )
)


def quick_english(text: str) -> str | None:
    """'en' or 'und' when that is plain without a model, else None."""
    words, english, foreign = _word_counts(text)
    if not words:
        return UNDETERMINED
    if not foreign and (english or words <= 3):
        # An English-only word and no foreign function word (or too few words for any model): English.
        return "en"
    if english >= 3 and english >= 3 * foreign and english * 3 >= words:
        return "en"
    return None


def _word_counts(text: str) -> tuple[int, int, int]:
    """Words (handles and links left out), English-only words and foreign function words in `text`, added up
    over its whitespace-separated chunks: no handle, link or word crosses whitespace, and lowercasing does not
    look across it."""
    packed = sum(map(_PACKED_COUNTS.__getitem__, text.split()))
    return packed & _COUNT_MASK, packed >> _COUNT_BITS & _COUNT_MASK, packed >> 2 * _COUNT_BITS


def _packed_counts(chunk: str) -> int:
    """A chunk's three counts packed into one int, so that a text's are one C-level sum."""
    words = _WORD.findall(_HANDLE_OR_URL.sub(" ", chunk).lower())
    english = sum(map(_ENGLISH_ONLY.__contains__, words))
    foreign = sum(map(_FOREIGN.__contains__, words))
    return len(words) | english << _COUNT_BITS | foreign << 2 * _COUNT_BITS


_COUNT_BITS = 40  # room for 10^12 words in a text
_COUNT_MASK = (1 << _COUNT_BITS) - 1
_PACKED_COUNTS = ChunkCache(_packed_counts)


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _LINGUA_LANGUAGES]
    # Lazily loaded models cost 5-30 ms a call (measured: 28 ms on the demo's non-English tweets, 0.2-1.4 ms
    # preloaded) for about 90 MB more and ~4 s once, on the first mention that needs the model.
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def detect(texts: Sequence[str]) -> list[str]:
    """ISO 639-1 code per text ('und' when there are no words to judge)."""
    out: list[str] = []
    for text in texts:
        found = _by_script(text) or quick_english(text)
        out.append(found if found is not None else _lingua(text))
    return out


def _by_script(text: str) -> str | None:
    """The language of a non-Latin script that holds most of the letters, if any."""
    if text.isascii() or _ANY_SCRIPT.search(text) is None:
        return None
    letters = len(_LETTER.findall(text))
    counts = {code: len(script.findall(text)) for code, script in _SCRIPTS}
    if counts["ja"] and (counts["ja"] + counts["zh"]) * 2 > letters:
        return "ja"
    for code, count in counts.items():
        if count * 2 > letters:
            return code
    return None


def _lingua(text: str) -> str:
    cleaned = _HANDLE_OR_URL.sub(" ", text)[:1000]
    values = _detector().compute_language_confidence_values(cleaned)
    if not values:
        return UNDETERMINED
    best = values[0]
    code = str(best.language.iso_code_639_1.name).lower()
    if code != "en" and best.value < MIN_CONFIDENCE and any(w in _ENGLISH_ONLY for w in _WORD.findall(cleaned.lower())):
        return "en"
    return code


def is_supported(language: str) -> bool:
    return language == UNDETERMINED or language in SUPPORTED_LANGUAGES
