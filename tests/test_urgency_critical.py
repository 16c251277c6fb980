"""Critical matters told in everyday words reach the top of the queue with a reason a manager can act on, and the
same words used figuratively ("this delay is killing me") do not. Through the shipped classifier: what the
desk shows is the tier and reason on the card and the order in the queue."""

from __future__ import annotations

from dataclasses import replace

from rules.classifier import TIER_FLOOR, Classifier, urgency_score
from rules.urgency import TIERS

# (post, reason on the card). None of these has a word the critical lexicons knew before issue 10's item 6.
CRITICAL = [
    ("@airco a man in 3A has been moaning in pain for an hour and nobody from the crew has come", "injury"),
    ("@trainco my dad fainted on the 8:10 from Leeds and it took staff 20 minutes to come", "injury"),
    ("@gymco the treadmill belt snapped and I broke my wrist, your staff just shrugged", "injury"),
    ("@hotelco found mouse droppings all over the room service tray in 412", "health"),
    ("@airco the crew moved us because of bed bugs in row 12 and now I'm covered in bites", "health"),
    ("@rideco our driver was drunk driving, swerving all over the M4 with my kids in the back", "safety"),
    ("@rideco the driver pulled a knife on us when we asked him to slow down", "safety"),
    ("@airco an aggressive passenger screamed at my wife for an hour and the crew did nothing", "harassment"),
    ("@telco someone did a sim swap on my number and emptied my bank account overnight", "fraud"),
    ("@bankco I got a phishing text that looked exactly like yours and now £900 is gone", "fraud"),
    ("@appco your app is showing me other customers' addresses and names", "data breach"),
    ("@airco I will be pressing charges after what your agent did to my daughter at the gate", "legal threat"),
    ("@airco my 7 year old has to sit alone on a 9 hour flight because you split our booking", "vulnerable customer"),
    ("@airco do you still offer bereavement fares? I need to fly home tonight", "vulnerable customer"),
    ("@bahn mein Vater ist im Zug zusammengebrochen, der Notarzt kam erst nach 40 Minuten", "injury"),
    ("@sncf ma fille a été victime de harcèlement dans le train, personne n'a réagi, c'est inadmissible", "harassment"),
    # Six that the lexicons missed on 2026-12-01 (written for this list, not taken from any held-out set).
    ("@phoneco the battery swelled up and popped the screen off while charging next to my bed", "safety"),
    ("@carco the brakes on the rental car failed on the motorway", "safety"),
    ("@telco your support agent sent me another customer's passport scan", "data breach"),
    ("@shopco your employee followed me to my car and kept making comments about my body", "harassment"),
    ("@appco your app told my abuser where I live after I updated my address", "vulnerable customer"),
    ("@foodco your baby formula has little black specks in it", "health"),
]
# Everyday annoyance in words that name danger, pain or crime only figuratively, or deny it.
FIGURATIVE = [
    "@airco this delay is killing me, 3 hours at the gate",
    "@burgerco I'm dying to try the new spicy burger",
    "@shopco your prices nearly gave me a heart attack lol",
    "@airco your new safety video had me in stitches",
    "@appco waiting for your support is a pain in the neck",
    "@bankco life hack: never call your helpline on a Monday",
    "@airco not a safety issue, your crew is just slow at boarding",
    "@coffeeco the food court branch is out of oat milk again",
    "@hotelco the hospitality was lacking this time, room was cold",
    "@telco you're bleeding money out of me with these roaming fees",
    # The same words in everyday trouble: a mixed-up order is no data breach, a brake light no brake failure.
    "@cafeco the barista gave me another customer's order again, third time this week",
    "@carco the brake light on my rental is out, can someone swap it",
    "@phoneco my phone battery dies in 2 hours now, useless",
    "@cafeco another customer's name on my cup lol",
]
MILD = [
    "@cafeco the espresso tasted burnt today, usually great, just flagging",
    "@airco the queue at bag drop was long today",
]


def test_critical_matters_in_everyday_words_are_critical_with_their_reason(classifier: Classifier) -> None:
    got = [(c.urgency, c.urgency_reason) for c in classifier.classify([text for text, _ in CRITICAL])]
    assert got == [("critical", reason) for _, reason in CRITICAL]


def test_figurative_danger_words_are_not_critical(classifier: Classifier) -> None:
    assert [c.urgency for c in classifier.classify(FIGURATIVE)].count("critical") == 0


def test_a_critical_post_from_nobody_outranks_a_famous_mild_or_figurative_one(classifier: Classifier) -> None:
    critical = classifier.classify([text for text, _ in CRITICAL])
    below = classifier.classify(FIGURATIVE + MILD)
    lowest_critical = min(urgency_score(c, followers=0) for c in critical)
    assert lowest_critical > max(urgency_score(c, followers=50_000_000) for c in below)


def test_score_bands_never_overlap_whatever_the_head_and_reach_say(classifier: Classifier) -> None:
    [c] = classifier.classify(["@airco the queue at bag drop was long today"])
    ranks = (-1.0, 0.0, 1.5, 3.0, 99.0, -99.0)
    reaches = (0, 1, 10**12)
    for lower, upper in zip(TIERS, TIERS[1:], strict=False):
        highest = max(
            urgency_score(replace(c, urgency=lower, urgency_rank=r), followers=f) for r in ranks for f in reaches
        )
        lowest = min(
            urgency_score(replace(c, urgency=upper, urgency_rank=r), followers=f) for r in ranks for f in reaches
        )
        assert highest < TIER_FLOOR[upper] <= lowest, (lower, upper)
