"""Urgency tiers with a reason a manager can read on the card.

critical: safety, injury, health, legal threats, fraud, data breaches, harassment, vulnerable customers;
high: lost money or items, cancellations, outages, locked accounts, stranded travellers;
medium: any other complaint (mild annoyance); low: questions, praise and the rest.
Reach (followers) moves a mention within its tier, never across (`rules/classifier.py: urgency_score`).
Lexicons cover en, de, es, fr, it and pt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from rules.chunks import ChunkCache

TIERS = ("low", "medium", "high", "critical")


class _Lexicon:
    """Patterns of one reason, and what opens their gate. Most mentions contain none of the words their patterns
    open with, and a set lookup is far cheaper than a regex search, so the regex runs only when the gate is open
    (`_Gates`).

    Every pattern opens with a literal (checked at import). One of a single word must have that word, cut to
    PREFIX characters, as the start of a word of the text (or a currency sign in it); one of several words
    ("in pain", "no one was hurt") must be in the lowercased text as it stands (looked for only when its first
    word opens a word of the text), since that first word alone ("in", "no") is in most mentions."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.pattern = _one_regex(patterns, re.IGNORECASE)
        # Ignoring case matches nothing more in lowercased ASCII text (outside ASCII it does: "ſ" is an "s"), and
        # costs the regex engine its quick first-letter checks: searches there are 2-3x faster without it.
        self.in_lower_ascii = _one_regex(patterns)
        if any(c.isupper() for c in re.sub(r"\\.", "", self.pattern.pattern)):
            raise ValueError(f"urgency patterns with capitals: {patterns!r}")
        prefixes: set[str] = set()
        phrases: set[str] = set()
        symbols: set[str] = set()
        for p in patterns:
            found = _LITERAL_OPENING.match(p)
            if found is None:
                raise ValueError(f"urgency pattern without a literal opening: {p!r}")
            if found.group(2):
                symbols.add(found.group(2))
                continue
            for literal in _gate_literals(p, found):
                if " " in literal.strip():
                    phrases.add(literal.lower())
                else:
                    prefixes.add(literal.lower().split()[0][:PREFIX])
        self.prefixes = frozenset(prefixes)
        self.symbols = tuple(symbols)
        # A phrase is looked for only when its first word opens a word of the text ("in pain": "in").
        self.phrases: dict[str, tuple[str, ...]] = {}
        for phrase in sorted(phrases):
            key = phrase.split()[0][:PREFIX]
            if len(key) < 2:  # _Gates has no one-letter openings: the phrase would never be looked for
                raise ValueError(f"urgency phrase opening with a one-letter word: {phrase!r}")
            self.phrases[key] = (*self.phrases.get(key, ()), phrase)

    def search(self, lower: str) -> bool:
        """Whether a pattern matches `lower` (the text, lowercased)."""
        pattern = self.in_lower_ascii if lower.isascii() else self.pattern
        return pattern.search(lower) is not None


def _one_regex(patterns: tuple[str, ...], flags: int = 0) -> re.Pattern[str]:
    """The patterns as one alternation, with the word boundary most of them open with asserted once: the
    regex engine then tries their alternatives only where a word starts (measured: 2-4x faster on the largest
    lexicons, same matches)."""
    at_word = [p.removeprefix(r"\b") for p in patterns if p.startswith(r"\b")]
    anywhere = [p for p in patterns if not p.startswith(r"\b")]
    alternatives = ([r"\b(?:" + "|".join(at_word) + ")"] if at_word else []) + anywhere
    return re.compile("|".join(alternatives), flags)


PREFIX = 6
_WORD_START = re.compile(r"[^\W_][\w'’]*")


# "can'?t (?:log|sign)" opens with "can't" or "cant"; "no (?:internet|wifi)" with "no internet" or "no wifi".
_OPTIONAL_APOSTROPHE = re.compile(r"^(?:\\b)?([a-z]+)'\?([a-z]+)( ?)")
_WORD_THEN_GROUP = re.compile(r"^(?:\\b)?([a-z]+ )\(\?:((?:[a-z -]+\|)*[a-z -]+)\)")


def _gate_literals(pattern: str, found: re.Match[str]) -> tuple[str, ...]:
    """What a text must contain for `pattern` to match, as narrowly as is cheap to say (see _Lexicon)."""
    apostrophe = _OPTIONAL_APOSTROPHE.match(pattern)
    if apostrophe:
        word, rest, space = apostrophe.groups()
        return (f"{word}'{rest}{space}", f"{word}{rest}{space}")
    group = _WORD_THEN_GROUP.match(pattern)
    if group:
        return tuple(group.group(1) + alternative for alternative in group.group(2).split("|"))
    literal = found.group(1)
    if pattern[found.end(1) : found.end(1) + 1] in ("?", "*", "{"):
        literal = literal[:-1]  # the last character is optional
    return (literal,)


_LITERAL_OPENING = re.compile(r"^(?:\\b)?([^\\()\[\]?*+|{}.^$]{3,})|^\\?([$£€])")


def _any(*patterns: str) -> _Lexicon:
    return _Lexicon(patterns)


