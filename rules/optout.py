"""Opt-out: does a post ask us to stop contacting its author? Pure functions on text, no I/O.

A post opts its author out when it tells us in so many words to stop (replying, tagging, messaging) or to
leave them alone, in English, Spanish, German, French, Italian or Portuguese. Talk *about* opting out is not
a request: a question ("how do I unsubscribe?"), a conditional ("if I unsubscribe from politics..."), a
feature ("they should add an opt-out"), a code listing, someone else's quoted words, or "stop" aimed at the
product ("stop charging me twice").

How: the text is folded (case, accents, invisible characters, repeated letters, punctuation) into words and
separators. A phrase counts only when what precedes it in its clause addresses us ("please", "can you", "I
told you to") and what follows does not redirect it ("stop replying *with templates*"). Whether the post
was addressed to us at all (a mention or a reply, not a keyword match) is the caller's to check.

Every post is classified, so the common case is one search for the words a phrase starts with.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeAlias


@dataclass(frozen=True)
class OptOut:
    """The words that asked, as written (folded to lower case, without accents), and their language."""

    phrase: str
    language: str


def is_opt_out(text: str, *, language: str | None = None) -> bool:
    # Without a language the text alone is the cache's key (with a keyword, a tuple is built for every call).
    found = find_opt_out(text) if language is None else find_opt_out(text, language=language)
    return found is not None


# The classifier's cues, routing and the pipeline each ask about the same text in one batch.
@lru_cache(maxsize=2048)
def find_opt_out(text: str, *, language: str | None = None) -> OptOut | None:
    """The request to stop contact in `text`, if there is one. `language` (an ISO code such as "de" or
    "pt-BR") narrows the phrases to English and that language; without it every supported language is tried."""
    profile = _profile(language)
    folded = fold(text)
    if not profile.starts.search(folded):
        return None
    plain = _words(_unquote(html.unescape(folded) if "&" in folded else folded))
    words = squeeze(plain)
    present = frozenset(words.split(" "))
    tries = 0
    for lang in profile.languages:
        for rule in lang.rules:
            if rule.first_words.isdisjoint(present):
                continue
            for match in rule.pattern.finditer(words):
                if _fits(rule, _Context.around(words, match), lang, profile) and (not rule.lone or _lone_fits(plain)):
                    return None if _CODE.search(text) else OptOut(_as_written(plain, words, match), lang.code)
                tries += 1
                if tries == _MAX_TRIES:
                    return None
    return None


# A post that repeats a phrase thousands of times is not asking politely; looking at each would take seconds.
_MAX_TRIES = 50


# --- folding text ---------------------------------------------------------------------------------------

# Zero-width and bidi controls, soft hyphen, variation selectors, and the combining marks that NFKD splits
# accents into: "arrêtez" and "arretez", "st\u200bop" and "stop" are the same words.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufe00-\ufe0f"
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
_MARKS = (
    ("\u2019", "'"),
    ("\u2018", "'"),
    ("\u02bc", "'"),
    ("\u00b4", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u201e", '"'),
    ("\u00ab", '"'),
    ("\u00bb", '"'),
    ("\u2039", '"'),
    ("\u203a", '"'),
)
_URL = re.compile(r"(?:https?://|www\.)\S+")
_HANDLE = re.compile(r"@\w+")
# Forum names written u/someone or r/community: names, never words of a request.
_SLASH_NAME = re.compile(r"(?<![\w/])/?[ur]/[\w-]+")
_AT_ING = re.compile(r"@['-]?ing\b")  # "stop @ing me"
_NOT = re.compile(r"n't\b")
_PUNCTUATION = re.compile(r"[^\w\s]+|_+")
_QUESTION_MARKS = frozenset("?\u00bf\u061f")
_SENTENCE_ENDS = frozenset(".!;:\u2026|")
_CLAUSE_ENDS = frozenset(",()[]{}\u2014\u2013")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_SPACES = re.compile(r"\s+")
_SEPARATORS = frozenset({",", ".", "?"})


def fold(text: str) -> str:
    """Lower case, accents and invisible characters gone (full-width letters made plain), typographic quotes
    and apostrophes made ASCII."""
    if text.isascii():
        return text.lower()
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKD", text.casefold()))
    for mark, plain in _MARKS:  # str.translate would be ten times slower on these short texts
        text = text.replace(mark, plain)
    return text


def squeeze(words: str) -> str:
    """One letter for a run of the same letter: "stoooop" -> "stop" (the phrases are squeezed the same way)."""
    return _REPEATS.sub(r"\1", words)


def _words(folded: str) -> str:
    """Words separated by single spaces, with "," between clauses and "." or "?" after sentences."""
    text = _URL.sub(" ", folded) if "http" in folded or "www." in folded else folded
    if "@" in text:
        text = _HANDLE.sub(" ", _AT_ING.sub(" tagging ", text))
    if "u/" in text or "r/" in text:
        text = _SLASH_NAME.sub(" ", text)
    if "n't" in text:
        text = _NOT.sub("nt", text)
    text = _PUNCTUATION.sub(_separator, text.replace("\n", " . "))
    return " ".join(text.split())


def _separator(match: re.Match[str]) -> str:
    marks = set(match.group(0))
    if not marks.isdisjoint(_QUESTION_MARKS):
        return " ? "
    if not marks.isdisjoint(_SENTENCE_ENDS):
        return " . "
    return " , " if not marks.isdisjoint(_CLAUSE_ENDS) else " "


def _as_written(plain: str, words: str, match: re.Match[str]) -> str:
    """The matched words before squeezing (squeezing keeps every word, so word positions line up)."""
    first, last = words.count(" ", 0, match.start()), words.count(" ", 0, match.end())
    return " ".join(w for w in plain.split(" ")[first : last + 1] if w not in _SEPARATORS)


# Someone else's words in quotes are not a request to us; the author's own ("I said 'stop'") are.
_QUOTED = re.compile(r"\"([^\"\n]{1,300})\"|(?<!\w)'([^'\n]{1,300})'(?!\w)")
_SELF_SPEECH = re.compile(
    r"(?:\bi(?: have| ve)?(?: already| just| clearly)? (?:said|told you|told u|asked you|asked|wrote|typed|keep saying)"
    r"|\b(?:te|les|os|ya) (?:dije|he dicho)|\bich (?:habe |hab )?(?:euch |dir |ihnen )?(?:doch |schon )?"
    r"(?:gesagt|sagte)|\bje (?:vous|t) ai (?:deja )?dit|\bj ai dit|\b(?:ti|vi) ho (?:gia )?detto|\bho detto"
    r"|\b(?:eu )?(?:ja )?(?:disse|falei))\W*$"
)


def _unquote(folded: str) -> str:
    if '"' not in folded and "'" not in folded:
        return folded
    outside = _QUOTED.sub(" ", _HANDLE.sub(" ", folded))
    if not any(ch.isalnum() for ch in outside):
        return folded.replace('"', " ")  # the quote is the whole message

    def replace(match: re.Match[str]) -> str:
        before = folded[max(0, match.start() - 60) : match.start()].replace("'", " ")
        quoted = match.group(1) or match.group(2)
        return f" , {quoted} , " if _SELF_SPEECH.search(_SPACES.sub(" ", _PUNCTUATION.sub(" ", before))) else " . "

    return _QUOTED.sub(replace, folded)


# Code: fenced or inline, definitions, calls, arrows and brace lines. A listing that calls `.unsubscribe()`
# is not a person asking us anything.
_CODE = re.compile(
    r"```|`[^`\n]{1,200}`|\bdef \w+\s*\(|\bfunction\b\s*\w*\s*\(|=>|\w\.\w+\(|\w\(\)|^\s*[{}][\s;,)]*$|\{\s*$"
    r"|\);\s*$|\b(?:const|let|var) \w+\s*=|#include\b|^\s*import [\w.]+;?\s*$|^\s*from [\w.]+ import\b",
    re.MULTILINE,
)


# --- phrases --------------------------------------------------------------------------------------------

Tail = Literal["free", "bare", "filler"]


@dataclass(frozen=True)
class _Rule:
    """A phrase: the words it starts with, then `rest`.

    `tail` says what may follow it in its clause: "free" anything that does not redirect it, "bare" only
    words that keep it about us, "filler" only politeness (and then the rest of its sentence must be
    politeness too). `asks` says it may be phrased as a question ("can you stop replying?") rather than
    being cancelled by one ("unsubscribe?"). A `lone` phrase ("STOP") counts only as the whole post or in a
    post that talks about our replies."""

    starts: str
    pattern: re.Pattern[str]
    first_words: frozenset[str]
    tail: Tail
    asks: bool
    lone: bool


def _alt(words: str) -> str:
    """A regex alternation from "a|b c|d" with each choice squeezed like the text is."""
    return "(?:" + "|".join(squeeze(w.strip()) for w in words.split("|")) + ")"


def _word_set(words: str) -> frozenset[str]:
    return frozenset(squeeze(w) for w in words.split("|"))


def _rule(starts: str, rest: str = "", tail: Tail = "free", *, asks: bool = True, lone: bool = False) -> _Rule:
    """`rest` is a regex that follows the start directly (so it begins with a space or an optional comma)."""
    pattern = re.compile(rf"(?<!\S){_alt(starts)}(?:{squeeze(rest)})(?!\S)")
    first = frozenset(squeeze(s.strip()).split(" ")[0] for s in starts.split("|"))
    return _Rule(starts, pattern, first, tail, asks, lone)


@dataclass(frozen=True, eq=False)
class _Language:
    code: str
    rules: tuple[_Rule, ...]
    openers: str  # what may come before a request in its clause: "please", "can you", "I told you to"
    closers: str  # what may follow a whole-clause request: "please", "thanks", "ever again"
    redirects: frozenset[str]  # a word right after a request that narrows it to something else: "with", "if"


def _each(firsts: str, seconds: str) -> str:
    """Every first word followed by every second: the phrases start with both, which keeps the first look
    (on "never reply", not on every "never") cheap."""
    return "|".join(f"{a} {b}" for a in firsts.split("|") for b in seconds.split("|"))


_EN_NOUN_WORDS = (
    "replies|reply|responses|messages|dms|tags|mentions|pings|emails|e mails|mails|texts|notifications|notifs|"
    "spam|ads|promos|promotions|offers|deals|newsletters|marketing|tweets|bots|bot replies|automated replies|"
    "auto replies|automated messages|automated responses|surveys|survey|sms|text messages|calls"
)
_EN_NOUNS = _alt(_EN_NOUN_WORDS)
_EN_ADJ_WORDS = "any|more|your|these|those|all|this|the|automated|auto|bot|robot|canned|stupid|annoying|fake"
_EN_ADJ = f"(?:{_alt(_EN_ADJ_WORDS)} )*"
_EN_STOP = "stop|stahp|quit|cease|stop all"
_EN_CONTACTING = (
    "replying|responding|answering|messaging|pinging|tagging|mentioning|dming|dm ing|spamming|autoreplying|"
    "auto replying|auto responding|commenting|quote tweeting|replying back|responding back|writing back"
)
_EN_CONTACTING_SOMEONE = (
    "contacting|texting|emailing|e mailing|writing to|bothering|harassing|pestering|bugging|hounding|notifying|"
    "at ing|sending messages to|sending replies to|sending dms to|tweeting at|tweeting to"
)
_EN_OBJECT = r"(?:(?:to|at|on|under|in) )?(?:me|us|my \w+|our \w+|this|every \w+|all my \w+|everything i \w+)"
_EN_NEVER = "dont|do not|never|never ever|dont ever|do not ever|dont you ever|dont you dare|never again"
_EN_VERBS = "reply|respond|answer|message|text|email|e mail|contact|tag|ping|mention|dm|write|tweet|at"
_EN_LIST_KIND = _alt(
    "mailing|email|e mail|contact|marketing|spam|distribution|newsletter|sms|text|promo|promotional|advertising"
)
# "Remove me from the list" on an airline is the upgrade list: only a list of contacts, or "your list", counts.
_EN_CONTACT_LIST = (
    rf"(?:(?:your|ur|all your|all of your) (?:{_EN_LIST_KIND} )?lists?|(?:the|this|that|any|every|all) "
    rf"{_EN_LIST_KIND} lists?|(?:whatever|any|every|all) lists?"
    r"|(?:your|ur|this|the) (?:bot|replies|mentions|database|thread|newsletters?|mailings?))"
)

ENGLISH = _Language(
    code="en",
    rules=(
        _rule(_each(_EN_STOP, _EN_CONTACTING), f" {_EN_OBJECT}"),
        _rule(_each(_EN_STOP, _EN_CONTACTING), tail="bare"),
        _rule(_each(_EN_STOP, _EN_CONTACTING_SOMEONE), r" (?:me|us|my \w+)"),
        _rule(_each(_EN_STOP, "sending"), f" (?:(?:me|us) )?{_EN_ADJ}(?:text )?{_EN_NOUNS}"),
        _rule(_each("stop it|cut it out|knock it off|stop|enough|quit it", "with"), f" {_EN_ADJ}{_EN_NOUNS}"),
        _rule("leave me|leave us", r" (?:the (?:hell|fuck|heck|f) |completely )?alone"),
        _rule("leave me be"),
        _rule("leave me out|leave us out", rf" of {_EN_ADJ}(?:\w+ )?(?:{_EN_NOUNS}|mailing list|list|campaigns?)"),
        _rule(_each(_EN_NEVER, _EN_VERBS), " (?:(?:to|at|back to) )?(?:me|us)"),
        _rule(_each("dont|do not", "reply|respond|answer|reply back"), tail="bare"),
        _rule("no more|enough of|enough with", f" {_EN_ADJ}{_EN_NOUNS}", "filler", asks=False),
        _rule(_each("enough", _EN_ADJ_WORDS), f" {_EN_ADJ}{_EN_NOUNS}", "filler", asks=False),
        _rule(_each("enough", _EN_NOUN_WORDS), tail="filler", asks=False),
        _rule(
            _each("i dont|i do not|i never", "want"),
            r" (?:to hear from (?:you|u|you guys|you people|your \w+)"
            rf"|{_EN_ADJ}{_EN_NOUNS}|to be (?:tagged|contacted|messaged|mentioned|pinged|replied to)"
            rf"|(?:you|u|you guys) to {_alt(_EN_VERBS)}(?: (?:to|back to|at))?(?: me| us)?)",
        ),
        _rule("unsubscribe me|unsubscribe us|opt me out|opt us out"),
        _rule(
            "take me|take us|delete me|drop me|scratch me|cross me|remove me|remove us",
            rf" (?:off|from|out of) {_EN_CONTACT_LIST}",
        ),
        _rule("unsubscribe|opt out|optout|go away|get lost|buzz off", tail="filler", asks=False),
        _rule("stop|stop all", tail="filler", asks=False, lone=True),
    ),
    openers=(
        "please|pls|plz|plox|kindly|just|simply|ok|okay|k|so|now|seriously|srsly|honestly|hey|hi|hello|yo|oh|ah|"
        "ugh|omg|lol|lmao|ffs|wtf|god|man|dude|bro|mate|guys|folks|sir|bot|robot|dear|and|but|also|again|already|"
        "then|well|look|listen|yes|yeah|no|nope|sorry|thanks|thank you|ty|thx|for the last time|for the love of god|"
        "for gods sake|for fucks sake|once again|one more time|i said|i told you|i told you to|i ve told you|"
        "i ve told you to|i already told you|i already told you to|i already said|i asked you to|i ve asked you to|"
        "i already asked you to|i m asking you to|i am asking you to|i m begging you|i beg you|i beg you to|"
        "i need you to|i want you to|i would like you to|i d like you to|can you|could you|would you|will you|"
        "can u|could u|would u|will u|can you guys|could you guys|would you kindly|why wont you|why dont you|"
        "why cant you|you can|you may|you need to|you have to|you must|you should|you better|you d better|u can|"
        "u need to|you guys can|you guys need to|i m done|im done|i am done|enough|stop|just stop"
    ),
    closers=(
        "please|pls|plz|thanks|thank you|thx|ty|ok|okay|k|bot|robot|lol|lmao|ffs|omg|seriously|now|right now|"
        "already|immediately|asap|again|ever|ever again|forever|for good|anymore|any more|from you|from you guys|"
        "from your bot|to me|for me|i beg you|guys|folks|man|dude|bro|mate|sir|at all|whatsoever|period|for real"
    ),
    redirects=_word_set("with|like|when|whenever|if|unless|until|till|after|before|once|while|as|saying"),
)
# What may follow a bare "stop replying" / "don't reply" and keep it about us.
_EN_BARE_NEXT = _word_set(
    "me|us|my|our|here|please|pls|plz|now|already|anymore|again|ever|every|everytime|thanks|thank|thx|ty|"
    "ok|okay|bot|robot|lol|lmao|ffs|omg|seriously|immediately|asap|guys|folks|man|dude|bro|mate|you|u|i|im|its"
)
_PREPOSITIONS = frozenset({"to", "at", "on", "under", "in"})
_EN_AFTER_PREPOSITION = _word_set("me|us|my|our|this|these|every|all|any|everything|here")
# "stop spamming me with emails" still asks for no contact; "with templates" narrows it to a complaint.
_WITH_CONTACT = re.compile(rf"with (?:\w+ ){{0,2}}{_EN_NOUNS}(?!\S)")

_ES_ME = _alt(
    "responderme|contestarme|escribirme|etiquetarme|mencionarme|taguearme|arrobarme|molestarme|spamearme|"
    "contactarme|hacerme spam|mandarme \\w+|enviarme \\w+"
)
_ES_YOU = _alt(
    "respondas|responda|respondan|respondais|contestes|conteste|contesten|contesteis|escribas|escriba|escriban|"
    "escribais|etiquetes|etiquete|etiqueten|etiqueteis|menciones|mencione|mencionen|mandes|manden|envies|envien|"
    "molestes|moleste|molesten|contactes|contacte|contacten|taguees|tagueen"
)
_ES_NOUNS = _alt("respuestas|mensajes|notificaciones|etiquetas|menciones|correos|spam|tweets|dms")
SPANISH = _Language(
    code="es",
    rules=(
        _rule("deja de|dejen de|dejad de|deje de|para de|paren de|parad de|pare de", f" {_ES_ME}"),
        _rule("no me|nunca me|nunca mas me|no mas me", rf" {_ES_YOU}(?: (?:mas|nunca mas|jamas))?"),
        _rule("no vuelvas|no vuelvan|no volvais|no vuelva", f" a {_ES_ME}"),
        _rule("dejame|dejenme|dejadme|dejeme|deja me", " (?:en paz|tranquilo|tranquila)"),
        _rule(
            "no quiero",
            rf" (?:(?:mas|sus|tus|vuestras|vuestros|ninguna|ningun|recibir) )*{_ES_NOUNS}"
            r"| saber (?:nada )?(?:mas )?de (?:ustedes|vosotros|ti|usted)",
        ),
        _rule("dame|denme|dadme|deme", " de baja"),
        _rule("no mas|basta de|basta ya de|ya basta de|ni una|se acabaron las", f" {_ES_NOUNS}", "filler", asks=False),
    ),
    openers=(
        "por favor|porfa|porfavor|xfa|plis|ya|ya basta|basta|bot|oye|hey|hola|ok|vale|en serio|de una vez|y|pero|"
        "te pido que|les pido que|os pido que|quiero que|ya te dije que|ya les dije que|ya os dije que|"
        "te dije que|les dije que|os dije que|te he dicho que|les he dicho que|puedes|pueden|podrias|podrian|"
        "podeis|chicos|amigos|senores|por ultima vez|por dios"
    ),
    closers="por favor|porfa|gracias|ya|nunca mas|jamas|mas|bot|ok|de una vez|para siempre|de ustedes|de vosotros",
    redirects=_word_set("si|cuando|con|hasta"),
)

_DE_VERBS = _alt(
    "antworten|schreiben|markieren|taggen|erwahnen|erwaehnen|kontaktieren|nerven|spammen|belastigen|"
    "belaestigen|schicken|senden|anschreiben"
)
_DE_NOUNS = _alt(
    "antworten|nachrichten|markierungen|erwahnungen|erwaehnungen|mails|e mails|emails|tags|werbung|spam|dms|"
    "bot antworten|benachrichtigungen"
)
_DE_ME_TO = rf"(?: ,)? (?:mir|mich|uns)(?: \w+){{0,2}} zu {_DE_VERBS}"
GERMAN = _Language(
    code="de",
    rules=(
        _rule(
            "hor auf|hort auf|hoer auf|hoert auf|horen sie auf|hoeren sie auf|hor bitte auf|hort bitte auf|"
            "hor endlich auf|hort endlich auf|hor jetzt auf|hort jetzt auf|hor doch auf|hort doch auf",
            rf"(?: ,)?(?: (?:damit|bitte|endlich|jetzt))*{_DE_ME_TO}",
        ),
        _rule("aufhoren|aufhoeren", _DE_ME_TO),
        _rule("antworte|antwortet|antworten sie", " (?:mir|uns)(?: bitte)? (?:nicht|nie)(?: mehr| wieder)?"),
        _rule(
            "schreib|schreibe|schreibt|schreiben sie|markier|markiere|markiert|markieren sie|kontaktier|"
            "kontaktiere|kontaktiert|kontaktieren sie|erwahnt|erwaehnt|erwahne|erwaehne",
            " (?:mir|mich|uns)(?: bitte)? (?:nicht|nie) (?:mehr|wieder)",
        ),
        _rule(
            "lass mich|lasst mich|lassen sie mich|lasset mich|lass uns|lasst uns",
            "(?: (?:bitte|doch|einfach|endlich|jetzt|bloss|nur))* in (?:ruhe|frieden)",
        ),
        _rule("meldet mich|melde mich|melden sie mich|tragt mich|tragen sie mich", "(?: bitte)? (?:ab|aus)"),
        _rule(
            "ich will|ich mochte|ich moechte",
            r" (?:nichts mehr von (?:euch|ihnen|dir) (?:horen|hoeren|lesen)"
            rf"|keine {_DE_NOUNS} mehr|nicht mehr (?:markiert|kontaktiert|angeschrieben|erwahnt|erwaehnt) werden)",
        ),
        _rule("keine", rf" (?:weiteren )?{_DE_NOUNS} mehr", "filler", asks=False),
        _rule("bitte keine", rf" (?:weiteren )?{_DE_NOUNS}(?: mehr)?", "filler", asks=False),
        _rule(
            "nicht mehr|bitte nicht mehr",
            " (?:antworten|schreiben|markieren|taggen|kontaktieren)",
            "filler",
            asks=False,
        ),
        _rule("verschwinde|verschwindet|hau ab|haut ab", tail="filler", asks=False),
    ),
    openers=(
        "bitte|bot|hey|hallo|ok|okay|jetzt|endlich|einfach|doch|mal|echt|ernsthaft|nochmal|und|also|ja|leute|danke|"
        "ich habe euch gesagt|ich habe dir gesagt|ich habe ihnen gesagt|ich hab euch gesagt|ich hab dir gesagt|"
        "ich habe euch doch gesagt|ich hab euch doch gesagt|ich habe euch schon gesagt|ich sagte|ich sagte doch|"
        "ich bitte euch|ich bitte dich|ich bitte sie|konnt ihr|koennt ihr|konnen sie|koennen sie|kannst du|"
        "konntet ihr|koenntet ihr|konnten sie|koennten sie|wurdet ihr|wuerdet ihr|wurden sie|wuerden sie|"
        "zum letzten mal|verdammt|mensch|man"
    ),
    closers="bitte|danke|jetzt|sofort|endlich|mehr|nie mehr|nie wieder|ok|bot|fur immer|fuer immer",
    redirects=_word_set("wenn|falls|mit|bis|sobald|mal|seit|obwohl"),
)

_FR_VERBS = _alt(
    "repondre|taguer|tagger|identifier|mentionner|contacter|ecrire|spammer|harceler|relancer|deranger|embeter|"
    "notifier|suivre|envoyer des \\w+|envoyer vos \\w+|envoyer \\w+"
)
_FR_YOU = _alt(
    "repondez|reponds|ecrivez|ecris|contactez|contacte|taguez|tague|mentionnez|mentionne|identifiez|identifie|"
    "envoyez|envoie|relancez|relance|harcelez|harcele|spammez|derangez|derange"
)
_FR_NOUNS = _alt("reponses|messages|notifications|tags|mentions|spam|mails|emails|courriels|notifs")
FRENCH = _Language(
    code="fr",
    rules=(
        _rule(
            "arrete de|arretez de|arretes de|cesse de|cessez de|stop de|stoppez de|merci d arreter de",
            f" (?:me|m) {_FR_VERBS}",
        ),
        _rule("ne me|ne m", f" {_FR_YOU} (?:plus|jamais|plus jamais|pas|surtout pas)"),
        _rule("ne plus|ne jamais|ne plus jamais", f" (?:me|m) {_FR_VERBS}"),
        _rule("laissez moi|laisse moi|laissez nous|laisse nous", " (?:tranquille|tranquilles|en paix)"),
        _rule("fichez moi|fiche moi|foutez moi|fous moi|fichez nous|foutez nous", " la paix"),
        _rule("desabonnez moi|desinscrivez moi|desabonne moi|desinscris moi"),
        _rule(
            "retirez moi|supprimez moi|enlevez moi|retire moi|enleve moi|retirez nous",
            " (?:de|d) (?:votre liste|vos listes|ta liste|la liste de diffusion|votre newsletter|la newsletter)",
            "filler",
        ),
        _rule(
            "je ne veux plus|je ne veux pas",
            rf" (?:de vos {_FR_NOUNS}|recevoir (?:vos|de|des) \w+|etre (?:tague|taguee|contacte|contactee|"
            r"mentionne|mentionnee|identifie|identifiee)|entendre parler de vous|vous entendre|que vous me \w+)",
        ),
        _rule("plus de|plus jamais de|assez de|fini les|stop aux|stop les", f" {_FR_NOUNS}", "filler", asks=False),
        _rule("allez vous en|va t en|degage|degagez|casse toi|cassez vous", tail="filler", asks=False),
    ),
    openers=(
        "svp|s il vous plait|s il te plait|stp|bot|hey|he|ok|bon|allez|maintenant|serieusement|vraiment|franchement|"
        "et|mais|je vous ai dit de|je vous ai deja dit de|je t ai dit de|je t ai deja dit de|je vous demande de|"
        "je te demande de|pouvez vous|vous pouvez|tu peux|peux tu|pourriez vous|veuillez|priere de|merci de|"
        "c est bon|ca suffit|pour la derniere fois|bordel|putain|les gars|par pitie"
    ),
    closers=(
        "svp|s il vous plait|s il te plait|stp|merci|maintenant|desormais|a l avenir|jamais|plus jamais|ok|bot|"
        "bordel|pour toujours|definitivement"
    ),
    redirects=_word_set("si|quand|avec|sauf|tant"),
)

_IT_ME = _alt(
    "rispondermi|taggarmi|menzionarmi|scrivermi|contattarmi|spammarmi|infastidirmi|disturbarmi|importunarmi|"
    "citarmi|mandarmi \\w+|inviarmi \\w+"
)
_IT_NOT = (
    "rispondermi|rispondetemi|mi rispondere|scrivermi|scrivetemi|mi scrivere|taggarmi|taggatemi|mi taggare|"
    "menzionarmi|menzionatemi|contattarmi|contattatemi|mi contattare|disturbarmi|disturbatemi|mandarmi|mandatemi"
)
_IT_NOUNS = _alt("risposte|messaggi|tag|notifiche|menzioni|spam|email|mail")
ITALIAN = _Language(
    code="it",
    rules=(
        _rule(
            "smettila|smettetela|smetti|smettete|basta|piantala|piantatela|finiscila|finitela",
            f" (?:(?:di|a) )?{_IT_ME}",
        ),
        _rule("|".join(f"non {verb}" for verb in _IT_NOT.split("|")), "(?: (?:piu|mai piu|mai))?"),
        _rule("lasciami|lasciatemi|lasciateci|lasciaci", " (?:in pace|stare|perdere)"),
        _rule(
            "non voglio",
            rf" (?:piu )?(?:(?:le vostre|vostre|i vostri|vostri|altre|altri|ricevere) )*{_IT_NOUNS}"
            r"| (?:piu )?essere (?:taggato|taggata|contattato|contattata|menzionato|menzionata)"
            r"| (?:piu )?sentirvi",
        ),
        _rule("disiscrivetemi|disiscrivimi"),
        _rule(
            "cancellatemi|cancellami|toglietemi|toglimi|rimuovetemi|rimuovimi",
            " (?:dalla|dalle|dal|da) (?:vostra|vostre|tua|vostro) (?:lista|liste|mailing list|newsletter)",
            "filler",
        ),
        _rule(
            "basta|niente piu|niente|non piu|stop",
            rf" (?:con (?:le|i|questi|queste) )?{_IT_NOUNS}",
            "filler",
            asks=False,
        ),
        _rule("vattene|andatevene|sparisci|sparite", tail="filler", asks=False),
    ),
    openers=(
        "per favore|per piacere|perfavore|pf|grazie|bot|ehi|ok|ora|adesso|basta|davvero|seriamente|e|ma|"
        "vi ho detto di|vi ho gia detto di|ti ho detto di|ti ho gia detto di|vi chiedo di|ti chiedo di|vi prego di|"
        "ti prego di|potete|puoi|potreste|potresti|per l ultima volta|dai|cavolo|ragazzi"
    ),
    closers="per favore|grazie|piu|mai piu|ok|bot|ora|adesso|subito|per sempre|da ora in poi",
    redirects=_word_set("se|quando|con|finche"),
)

_PT_ME = _alt(
    "responder|marcar|mencionar|escrever|mandar|enviar|incomodar|contatar|contactar|encher|spammar|perturbar|chatear"
)
_PT_YOU = _alt(
    "responda|respondam|escreva|escrevam|marque|marquem|mencione|mencionem|mande|mandem|envie|enviem|contate|"
    "contatem|contacte|contactem|incomode|incomodem|perturbe|perturbem"
)
_PT_NOUNS = _alt("respostas|mensagens|marcacoes|mencoes|notificacoes|spam|emails|tweets")
PORTUGUESE = _Language(
    code="pt",
    rules=(
        _rule(
            "pare de|parem de|para de|parar de|pararem de|deixe de|deixem de|deixa de|chega de",
            f" (?:me {_PT_ME}|{_PT_ME} me)",
        ),
        _rule("nao me|nunca me|nunca mais me", rf" {_PT_YOU}(?: (?:mais|nunca mais))?"),
        _rule(
            "me deixe|me deixem|me deixa|deixe me|deixem me|deixa me|deixai me|me deixai",
            " (?:em paz|quieto|quieta|sossegado|sossegada)",
        ),
        _rule(
            "nao quero",
            rf" (?:mais )?(?:(?:suas|as suas|vossas|receber|nenhuma|nenhum|mais) )*{_PT_NOUNS}"
            r"| (?:mais )?ser (?:marcado|marcada|mencionado|mencionada|contatado|contatada|"
            r"contactado|contactada|respondido|respondida)| (?:mais )?saber de (?:voces|vcs|vc|voce)",
        ),
        _rule("me descadastre|me descadastrem|descadastre me|descadastrem me"),
        _rule(
            "me tire|me tirem|tire me|tirem me|me remova|me removam|remova me|removam me",
            " (?:da|das|do|dessa|desta) (?:sua |vossa )?(?:lista|listas|newsletter|mailing)",
            "filler",
        ),
        _rule("chega de|sem mais|nada de|basta de|chega", f" {_PT_NOUNS}", "filler", asks=False),
        _rule("vai embora|vao embora|sai daqui", tail="filler", asks=False),
    ),
    openers=(
        "por favor|pfv|pf|pfvr|porfavor|pls|obrigado|obrigada|bot|ei|oi|ok|agora|ja|serio|e|mas|"
        "ja disse para voces|ja disse pra voces|ja pedi para voces|ja pedi pra voces|ja falei pra voces|"
        "eu ja disse|eu ja pedi|ja pedi|ja disse|ja falei|ja pedi pra|ja pedi para|voces podem|vcs podem|voce pode|"
        "vc pode|podem|pode|poderiam|poderia|pelo amor de deus|gente|galera|caramba|porra"
    ),
    closers="por favor|pfv|pf|obrigado|obrigada|mais|nunca mais|ok|bot|agora|ja|pra sempre|para sempre",
    redirects=_word_set("se|quando|com|ate|ha|desde"),
)

LANGUAGES: dict[str, _Language] = {lang.code: lang for lang in (ENGLISH, SPANISH, GERMAN, FRENCH, ITALIAN, PORTUGUESE)}


@dataclass(frozen=True, eq=False)
class _Profile:
    """The languages to look for, with the searches built from their phrases."""

    languages: tuple[_Language, ...]
    starts: re.Pattern[str]  # any phrase's first words
    openers: re.Pattern[str]
    closers: re.Pattern[str]


@lru_cache(maxsize=32)
def _profile(language: str | None) -> _Profile:
    code = (language or "").replace("_", "-").split("-")[0].lower()
    langs: tuple[_Language, ...]
    if code in LANGUAGES:
        langs = (ENGLISH,) if code == "en" else (ENGLISH, LANGUAGES[code])
    else:
        langs = tuple(LANGUAGES.values())
    starts = {squeeze(s.strip()) for lang in langs for rule in lang.rules for s in rule.starts.split("|")}
    starts |= {s.replace("dont", "don t") for s in starts if "dont" in s}
    return _Profile(
        languages=langs,
        starts=_first_words_search(starts),
        openers=re.compile(rf"(?:{_alt('|'.join(lang.openers for lang in langs))} )*"),
        closers=re.compile(rf"(?:{_alt('|'.join(lang.closers for lang in langs))} )*"),
    )


def _first_words_search(phrases: set[str]) -> re.Pattern[str]:
    """Squeezed phrases as a trie on the unsqueezed text: a letter after the first may repeat ("stoooop") and
    words may be joined by any punctuation ("don't", "laissez-moi"). A search costs about the same however
    many phrases there are, since most places in the text are ruled out by their first letter."""
    return re.compile(r"\b" + _trie_pattern(_trie(phrases), first=True))


_Trie: TypeAlias = "dict[str, _Trie]"


def _trie(phrases: Iterable[str]) -> _Trie:
    root: _Trie = {}
    for phrase in sorted(phrases, key=len):
        node = root
        for char in phrase:
            if "" in node:
                break  # a shorter phrase already ends here, and finding that is enough
            node = node.setdefault(char, {})
        else:
            node.clear()
            node[""] = {}
    return root


def _trie_pattern(node: _Trie, *, first: bool = False) -> str:
    if "" in node:
        return ""
    # A plain first letter lets the regex engine skip a branch at once; "s+" would be tried in full.
    parts = [
        (r"[\W_]+" if char == " " else re.escape(char) + ("" if first else "+")) + _trie_pattern(child)
        for char, child in sorted(node.items())
    ]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


# --- deciding ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """Around a match: the words before it and after it in its clause, the other clauses of its sentence, and
    whether the sentence is a question."""

    before: str
    after: str
    others: tuple[str, ...]
    question: bool

    @classmethod
    def around(cls, words: str, match: re.Match[str]) -> _Context:
        start, end = match.span()
        before = words[max(0, start - _WINDOW) : start].split()
        after = words[end : end + _WINDOW].split()
        clause_start = _last_index(before, _SEPARATORS) + 1
        sentence_start = _last_index(before, {".", "?"}) + 1
        clause_end = _first_index(after, _SEPARATORS)
        sentence_end = _first_index(after, {".", "?"})
        others = before[sentence_start:clause_start] + after[clause_end:sentence_end]
        return cls(
            before=" ".join(before[clause_start:]),
            after=" ".join(after[:clause_end]),
            others=tuple(c.strip() for c in " ".join(others).split(",") if c.strip()),
            question=sentence_end < len(after) and after[sentence_end] == "?",
        )


def _last_index(tokens: list[str], wanted: set[str] | frozenset[str]) -> int:
    return next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i] in wanted), -1)


def _first_index(tokens: list[str], wanted: set[str] | frozenset[str]) -> int:
    return next((i for i, token in enumerate(tokens) if token in wanted), len(tokens))


_MAX_POLITE_WORDS = 12
_WINDOW = 300  # characters either side of a phrase that can matter: more than any polite clause


def _fits(rule: _Rule, context: _Context, lang: _Language, profile: _Profile) -> bool:
    if context.question and not rule.asks:
        return False
    if not (_polite(context.before, profile.openers) and _tail_fits(rule.tail, context.after, lang, profile)):
        return False
    if rule.tail == "filler" and not rule.lone:
        # "bot, go away" yes; "rain, rain, go away" or "ugh go away, I miss the sun" no.
        impolite = [c for c in context.others if not _polite(c, profile.openers)]
        names, rest = [c for c in impolite if " " not in c], [c for c in impolite if " " in c]
        return len(names) <= 1 and not rest
    return True


_ABOUT_CONTACT = re.compile(
    r"(?<!\S)(?:repl\w*|respon\w*|answer\w*|bots?|automated|auto\w*|tag\w*|messag\w*|dms?|ping\w*|mention\w*|"
    r"notif\w*|spam\w*|unsub\w*)(?!\S)"
)


_LONE_STOPS = (["stop"], ["stop", squeeze("all")])


def _lone_fits(plain: str) -> bool:
    """A lone "STOP" is the whole post, or comes in a post about our replies ("didn't ask for your reply, stop").
    `plain` is not squeezed: squeezed, "boot" would be a bot."""
    content = [w for w in squeeze(plain).split(" ") if w not in _SEPARATORS]
    return content in _LONE_STOPS or _ABOUT_CONTACT.search(plain) is not None


def _polite(words: str, pattern: re.Pattern[str]) -> bool:
    """Nothing, or only words from the opener (or closer) list: "please", "can you", "I told you to"."""
    if not words:
        return True
    return words.count(" ") < _MAX_POLITE_WORDS and pattern.fullmatch(words + " ") is not None


def _tail_fits(tail: Tail, after: str, lang: _Language, profile: _Profile) -> bool:
    if not after:
        return True
    if tail == "filler":
        return _polite(after, profile.closers)
    words = after.split(" ")
    if tail == "bare":
        if words[0] in _PREPOSITIONS:
            return len(words) > 1 and words[1] in _EN_AFTER_PREPOSITION
        if words[0] not in _EN_BARE_NEXT:
            return False
        if words[0] in ("me", "us"):
            words = words[1:]
    return not words or lang.redirects.isdisjoint(words[:1]) or bool(_WITH_CONTACT.match(" ".join(words)))
