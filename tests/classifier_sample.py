"""A fixed, varied sample of mentions whose classifications are pinned in tests/fixtures/classifier_outputs.json.

Made from templates (no corpus needed): complaints, praise, questions and chatter in the six supported languages
and a few others, with emoji, URLs, handles, negation, sarcasm and hostile text. Speed work on the classifier
must leave every output here unchanged (tests/test_classifier_same_outputs.py)."""

from __future__ import annotations

import json
import random
import sys
from dataclasses import asdict
from pathlib import Path

BRANDS = ("@acme", "@delta", "@AppleSupport", "@comcastcares", "@AmazonHelp", "@united", "@Uber_Support", "")
BODIES = (
    "still waiting for my refund, {n} weeks now",
    "you charged my card twice for order #{n}{n}{n}",
    "my flight was cancelled and nobody at the desk can rebook me",
    "the app keeps crashing since the update, can't log in",
    "thank you so much, the crew was amazing",
    "love the new update, works great 😍",
    "not bad at all, actually really good",
    "how do I change the email on my account?",
    "can I bring a folding bike on the train?",
    "do you have flights from Dallas to Denver on Friday?",
    "great, another update that kills my battery 👏",
    "thanks for losing my bag, really appreciate it",
    "on hold for {n} hours... please help, thx",
    "found glass in my drink at the airport store, cut my lip",
    "I'm going to sue, my son has second-degree burns from your coffee",
    "the espresso tasted burnt today, usually great, just flagging",
    "someone used my card on your site, what do I do?",
    "no injuries, but the seat belt sign never came on",
    "meeting Jen at the store at {n}",
    "Flying to Boston this morning",
    "DM sent",
    "ok",
    "Win a year of free coffee! RT to enter https://t.co/abc{n}",
    "worst service ever, never again 😡",
    "my internet has been down since {n}am",
    "package says delivered but it never arrived",
    "my wheelchair was left behind at the gate and nobody helped",
    "why is my flight delayed again?",
    "the seat-back screen froze for the whole flight",
    "huge thanks to Maria at the Leeds store, she sorted everything in {n} minutes",
    "mi pedido llegó roto y nadie me contesta",
    "Me siguen cobrando aunque la cancelé",
    "¡gracias por el servicio, todo perfecto!",
    "¿a qué hora abre la tienda?",
    "merci pour le changement de place, très sympa !",
    "mon colis n'est jamais arrivé, c'est inadmissible",
    "wie kann ich meine Adresse ändern?",
    "Ich warte seit {n} Wochen auf meine Erstattung",
    "danke, super Service!",
    "il mio pacco non è mai arrivato",
    "grazie mille, servizio eccellente",
    "meu voo foi cancelado e ninguém ajuda",
    "obrigado pelo atendimento rápido!",
    "refunds take 5-7 business days. Today is business day {n}{n}.",
    "the app charged my old card even though I updated it",
    "dziękuję za pomoc, wszystko działa",
    "спасибо, всё отлично",
    "お荷物が届きません",
    "why did I have to wait {n} hours on the tarmac?!",
    "the staff were rude and the food was cold",
)
TAILS = ("", " #fail", " 😡", " 🙏", " https://t.co/x{n}", " lol", "!!!", " @someone", " thanks")
HOSTILE = (
    "",
    " ",
    "<script>alert('x')</script><b>@acme</b> &amp; &lt;3",
    "\u200f\u202eRTL override \u200b\u200b zero\u200dwidth \ufeff refund",
    "x" * 10_000,
    "great " * 2_000,
    "\x00\x01\x02 control chars",
    "😀" * 500,
    "?!?!?!?!",
    "@a @b @c @d @e @f @g @h",
)


def sample(n: int = 400, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    out = list(HOSTILE)
    while len(out) < n:
        body = rng.choice(BODIES).format(n=rng.randint(2, 9))
        tail = rng.choice(TAILS).format(n=rng.randint(10, 99))
        brand = rng.choice(BRANDS)
        text = f"{brand} {body}{tail}".strip() if rng.random() < 0.7 else f"{body} {brand}{tail}".strip()
        out.append(text.upper() if rng.random() < 0.05 else text)
    return out


FIXTURE = Path(__file__).parent / "fixtures" / "classifier_outputs.json"


def write_fixture() -> None:
    from rules.classifier import load_classifier

    classifier = load_classifier()
    rows = [asdict(c) for c in classifier.classify(sample())]
    for row in rows:
        row.pop("model_version")
    payload = {"model_version": classifier.version, "outputs": rows}
    FIXTURE.write_text(json.dumps(payload, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/classifier_sample.py --write")
    write_fixture()