_CRITICAL: tuple[tuple[str, _Lexicon], ...] = (
    (
        "injury",
        _any(
            r"\binjur",
            r"degree burn",
            r"\bburn(?:ed|t) (?:my|his|her|their|our)\b",
            r"\bgot burn(?:ed|t)\b",
            r"\bburns? (?:on|to) (?:my|his|her)",
            r"\bcut (?:my|his|her|their|our) (?:mouth|hand|finger|lip|foot|leg|arm|head|face)",
            r"\bbleed",
            r"\bblood\b(?! (?:is |was )?boil)",
            r"\bhospital",
            r"\bambulance",
            r"\bbroken? (?:my |his |her )?(?:arm|leg|wrist|ankle|nose|tooth|teeth)",
            r"\bhurt (?:my|his|her|their|our)\b",
            r"\bstitches\b",
            r"\bconcussion",
            r"\bmedicine",
            r"\bmedicin",
            r"\bverletz",
            r"\bherid[oa]",
            r"\bbless[ée]",
            r"\bferit[oa]",
            r"\bkrankenhaus",
            r"\bhospitali",
            r"\bospedale",
            r"\bfainted\b",
            r"\bunconscious\b",
            r"\bfractured (?:my|his|her|their|a|an)\b",
            r"\bfractures?\b",
            r"\bsprain",
            r"\bdislocat",
            r"\bwhiplash",
            r"\btwisted (?:my|his|her|their) (?:ankle|knee|wrist|back)",
            r"\bbroke (?:my|his|her|their) (?:arm|leg|wrist|ankle|nose|tooth|teeth|back|hip|finger|toe|jaw)",
            r"\bbroken bones?\b",
            r"\belectrocut",
            r"\belectric shock",
            r"\bknocked (?:me|him|her|us|them) (?:down|over|out)\b",
            r"\bhit by (?:a|an|the|your|their) (?:car|truck|van|bus|cart|trolley|bike|door)",
            r"\bfell on (?:me|my|him|his|her|us|our)\b",
            r"\bslipped and fell",
            r"\bfell down (?:the )?(?:stairs|steps|escalator)",
            r"\bchest pain",
            r"\bsevere pain",
            r"\bexcruciating pain",
            r"\bin (?:so much|a lot of|severe|terrible|excruciating|agonising|agonizing) pain",
            r"\bmoaning in pain",
            r"\bscreaming in pain",
            r"\bcrying in pain",
            r"\bfirst aid\b",
            r"\bnotarzt",
            r"\bnotaufnahme",
            r"\brettungswagen",
            r"\bkrankenwagen",
            r"\bambulancia",
            r"\bsamu\b",
            r"\bpompiers\b",
            r"\bpronto soccorso",
            r"\bambulanza",
            r"\bambul[aâ]ncia",
            r"\bpronto[- ]socorro",
        ),
    ),
    (
        "safety",
        _any(
            r"\bcaught fire\b",
            r"\bon fire\b",
            r"\bfire (?:alarm|hazard)\b",
            r"\bsmoke (?:in|from|coming)\b",
            r"\bexplod",
            r"\bunsafe\b",
            r"\bbreach in protocol",
            r"\bsecurity measures",
            r"\bgas spill",
            r"\bgas leak",
            r"\blightning",
            r"\bavionics",
            r"\bundercarriage",
            r"\bemergency",
            r"\bdangerous\b",
            r"\bglass in\b",
            r"\bshard",
            r"\bcarbon monoxide",
            r"\bbattery (?:swell|swollen|bulg|expand|overheat|melt|leak)",
            r"\bswollen battery",
            r"\bbrakes (?:failed|failing|gave out|went out|stopped working|didn'?t work)",
            r"\bbrake failure",
            r"\bbrakes on (?:the |my |our |a |an )?[a-z ]{1,25}(?:failed|gave out|went out|stopped working)",
            r"\bsteering (?:failed|failing|failure|gave out|went out|stopped working|didn'?t work)",
            r"\bgas leak",
            r"\bsafety (?:issue|hazard|risk|concern)",
            r"\bnot safe\b",
            r"\bemergency landing",
            r"\bincendi",
            r"\bfeuer\b",
            r"\bgef[äa]hrlich",
            r"\bpeligros",
            r"\bdangereu",
            r"\bpericolos",
            r"\bsmoke alarm",
            r"\bsmoke detector",
            r"\bgas smell",
            r"\bexposed wir",
            r"\bstuck in (?:the |a |an )?(?:lift|elevator)",
            r"\bcrashed into\b",
            r"\bcar (?:accident|crash)",
            r"\bcollision\b",
            r"\bderail",
            r"\balmost (?:crashed|got hit|got killed|hit (?:me|us|my|a|another)|ran (?:me|us) over|run (?:me|us) over)",
            r"\bnearly (?:crashed|got hit|got killed|hit (?:me|us|my|a|another)|ran (?:me|us) over|run (?:me|us) over)",
            r"\bcould(?: have|'ve) been (?:killed|seriously (?:hurt|injured))",
            r"\bdrunk (?:driver|driving|pilot|crew|captain|flight attendant|staff)",
            r"\bdriving drunk",
            r"\bdrink[- ]driv",
            r"\breckless(?:ly)? driv",
            r"\bran (?:a|the) red light",
            r"\bpull(?:ed|s|ing)? a (?:gun|knife)",
            r"\bgun (?:on|at|to) (?:me|us|him|her|my|his|the)\b",
            r"\bknife (?:on|at|to) (?:me|us|him|her|my|his|the)\b",
            r"\bfire exits? (?:was |were |is |are )?(?:blocked|locked)",
            r"\bsafety (?:of (?:passengers|customers|my|our|the passengers)|is at risk|at risk)",
            r"\bconcerned (?:about|for) (?:the |my |our |his |her |their )?safety",
            r"\brisks? to (?:\w+ )?safety",
            r"\bkidnap",
            r"\babduct",
            r"\btrafficking\b",
            r"\bsuicid",
            r"\bself[- ]harm",
            r"\bheat ?stroke",
            r"\bheat exhaustion",
        ),
    ),
    (
        "health",
        _any(
            r"\ballerg",
            r"\banaphyla",
            r"\bfood poisoning",
            r"\blive (?:frog|insect|mouse|rat|cockroach|worm)",
            r"\bcockroach",
            r"\bmaggot",
            r"\bbaby (?:formula|food|milk)\b[^.!?]{0,40}\b(?:specks?|bits|pieces|particles|foreign|contaminat|mou?ld|"
            r"bugs?|insects?|metal|plastic|glass|hair)",
            r"\binfant (?:formula|food|milk)\b[^.!?]{0,40}\b(?:specks?|bits|pieces|particles|foreign|contaminat|mou?ld|"
            r"bugs?|insects?|metal|plastic|glass|hair)",
            r"\bsold to (?:children|kids|minors)",
            r"\bpoison",
            r"\bsick (?:from|after)\b",
            r"\bthrew up\b",
            r"\bvomit",
            r"\bmedical\b",
            r"\bmedication",
            r"\binsulin",
            r"\bseizure",
            r"\bheart attack",
            r"\bcan'?t breathe",
            r"\bepipen",
            r"\bmold\b|\bmould\b",
            r"\bintoxica",
            r"\bfood poison",
            r"\bbed ?bugs?\b",
            r"\bsalmonella",
            r"\blisteria",
            r"\bdiarrh",
            r"\bdroppings\b",
            r"\bthrowing up\b",
            r"\basthma attack",
            r"\bfood safety",
            r"\bvergift",
            r"\bintoxication",
        ),
    ),
    (
        "legal threat",
        _any(
            r"\bsue\b",
            r"\bsuing\b",
            r"\blawyer",
            r"\battorney",
            r"\blegal action",
            r"\blawsuit",
            r"\bcourt\b",
            r"\bsmall claims",
            r"\bformal complaint",
            r"\bdispute resolution",
            r"\bliable\b",
            r"\bfalse advertising",
            r"\bfake advertising",
            r"\bclass action",
            r"\breport(?:ing|ed)? (?:you|this|it) to\b",
            r"\bbbb\b",
            r"\bftc\b",
            r"\bfcc\b",
            r"\bcfpb\b",
            r"\bombudsman",
            r"\btrading standards",
            r"\bconsumer protection",
            r"\bsee you in court",
            r"\bcontact(?:ing)? (?:my|a) (?:lawyer|solicitor|attorney)",
            r"\babogad",
            r"\bdemandar",
            r"\bdenunci",
            r"\banwalt",
            r"\bklage\b|\bverklagen",
            r"\bavocat",
            r"\bporter plainte",
            r"\bavvocat",
            r"\badvogad",
            r"\bprocessar",
            r"\bprocon\b",
            r"\bsued\b",
            r"\bpress(?:ing|ed)? charges",
            r"\bgdpr\b",
            r"\bdata protection (?:act|law|breach|complaint|officer)",
            r"\bcivil rights",
            r"\bhuman rights",
            r"\blitigation",
            r"\blegal(?:ly)? (?:liable|responsible)",
            r"\bviolat(?:ed|ion of|ing|es) (?:my|our|the) (?:rights|contract|law)",
            r"\bstrafanzeige",
            r"\bverbraucherzentrale",
            r"\bprofeco\b",
            r"\bmise en demeure",
            r"\bdgccrf\b",
            r"\bcodacons\b",
        ),
    ),
    (
        "fraud",
        _any(
            r"\bfraud",
            r"\bscam",
            r"\bunauthori[sz]ed",
            r"\bdidn'?t authori[sz]e",
            r"\bhacked",
            r"\bphishing",
            r"\bhack",
            r"\bnew login",
            r"\bsomeone (?:i don'?t know )?is using my",
            r"\btrying to sign into",
            r"\brandomly reset my password",
            r"\bquelqu'un a pay",
            r"\bnot me who",
            r"\bidentity theft",
            r"\bstolen (?:card|identity|account|details)",
            r"\bsomeone (?:used|accessed|hacked)",
            r"\bcharges? i (?:didn'?t|did not|never) make",
            r"\bnot recogni[sz]e (?:this|the|a) (?:charge|payment)",
            r"\bfraude",
            r"\bestafa",
            r"\bbetrug",
            r"\barnaque",
            r"\btruffa",
            r"\bgolpe\b",
            r"\bcharges? (?:i|that i) (?:don'?t|do not) recogni[sz]e",
            r"\bstole (?:my|our) (?:card|identity|account|details|money)",
            r"\bcharges? (?:on|to) (?:my|our) \w+ (?:that )?i (?:didn'?t|did not|never) make",
            r"\bpayments? (?:that )?i (?:didn'?t|did not|never) make",
            r"\btransactions? (?:that )?i (?:didn'?t|did not|never) make",
            r"\bphish",
            r"\bscammer",
            r"\bfraudster",
            r"\bspoof(?:ed|ing)\b",
            r"\bsim swap",
            r"\bported (?:my|our) number",
            r"\bsteal(?:ing)? (?:my|our) "
            r"(?:phone number|number|identity|account|card|details|information|info|data|password)",
            r"\bstole (?:my|our) (?:phone number|number|information|info|data|password)",
            r"\bstolen (?:my|our) "
            r"(?:phone number|number|identity|account|card|details|information|info|data|money|password)",
            r"\bunrecogni[sz]ed (?:charge|payment|transaction|purchase)",
            r"\bunknown (?:charge|payment|transaction)",
            r"\bmystery (?:charge|payment)",
            r"\bsomeone (?:took over|got into|logged into|has access to|is logging into)",
            r"\bgehackt",
            r"\bbetr[üu]ger",
            r"\bidentit[äa]tsdiebstahl",
            r"\brobo de identidad",
            r"\bsuplantaci",
            r"\bescroc",
            r"\bescroquer",
            r"\bpiratage",
            r"\busurpation d'identit",
        ),
    ),
    (
        "data breach",
        _any(
            r"\bdata breach",
            r"\bbreach of (?:my )?(?:data|privacy)",
            r"\bleak(?:ed|ing)? (?:my|our|customer)",
            r"\bexposed (?:my|our|customer)",
            r"\bpersonal (?:data|information|details) (?:was |were )?(?:leaked|exposed|shared|visible)",
            r"\bprivate (?:data|information|details) (?:was |were )?(?:leaked|exposed|shared|visible)",
            r"\bsomeone else'?s (?:account|order|details|data)",
            r"\bsomeone else'?s (?:passport|address|card|id|information|info|phone number|photos?)",
            r"\banother (?:customer|person|passenger|user|guest|patient)'?s (?:passport|details|data|address|account|"
            r"information|info|id|card|phone number|photos?|records?)",
            r"\bother (?:customer|person|passenger|user|guest|patient)'?s (?:passport|details|data|address|account|"
            r"information|info|id|card|phone number|photos?|records?)",
            r"\bdatenleck",
            r"\bfuga de datos",
            r"\bsecurity (?:flaw|hole|vulnerability|bug)",
            r"\bprivacy (?:breach|violation|leak)",
            r"\bviolat(?:ed|ion of|ing) (?:my |our )?privacy",
            r"\bdata (?:leak|exposure)",
            r"\bdoxx",
            r"\bother (?:people|customers|users)'?s? (?:data|details|orders|accounts|information|info|addresses|names)",
        ),
    ),
    (
        "harassment",
        _any(
            r"\bracis",
            r"\bharass",
            r"\bdiscriminat",
            r"\bagresi",
            r"\bsegregaci",
            r"\bdescrimina",
            r"\bkicked (?:us |me )?out for being",
            r"\binappropriately",
            r"\bassault",
            r"\bsexual",
            r"\bthreaten(?:ed|ing) me",
            r"\bthreaten(?:ed|ing) (?:us|him|her|my|to (?:hit|kill|hurt|beat|attack|shoot|stab|punch|harm))",
            r"\bdeath threat",
            r"\bracial",
            r"\bhomophob",
            r"\btransphob",
            r"\bsexis",
            r"\bmisogyn",
            r"\bxenophob",
            r"\banti-?semit",
            r"\bislamophob",
            r"\bslurs? (?:at|against|toward|towards)\b",
            r"\bbullied\b",
            r"\bbullying\b",
            r"\bverbally abus",
            r"\bphysically abus",
            r"\bstalker",
            r"\bstalk(?:ed|ing) (?:me|us|my|her|him)\b",
            r"\battacked (?:me|us|him|her|my)\b",
            r"\bpunched (?:me|us|him|her|my)\b",
            r"\bshoved (?:me|us|him|her|my)\b",
            r"\bslapped (?:me|us|him|her|my)\b",
            r"\bgroped\b",
            r"\btouched (?:me|her|my (?:wife|daughter|girlfriend|partner))\b",
            r"\bgrabbed (?:me|her|my (?:wife|daughter|girlfriend|partner))\b",
            r"\bfollowed (?:me|us|her|my (?:wife|daughter|son|kid|girlfriend|partner)) (?:to|out|home|around|into)\b",
            r"\bcomments? about (?:my|her) (?:body|chest|breasts|legs|appearance|figure)",
            r"\bcatcall",
            r"\bspat (?:on|at) (?:me|us|him|her|my)\b",
            r"\bfor being "
            r"(?:white|black|brown|muslim|jewish|gay|lesbian|trans|asian|disabled|a woman|a girl|pregnant)\b",
            r"\bbecause (?:we|i|he|she|they) (?:are|am|is|was|were|'re|'m) "
            r"(?:white|black|brown|muslim|jewish|gay|trans|asian|disabled)\b",
            r"\baggressive (?:man|woman|passenger|driver|guy|customer|staff|employee|agent|crew|behaviour|behavior)",
            r"\bthreatening (?:man|woman|passenger|driver|guy|customer|staff|employee|agent|crew|behaviour|behavior)",
            r"\bviolent (?:man|woman|passenger|driver|guy|customer|staff|employee|agent|crew|behaviour|behavior)",
            r"\babusive (?:man|woman|passenger|driver|guy|customer|staff|employee|agent|crew|behaviour|behavior)",
            r"\bdrunken (?:man|woman|passenger|driver|guy|customer|staff|employee|agent|crew|behaviour|behavior)",
            r"\bbel[äa]stig",
            r"\brassis",
            r"\bacoso\b",
            r"\bharc[eè]lement",
            r"\bmolesti",
            r"\bass[ée]dio",
        ),
    ),
)
# Words that mean danger in a complaint but are common in chatter that names a brand ("the fire in the Ashes",
# "cut myself off"): critical only when the model also sees a complaint.
_CRITICAL_WHEN_TROUBLED: tuple[tuple[str, _Lexicon], ...] = (
    (
        "injury",
        _any(
            r"\bscald",
            r"\bburn(?:ed|t|s)? (?:him|her|me|us|them)\b",
            r"\bspilled (?:hot|boiling)",
            r"\bhot (?:coffee|tea|water|soup) (?:on|over|all over)",
            r"\bboiling (?:coffee|tea|water|soup) (?:on|over|all over)",
            r"\bslipped (?:on|and)",
            r"\bin pain\b",
            r"\bparamedic",
            r"\bchoking",
            r"\bcut (?:myself|himself|herself)",
            r"\btripped (?:over|on)\b",
            r"\bschmerz",
            r"\bdolor\b",
            r"\bdouleur",
            r"\bdolore\b",
            r"\burgencias\b",
            r"\burgences\b",
            r"\bunfall",
        ),
    ),
    (
        "safety",
        _any(
            r"\bsparks? (?:came|coming|flying)",
            r"\boverheat",
            r"\bmelted\b",
            r"\bsmell(?:s|ed)? (?:of )?(?:gas|burning|smoke)",
            r"\bturbulence (?:injur|hurt)",
            r"\bunsecured",
            r"\bfire (?:in|on board|onboard|broke out)\b",
            r"\bsmall fire\b",
            r"\bfilled with smoke",
            r"\bfull of smoke",
            r"\bbrakes? (?:failed|fail|not working)",
            r"\bmetal (?:in|piece|shard)",
            r"\bplastic (?:in (?:my|the) (?:food|meal|drink|burger|sandwich))",
            r"\bforeign object",
            r"\bfumes\b",
            r"\bsparking\b",
            r"\bfirearm",
            r"\brifle\b",
            r"\bhandgun",
            r"\bpistol\b",
            r"\bcollapsed\b",
            r"\btrapped (?:in|on|inside)\b",
            r"\bstalking\b",
            r"\bbomb\b",
            r"\bsecurity risk",
            r"\bmy safety\b",
            r"\bhis safety\b",
            r"\bher safety\b",
            r"\btheir safety\b",
            r"\bpassenger safety",
            r"\bpassengers' safety",
            r"\bcustomer safety",
            r"\bhumo\b",
            r"\bfuego\b",
        ),
    ),
    (
        "health",
        _any(
            r"\bgot sick\b",
            r"\bmade (?:me|us|him|her|my \w+) (?:sick|ill)",
            r"\bbug in (?:my|the) (?:food|meal|salad|drink)",
            r"\bhair in (?:my|the) (?:food|meal)",
            r"\bexpired (?:food|milk|meat|medicine)",
            r"\braw (?:chicken|meat|pork)",
            r"\bundercooked",
            r"\bmedizin",
            r"\bintoxicaci",
            r"\basthma",
            r"\bwheez",
            r"\bstomach (?:bug|cramps)",
            r"\bdehydrat",
            r"\brodent",
            r"\bmice\b",
            r"\bmoldy\b",
            r"\bmouldy\b",
            r"\bchoked on\b",
            r"\bhives\b",
        ),
    ),
    (
        "legal threat",
        _any(
            r"\blegal (?:action|advice|team|proceedings)",
            r"\bsolicitor",
            r"\bregulator",
            r"\bofcom\b",
            r"\bdot complaint",
            r"\bdatenschutz",
            r"\bdemanda\b",
        ),
    ),
    (
        "fraud",
        _any(
            r"\bcompromised",
            r"\bsomeone (?:else )?(?:has |had )?(?:bought|ordered|logged|changed|made)",
            r"\bnever (?:ordered|authori[sz]ed|made (?:this|that|these))",
            r"\bfake (?:email|text|sms|call|website|site|account)",
            r"\bimpersonat",
            r"\bcloned\b",
            r"\bposing as\b",
            r"\bpretend(?:ing|ed)? to be (?:you|from)\b",
            r"\bpiraté",
        ),
    ),
    (
        "data breach",
        _any(
            r"\bpersonal (?:info|information|data|details)\b",
            r"\bmy privacy\b",
            r"\bsecurity breach",
            r"\bleaked\b",
            r"\bcan see (?:other|someone|another)",
        ),
    ),
    (
        "harassment",
        _any(
            r"\bintimidat",
            r"\bpick(?:ing|ed)? on (?:me|us)\b",
        ),
    ),
)
# Grief and abuse at home are critical whatever else the post says ("do you still have bereavement fares?").
_VULNERABLE_ALWAYS = _any(
    r"\bbereave",
    r"\bpassed away",
    r"\bmother (?:has |had |just )?(?:died|passed)",
    r"\bmom (?:has |had |just )?(?:died|passed)",
    r"\bmum (?:has |had |just )?(?:died|passed)",
    r"\bfather (?:has |had |just )?(?:died|passed)",
    r"\bdad (?:has |had |just )?(?:died|passed)",
    r"\bhusband (?:has |had |just )?(?:died|passed)",
    r"\bwife (?:has |had |just )?(?:died|passed)",
    r"\bson (?:has |had |just )?(?:died|passed)",
    r"\bdaughter (?:has |had |just )?(?:died|passed)",
    r"\bgrand\w* (?:has |had |just )?(?:died|passed)",
    r"\bbrother (?:has |had |just )?(?:died|passed)",
    r"\bsister (?:has |had |just )?(?:died|passed)",
    r"\bchild (?:has |had |just )?(?:died|passed)",
    r"\bbaby (?:has |had |just )?(?:died|passed)",
    r"\bpartner (?:has |had |just )?(?:died|passed)",
    r"\bfuneral",
    r"\bverstorben",
    r"\bbeerdigung",
    r"\bfalleci",
    r"\bdécès",
    r"\bdécédé",
    r"\bobsèques",
    r"\bfalec",
    r"\babusive (?:marriage|relationship|partner|ex|husband|wife|boyfriend|girlfriend)",
    r"\bdomestic (?:abuse|violence)",
    r"\bmy abuser\b",
)
# Otherwise a vulnerable customer is critical only when something has gone wrong ("how do I book a wheelchair?"
# is low).
_VULNERABLE = _any(
    r"\bwheelchair",
    r"\bdisabilit",
    r"\bdisabled\b",
    r"\belderly\b",
    r"\bunaccompanied minor",
    r"\bchild (?:alone|stranded|left)",
    r"\bkid (?:alone|stranded|left)",
    r"\bdaughter (?:alone|stranded|left)",
    r"\bblind\b",
    r"\bdeaf\b",
    r"\bpregnant",
    r"\bsilla de ruedas",
    r"\brollstuhl",
    r"\bfauteuil roulant",
    r"\bsedia a rotelle",
    r"\bcadeira de rodas",
    r"\btravel(?:l)?ing alone",
    r"\bflying alone",
    r"\bunaccompanied",
    r"\byear old (?:is |was )?(?:alone|stranded|left|lost|missing)",
    r"\byr old (?:is |was )?(?:alone|stranded|left|lost|missing)",
    r"\bautis",
    r"\bcancer (?:treatment|patient|surgery|trtmnt)",
    r"\bchemo\b",
    r"\bchemotherapy",
    r"\bsurgery\b",
    r"\boxygen mask",
    r"\bdementia",
    r"\balzheimer",
    r"\bspecial needs",
    r"\bunaided\b",
    r"\byear old (?:gets to |has to |had to |will |must |would )?(?:sit|fly|travel)(?:s|ing)? alone",
    r"\byr old (?:gets to |has to |had to |will |must |would )?(?:sit|fly|travel)(?:s|ing)? alone",
    r"\bmental health",
    r"\bpanic attack",
    r"\bhard of hearing",
    r"\bvisually impaired",
    r"\bguide dog",
    r"\bservice (?:dog|animal)",
    r"\bmobility (?:scooter|aid|issues|impaired)",
    r"\bepilep",
    r"\bheart condition",
    r"\bpacemaker",
    r"\bschwanger",
    r"\bembarazada",
    r"\bdiscapacidad",
    r"\bhandicapé",
)
_HIGH: tuple[tuple[str, _Lexicon], ...] = (
    (
        "lost money",
        _any(
            r"\brefund",
            r"\bcharg(?:ed|ing) (?:me )?(?:twice|double|again|for)",
            r"\bdouble[- ]charged",
            r"\bovercharg",
            r"\bbilled\b",
            r"\bbilling",
            r"\bmy money\b",
            r"\bpaid for\b",
            r"\bpaid \$",
            r"\$\d",  # hint: "$"
            r"£\d",  # hint: "£"
            r"€\d",  # hint: "€"
            r"\bcompensat",
            r"\breimburs",
            r"\bwrong (?:amount|charge)",
            r"\bcharged\b",
            r"\breembols",
            r"\bcobr",
            r"\bdevoluci",
            r"\berstatt",
            r"\babgebucht",
            r"\bgeld zur[üu]ck",
            r"\brembours",
            r"\bprélev",
            r"\bprelev",
            r"\brimbors",
            r"\baddebit",
            r"\bestorno",
            r"\bpaid (?:for|full|twice|again|\d|my|the)",
            r"\bpayed (?:for|full|twice|again|\d|my|the)",
            r"\bmoney (?:was |has been |got )?(?:debited|deducted|taken|gone)",
            r"\bdebited",
            r"\bdeducted",
            r"\bfees? (?:i|that i) (?:should|shouldn'?t)",
            r"\bin fees\b",
            r"\bcredit (?:expires|has expired|will expire|not|never|is missing)",
            r"\bhaven'?t (?:received|got(?:ten)?) (?:my |the )?(?:money|payment|credit|bonus|refund|reward|points)",
            r"\bnever (?:received|got) (?:my |the )?(?:money|payment|credit|bonus|refund|reward|points)",
            r"\bwaiting (?:\d+ \w+ )?for (?:my |the )?(?:money|payment|reimbursement)",
            r"\bpay(?:ing)? (?:full price|again|twice)",
            r"\brobbed",
            r"\brobaron",
            r"\bdefectuos",
            r"\bdefective",
            r"\bfaulty",
            r"\btake (?:someone'?s|my|our|people'?s) money",
            r"\bnot paid\b",
            r"\bwasn'?t paid\b",
            r"\bbill (?:just |has )?(?:increased|went up|doubled)",
            r"\bcashback",
            r"\bgeld\b",
            r"\bdinero\b",
            r"\bdeducting",
        ),
    ),
    (
        "lost item",
        _any(
            r"\blos(?:t|e|ing) (?:my |our |the )?(?:bag|luggage|lugg|suitcase|package|parcel|order)",
            r"\bmissing (?:bag|luggage|item|order|package|parcel)",
            r"\bdelayed (?:bag|baggage|luggage)",
            r"\bbag (?:is |was |has been |got )?(?:lost|missing|stolen|damaged|never (?:arrived|came|showed))",
            r"\bbags (?:is |was |has been |got )?(?:lost|missing|stolen|damaged|never (?:arrived|came|showed))",
            r"\bluggage (?:is |was |has been |got )?(?:lost|missing|stolen|damaged|never (?:arrived|came|showed))",
            r"\bsuitcase (?:is |was |has been |got )?(?:lost|missing|stolen|damaged|never (?:arrived|came|showed))",
            r"\bpackage (?:is |was |has been |got )?(?:lost|missing|stolen|damaged|never (?:arrived|came|showed))",
            r"\bparcel (?:is |was |has been |got )?(?:lost|missing|stolen|damaged|never (?:arrived|came|showed))",
            r"\border (?:is |was |has been |got )?(?:lost|missing|stolen|damaged|never (?:arrived|came|showed))",
            r"\bnever (?:arrived|received|got|came)\b",
            r"\bhasn'?t (?:arrived|come)",
            r"\bdidn'?t (?:arrive|receive)",
            r"\barrived (?:damaged|broken)",
            r"\bdamaged\b",
            r"\bequipaje",
            r"\bmaleta",
            r"\bgep[äa]ck",
            r"\bbagage",
            r"\bbagagli",
            r"\bbagagem",
            r"\bpaquete",
            r"\bpaket\b",
            r"\bcolis\b",
            r"\bpacco\b",
            r"\bstolen\b",
            r"\blost (?:my|our|her|his|their)\b",
            r"\blose (?:your|my|our) (?:bag|luggage|suitcase)",
            r"\bsent (?:it|my \w+|the \w+) to (?:the )?wrong",
            r"\bwrong (?:address|destination)",
            r"\bonly got (?:as far as|until|to)\b",
            r"\bcontacts? (?:are |were )?(?:gone|deleted|lost)",
            r"\bphotos (?:are |were )?(?:gone|deleted|lost)",
            r"\bfiles (?:are |were )?(?:gone|deleted|lost)",
            r"\bdata (?:are |were )?(?:gone|deleted|lost)",
            r"\bis lost\b",
            r"\bwas stolen\b",
            r"\bstole\b",
            r"\btaken from (?:my|her|his|our|the) (?:checked |)(?:bag|luggage|suitcase)",
            r"\bnot been delivered",
            r"\bdelivered but",
            r"\bsays delivered",
            r"\blost everything",
            r"\bgot deleted",
            r"\bwithout (?:a|my|our) (?:bag|luggage|suitcase)",
            r"\bunzustellbar",
        ),
    ),
    (
        "cancellation",
        _any(
            r"\bcancel+ed\b",
            r"\bcancel+ation",
            r"\bcancel+ing my\b",
            r"\bcancel my\b",
            r"\bcancel",
            r"\bannul",
            r"\bstorn",
            r"\bannull",
        ),
    ),
    (
        "outage",
        _any(
            r"\boutage",
            r"\bis down\b",
            r"\bare down\b",
            r"\bbeen down\b",
            r"\bwent down\b",
            r"\bstill down\b",
            r"\bnot working\b",
            r"\bdoesn'?t work",
            r"\bdon'?t work",
            r"\bstopped working",
            r"\bwon'?t (?:start|load|open|turn on|work|connect|charge)",
            r"\bno (?:internet|service|signal|power|wifi|wi-fi|connection|tv)\b",
            r"\bcan'?t (?:log ?in|sign in|access|connect)",
            r"\bcrash(?:es|ing|ed)?\b",
            r"\berror\b",
            r"\bserver (?:issue|problem|down)",
            r"\bgoing off and on",
            r"\bpassword (?:email|link|code)",
            r"\breset (?:email|link|code)",
            r"\bcan'?t reset",
            r"\bnot getting (?:a |the |any )?(?:email|code|text)",
            r"\bincorrect (?:username|password)",
            r"\bcan'?t (?:log|sign) ?(?:in|on)\b",
            r"\block(?:ed)? (?:myself )?out",
            r"\bno funciona",
            r"\bsin servicio",
            r"\bfunktioniert nicht",
            r"\bstörung",
            r"\bstorung",
            r"\bne (?:marche|fonctionne) pas",
            r"\bpanne",
            r"\bnon funziona",
            r"\bnão funciona",
            r"\bsem (?:internet|sinal)",
            r"\bcan'?t (?:get into|start|play|use|download|open|load|get on|make calls)",
            r"\bcannot (?:get into|start|play|use|download|open|load|log ?in|sign in|access|connect)",
            r"\bunable to (?:get into|start|play|use|download|open|load|log ?in|sign in|access|connect)",
            r"\bwon'?t let me",
            r"\brefuses to (?:read|start|load|open|work|connect)",
            r"\bnot (?:getting|receiving) (?:the |an? |any )?(?:otp|code|sms|text|verification)",
            r"\bunplayable",
            r"\bkicked (?:out|off)",
            r"\bkeep getting (?:kicked|disconnected|dc)",
            r"\bsite (?:is |was )?(?:back up|down|not loading)",
            r"\bmail is (?:also )?down",
            r"\bemail is (?:also )?down",
            r"\bapp is (?:also )?down",
            r"\bwebsite is (?:also )?down",
            r"\bserver is (?:also )?down",
            r"\bservice is (?:also )?down",
            r"\bback up\b",
            r"\bno puedo (?:iniciar|entrar|acceder|conectar)",
            r"\bkann (?:mich )?nicht (?:anmelden|einloggen)",
            r"\bimpossible de (?:me connecter|se connecter)",
            r"\binternet (?:is |has |goes |went |keeps going )?(?:out|gone)",
            r"\bservice loss",
            r"\bscreen (?:is |still )?frozen",
            r"\bcan'?t (?:text|call|activate|re-?download|spend|watch|stream)",
            r"\bgetting the (?:\w+ )?(?:step )?verification",
            r"\bdon'?t get an? (?:email|text|code)",
            r"\bnon-functioning",
            r"\bdeactivated",
            r"\bunlock",
        ),
    ),
    (
        "account locked",
        _any(
            r"\blocked (?:out|my)",
            r"\baccount (?:is |was |got |has been )?(?:locked|suspended|banned|closed|deactivated)",
            r"\bsuspended my",
            r"\bbanned my",
            r"\bclosed my account",
            r"\bdisabled my account",
            r"\bcuenta bloqueada",
            r"\bkonto gesperrt",
            r"\bcompte bloqu",
            r"\bterminat(?:ed|e) (?:my|our)\b",
            r"\bwrongfully (?:terminat|banned|suspended|closed)",
            r"\bbloquead",
            r"\bblocked (?:my|our) (?:account|card)",
            r"\baccount (?:is |was |has been )?(?:restricted|limited|hacked|blocked)",
        ),
    ),
    (
        "stranded",
        _any(
            r"\bstranded",
            r"\bmissed (?:my |our |the )?connect",
            r"\bdenied boarding",
            r"\bbumped (?:me|us|from)",
            r"\boverbook",
            r"\bstuck (?:at|in|on)\b",
            r"\bmissed (?:my|our) flight",
            r"\bvarad",
            r"\bgestrandet",
            r"\bbloqu[ée]s? [àa] l'a[ée]roport",
            r"\bmiss(?:ed|ing)? (?:my |our |her |his |the |a )?(?:connecting|connection|flight|shuttle|train)",
            r"\bgoing to miss\b",
            r"\bmake (?:my |our |the |a )?(?:connect|connecting)",
            r"\bdenied\b",
            r"\bno seats?\b",
            r"\bon standby",
            r"\bleft (?:behind|stranded)",
            r"\bget left\b",
            r"\bhold (?:the flight|the plane|for me)",
            r"\bconnections? (?:was |were )?missed",
            r"\bmiss(?:ed)? (?:out )?connections",
            r"\bmissed because",
            r"\bdone missed",
            r"\bpierdo mi (?:vuelo|conexi)",
            r"\bshutting the door on",
            r"\bperd(?:i|imos|ió) (?:mi|el|la|nuestro) (?:vuelo|conexi)",
        ),
    ),
)


class _Rule(NamedTuple):
    tier: str
    reason: str
    lexicon: _Lexicon
    # "always"; "troubled": the model sees a complaint; "high": troubled, or a question with some complaint.
    when: str


# In the order urgency_tier tries them: the first whose lexicon matches (and that applies) decides.
_RULES: tuple[_Rule, ...] = (
    *(_Rule("critical", reason, lexicon, "always") for reason, lexicon in _CRITICAL),
    *(_Rule("critical", reason, lexicon, "troubled") for reason, lexicon in _CRITICAL_WHEN_TROUBLED),
    _Rule("critical", "vulnerable customer", _VULNERABLE_ALWAYS, "always"),
    _Rule("critical", "vulnerable customer", _VULNERABLE, "troubled"),
    *(_Rule("high", reason, lexicon, "high") for reason, lexicon in _HIGH),
)


class _Gates:
    """Which rules' gates a text opens (see _Lexicon), found from its words in one pass rather than asked of each
    lexicon in turn."""

    def __init__(self, rules: Sequence[_Rule]) -> None:
        self.by_prefix: dict[str, set[int]] = {}
        self.by_phrase_key: dict[str, list[tuple[int, str]]] = {}
        self.symbols: list[tuple[int, str]] = []
        for i, rule in enumerate(rules):
            for prefix in rule.lexicon.prefixes:
                self.by_prefix.setdefault(prefix, set()).add(i)
            for key, phrases in rule.lexicon.phrases.items():
                self.by_phrase_key.setdefault(key, []).extend((i, phrase) for phrase in phrases)
            self.symbols += [(i, symbol) for symbol in rule.lexicon.symbols]
        self.of_chunk: ChunkCache[_ChunkGates | None] = ChunkCache(self.of_words)

    def opened(self, lower: str) -> list[int]:
        """Indexes of the rules whose gate `lower` (the text, lowercased) opens, in order."""
        found = [i for i, symbol in self.symbols if symbol in lower]
        # No word crosses whitespace, so a text's words are its chunks' words.
        for gates in filter(None, map(self.of_chunk.__getitem__, lower.split())):
            found += gates.rules
            found += [i for i, phrase in gates.phrases if phrase in lower]
        return sorted(set(found))

    def of_words(self, chunk: str) -> _ChunkGates | None:
        """What the words of `chunk` open by their first 2..PREFIX characters: rules, and phrases to look for."""
        openings = {word[:k] for word in _WORD_START.findall(chunk) for k in range(2, min(PREFIX, len(word)) + 1)}
        rules = frozenset().union(*(self.by_prefix.get(opening, ()) for opening in openings))
        phrases = tuple(found for opening in sorted(openings) for found in self.by_phrase_key.get(opening, ()))
        return _ChunkGates(rules, phrases) if rules or phrases else None


class _ChunkGates(NamedTuple):
    rules: frozenset[int]
    # (rule, phrase): the rule's gate is open when the text holds the phrase.
    phrases: tuple[tuple[int, str], ...]


_GATES = _Gates(_RULES)

# How sure the model must be that a mention is a complaint before a high or medium tier applies. A question
# that reveals a high matter ("I'm going to miss my connection, can you hold the flight?") is high with less.
HIGH_MIN_COMPLAINT = 0.35
QUESTION_HIGH_MIN_COMPLAINT = 0.15
MEDIUM_MIN_COMPLAINT = 0.5

# Harm said not to have happened ("no injuries", "nobody was hurt") and names that only look like danger
# ("Fire TV"): blanked before the critical lexicons look, so they neither raise nor lower anything else.
_NOT_HARM = re.compile(
    r"\b(?:no|zero|without|not any) (?:serious |major )?(?:injur\w*|casualt\w*|harm|danger|emergency|blood)"
    r"|\b(?:nobody|no ?one|none of us|nobody else) (?:was |were |got |is )?(?:hurt|injured|harmed)"
    r"|\b(?:wasn'?t|weren'?t|was not|were not|isn'?t|not|never) (?:hurt|injured|harmed|in danger)"
    r"|\bfire ?(?:tv|stick|tablet|hd)\b|\bkindle fire\b|\bamazon fire\b"
    r"|\bblood (?:is |was )?boil\w*|\bkilling (?:it|me)\b|\bdying (?:to|for)\b|\b(?:died|dying) (?:of )?laugh\w*"
    r"|\b(?:gave|give|gives|giving) (?:me|us|him|her) (?:a )?heart attacks?\b|\b(?:almost|nearly) had a heart attack\b"
    r"|\bin stitches\b|\bbleeding (?:money|cash|customers|subscribers|us dry)\b"
    r"|\bpain in the (?:ass|arse|neck|butt|backside)\b"
    r"|\blife ?hacks?\b|\bhackathon\w*|\b(?:food|basketball|tennis) court\b|\bhospitality\b"
    r"|\b(?:not|isn'?t|wasn'?t) (?:a |an )?(?:safety|security) (?:issue|concern|risk|hazard|problem)\b"
    r"|\b(?:wasn'?t|weren'?t|not|never|haven'?t been|hasn'?t been) (?:been )?hacked\b"
    r"|\b(?:won'?t|will not|not|never|can'?t) (?:be )?steal\w*",
    re.IGNORECASE,
)
# Words one of those must contain: the substitution runs only when one is there.
_MAY_DENY_HARM = re.compile(
    r"injur|casualt|harm|danger|emergenc|blood|hurt|fire|killing|dying|died|heart|bleed|pain|hack|court|hospitality|stitches"
    r"|safety|security|steal"
)


def urgency_tier(text: str, *, label: str, complaint: float, negative: float = 0.0) -> tuple[str, str]:
    """(tier, reason) for a mention. `complaint` is the probability of the complaint label; `negative` of
    negative sentiment. Praise is never above low; a question that reveals a critical matter is critical, one
    that reveals a high matter is high."""
    if label == "praise":
        return "low", ""
    lower = text.lower()
    cleared = _NOT_HARM.sub(" ", lower) if _MAY_DENY_HARM.search(lower) else lower
    troubled = label == "complaint" or complaint >= HIGH_MIN_COMPLAINT
    applies = {
        "always": True,
        "troubled": troubled,
        "high": troubled or (label == "question" and complaint >= QUESTION_HIGH_MIN_COMPLAINT),
    }
    for i in _GATES.opened(cleared):
        rule = _RULES[i]
        if applies[rule.when] and rule.lexicon.search(cleared):
            return rule.tier, rule.reason
    if label == "complaint" or complaint >= MEDIUM_MIN_COMPLAINT:
        return "medium", "complaint"
    return "low", ""
