"""Opt-out recognition: the ways people ask us to stop, and the ways they talk about opting out without asking."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from mentiondesk.core.brands import BrandConfig
from mentiondesk.pipeline import Pipeline
from rules.classifier import Classifier
from rules.optout import find_opt_out, is_opt_out
from storage.models import Author, FoundVia, Mention
from tests.factories import ListSource, mention

# Plain English requests to stop contact. A manager must be able to trust every one of them mutes the author.
ENGLISH = [
    "stop replying",
    "stop replying to me",
    "stop pinging me",
    "stop tagging me",
    "leave me alone",
    "do not reply",
    "don't reply to me",
    "never reply to me again",
    "stop messaging me",
    "unsubscribe me",
    "remove me from your list",
    "no more replies please",
    "stop spamming me",
    "I don't want to hear from you",
    "bot, go away",
    "stop responding to me",
    "stop mentioning me",
    "stop DMing me",
    "stop contacting me",
    "please stop @ing me",
    "STOP",
    "unsubscribe",
    "opt me out",
    "don't contact me again",
    "do not message me",
    "quit replying to my tweets",
    "stop sending me messages",
    "I don't want your replies",
    "go away",
    "stop bothering me",
    "don't tag me",
    "take me off your list",
    "I didn't ask for your reply, stop",
    "can you stop tagging me?",
]

MORE_ENGLISH = [
    "@AcmeCoffee never contact me again",
    "leave me the hell alone",
    "I told you to stop replying",
    "you can stop replying now",
    "stop auto-replying to my posts",
    "no more automated messages",
    "stop it with the replies",
    "I asked you to leave me alone",
    "Acme, please stop tagging me",
    "stop harassing me",
    "please don't respond",
    "enough with the bot replies",
    "I don't want to be tagged",
    "stop sending me emails",
    "Stop. Replying. To. Me.",
    "why won't you stop replying to me?",
    "do not reply to me ever again",
    "opt out",
    'I said "stop replying", why are you still here',
    '"STOP"',
    "@AcmeCoffee I don't want automated replies. Stop tagging me.",
    "u/AcmeCoffee stop replying to my comments",
    # from recorded customer-support traffic
    "@brand Please leave me alone.",
    "@brand stop sending me deals, you are making me broke \U0001f60f",
    "@brand Please stop spamming my email inbox with fake deals.",
    "@brand hi guys. Can you please stop sending text surveys asking about my flight",
    # written after the rules, as a check they generalise
    "Stop replying to everything I post",
    "please quit tagging me in your promos",
    "I'm not interested, stop messaging me",
    "Do NOT reply to my tweets again",
    "leave me out of your marketing",
    "remove me from your mailing list please",
    "I never want to hear from you again",
    "cease contacting me",
    "pls stop @-ing me",
    "stop dm'ing me",
    "@acme stop. replying.",
    "stop replying to me, I'm done",
    "don't ever message me again",
    "no more tags please",
    "just leave me alone already",
    "you need to stop tagging me",
    "I asked you to stop messaging me",
    "Unsubscribe!!!",
    "can you please stop responding to my posts?",
    "kindly stop contacting me",
    "stop spamming my mentions",
    "STOP TAGGING ME",
    "stop replying to my comments, bot",
    "go away bot",
    "do not contact me",
    "stop texting me",
    "don't respond to me",
    "enough with the automated messages",
    "take me off your mailing list",
    "opt me out please",
]

OTHER_LANGUAGES = {
    "es": [
        "deja de responderme",
        "no me respondas",
        "no me escribas más",
        "dejen de etiquetarme",
        "déjame en paz",
        "dejen de mencionarme, por favor",
        "no me contesten más",
        "no quiero más mensajes",
        "basta de mensajes",
        "no vuelvan a escribirme",
        "dejen de escribirme",
        "por favor no me etiqueten más",
        "déjenme en paz",
        "basta de spam",
        "no me manden más mensajes",
    ],
    "de": [
        "hör auf mir zu antworten",
        "antworte mir nicht",
        "lasst mich in Ruhe",
        "keine Antworten mehr",
        "hört auf, mich zu markieren",
        "schreibt mir nicht mehr",
        "bitte keine Nachrichten mehr",
        "könnt ihr bitte aufhören, mir zu schreiben",
        "meldet mich bitte ab",
        "lass mich endlich in Ruhe!",
        "Hört auf, mir Nachrichten zu schicken",
        "bitte nicht mehr antworten",
        "Lasst mich bitte in Ruhe",
        "schreiben Sie mir nicht mehr",
        "keine Nachrichten mehr bitte",
    ],
    "fr": [
        "arrêtez de me répondre",
        "ne me répondez plus",
        "laissez-moi tranquille",
        "arrête de me taguer",
        "ne m'écrivez plus",
        "fichez-moi la paix",
        "merci de ne plus me contacter",
        "désabonnez-moi",
        "plus de messages svp",
        "arrêtez de m'envoyer des notifications",
        "arrêtez de m'écrire",
        "ne me contactez plus",
        "laisse-moi tranquille",
        "arrêtez de me spammer",
        "fichez-moi la paix svp",
    ],
    "it": [
        "smettila di rispondermi",
        "non rispondermi più",
        "lasciatemi in pace",
        "smettetela di taggarmi",
        "non scrivetemi più",
        "basta messaggi",
        "lasciami stare",
        "toglietemi dalla vostra lista",
        "non voglio più ricevere messaggi",
        "smettetela di scrivermi",
        "non contattatemi più",
        "lasciatemi stare",
        "basta spam",
        "smettila di taggarmi",
    ],
    "pt": [
        "pare de me responder",
        "não me responda",
        "me deixem em paz",
        "parem de me marcar",
        "não me mandem mais mensagens",
        "chega de mensagens",
        "me deixa em paz",
        "não quero mais ser marcado",
        "me descadastrem da lista",
        "já pedi pra vocês pararem de me marcar",
        "parem de me mandar mensagens",
        "não me marquem mais",
        "me deixe em paz",
        "chega de spam",
        "pare de me marcar",
    ],
}

# The same requests as people type them: shouting, stretched letters, no accents, emoji, invisible characters.
MANGLED = [
    "STOP REPLYING TO ME!!!",
    "stoooop replying",
    "leeeeave me aloooone",
    "st\u200bop replying to me",
    "\u200fstop replying to me\u200f",
    "\u202estop tagging me",
    "d\u200bon't reply to me",
    "don\u2019t reply to me",
    "stop replying to me \U0001f621\U0001f644",
    "\U0001f6d1 STOP \U0001f6d1",
    "Stop... replying to me.",
    "\uff53\uff54\uff4f\uff50 \uff52\uff45\uff50\uff4c\uff59\uff49\uff4e\uff47",
    "arretez de me repondre",
    "ARRÊTEZ DE ME RÉPONDRE",
    "nao me responda",
    "hoer auf mir zu antworten",
    "LASST MICH IN RUHE!!!",
    "déjame en paz \U0001f64f",
    "NO ME RESPONDAS",
    "NON RISPONDERMI PIÙ",
]

# Talk about opting out, questions, code, other people's words, and "stop" aimed at the product.
NOT_OPT_OUT = [
    "how do I unsubscribe?",
    "can I opt out of emails?",
    "where's the unsubscribe link",
    "If I unsubscribe from say, politics, will I still see sports?",
    "a player opt out option would be great",
    "they should add an opt-out",
    "I opted out of the beta",
    "```\nsubscription.unsubscribe()\n```",
    "def unsubscribe(self):\n    self.client.close()",
    "const stop = () => {\n  unsubscribe();\n}",
    "call listener.unsubscribe(handler) to stop replying to events",
    'she said "leave me alone" and walked off',
    'my brother keeps yelling "stop tagging me" at our dad',
    "stop charging me twice",
    "my app keeps crashing, stop it",
    "I can't stop drinking your cold brew",
    "the bus stop near your store is closed",
    "please don't stop replying, your team is great",
    "how do I stop the notifications?",
    "is there a way to unsubscribe from the newsletter?",
    "I unsubscribed last year and still get your emails",
    "your support team should stop replying with canned answers",
    "stop replying with templates and actually help me!",
    "they told me to leave them alone",
    "the unsubscribe button is broken",
    "how to opt out of data sharing?",
    "love the new opt-out toggle",
    "don't reply to him, he's a troll",
    "you never reply to me",
    "why do you never reply to my emails?",
    "Don't go away! We love you",
    "I'd never unsubscribe, love these emails",
    "stop making me wait on hold",
    "can you stop the double charges?",
    "people stop replying when bots answer",
    "the pain won't go away",
    "nobody will leave me alone about your new blend",
    "unsubscribe?",
    "why can't I unsubscribe?",
    "your prices went up again, stop",
    "Rain, rain, go away",
    "ugh go away, I miss the sun",
    # from recorded customer-support and forum traffic
    "@brand DL1180, tomorrow, LAX-JFK. Can you please remove me from the list? Or are there any window seats left?",
    "@brand , please remove me from standby lists for tomorrow. Thank you!",
    "@brand is there a way to opt out of auto check in? I hate it!!!",
    "@brand loyalty is a two way street! Hopefully this policy will change back or this frequent flyer will opt out!",
    "Hey @brand your damn unsubscribe page on your crappy website is down. Fix it.",
    "@brand Question.... Did you guys stop sending drink coupons? Mine expired in October.",
    "@brand I need you idiots to stop sending me to collections. YOU owed ME money.",
    "Block him and stop replying to his comments. Not worth it.",
    "I\u2019m ready to unsubscribe from this sub",
    "Adults who wear Team Jerseys in Public look absolutely ridiculous. Please stop, for everyone\u2019s sake -Boot",
    '@brand can you stop spamming me with "would you like to open Waze?" Fuck.',
    "how about the game &quot;Leave me alone so I can sleep or I'm going to the couch&quot;... I miss that",
    # written after the rules, as a check they generalise
    "how can I stop getting your emails?",
    "does anyone know how to unsubscribe from this?",
    "you guys never reply to me",
    "I wish you would stop raising prices",
    "stop the madness, bring back the old menu",
    "why did you stop replying to my DMs?",
    "my son won't leave me alone about your new game",
    "I had to unsubscribe from the newsletter, too many emails",
    "the opt out form doesn't work",
    "they keep telling me to stop tagging them",
    "stop selling my data",
    "please stop the auto-renewal",
    "Don't reply-all on the company thread",
    "will you stop replying if I opt out?",
    "Can't stop listening to this album",
    "don't stop believing",
    "if you don't reply I'm going to the press",
    "no more excuses, fix my order",
    "enough is enough, refund me",
    "go away for the weekend with our new deals!",
]

OTHER_NOT_OPT_OUT = [
    "¿Cómo me doy de baja?",
    "no me responden desde hace una semana",
    "no dejes de responderme, me encanta",
    "Si no me respondes hoy, me quejo",
    "Ihr antwortet mir nicht, seit drei Tagen!",
    "Wie kann ich mich abmelden?",
    "Hört nicht auf, so tolle Sachen zu posten",
    "Keine Antworten seit Tagen, keine Hilfe",
    "Vous ne me répondez plus depuis une semaine",
    "Comment me désabonner ?",
    "N'arrêtez jamais de me répondre, vous êtes top",
    "Non mi rispondete da una settimana",
    "Come faccio a disiscrivermi?",
    "Non smettete di rispondermi, siete fantastici",
    "Vocês não me respondem há dias",
    "Como faço para cancelar a inscrição?",
    "Não parem de me responder, adoro vocês",
    "Ele não me deixa em paz",
]


@pytest.mark.parametrize("text", ENGLISH + MORE_ENGLISH)
def test_english_requests_to_stop_are_opt_outs(text: str) -> None:
    assert is_opt_out(text), text


def test_the_plain_english_table_has_34_phrasings() -> None:
    assert len(set(ENGLISH)) == 34
    assert {"stop pinging me", "do not reply", "never reply to me again"} <= set(ENGLISH)


@pytest.mark.parametrize(("language", "text"), [(lang, t) for lang, texts in OTHER_LANGUAGES.items() for t in texts])
def test_requests_to_stop_in_other_languages(language: str, text: str) -> None:
    found = find_opt_out(text)
    assert found is not None, text
    assert found.language == language
    assert find_opt_out(text, language=language) == found


@pytest.mark.parametrize("text", MANGLED)
def test_requests_survive_case_accents_emoji_and_invisible_characters(text: str) -> None:
    assert is_opt_out(text), repr(text)


@pytest.mark.parametrize("text", NOT_OPT_OUT + OTHER_NOT_OPT_OUT)
def test_talk_about_opting_out_is_not_an_opt_out(text: str) -> None:
    assert find_opt_out(text) is None, text


def test_the_result_names_the_words_that_asked() -> None:
    found = find_opt_out("@AcmeCoffee thanks for nothing. Please stop pinging me!!")
    assert found is not None
    assert found.phrase == "stop pinging me" and found.language == "en"


def test_a_language_hint_narrows_the_phrases_to_english_and_that_language() -> None:
    assert is_opt_out("pare de me responder", language="pt-BR")
    assert not is_opt_out("pare de me responder", language="de")
    assert is_opt_out("stop replying to me", language="de")
    assert is_opt_out("pare de me responder", language="ja")  # unsupported: every language is tried


def test_hostile_and_huge_text_is_handled_quickly() -> None:
    import time

    texts = [
        "stop " * 2000,
        "please " * 2000 + "stop replying",
        "\u202e" * 5000 + "leave me alone",
        "<script>alert('stop replying')</script>",
        '"' * 3000,
        "don't " * 3000,
    ]
    started = time.perf_counter()
    results = [is_opt_out(t) for t in texts]
    assert time.perf_counter() - started < 2.0
    assert results[2] is True  # invisible characters are not words


# --- where it is applied: the pipeline ---------------------------------------------------------------------


def _opted_out(engine: Engine, handle: str) -> bool:
    with Session(engine) as session:
        return session.exec(select(Author).where(Author.handle == handle.lower())).one().opted_out_at is not None


def test_only_a_request_addressed_to_us_opts_the_author_out(
    any_engine: Engine, brands: BrandConfig, classifier: Classifier
) -> None:
    pipeline = Pipeline(engine=any_engine, brands=brands, classifier=classifier)
    pipeline.poll(
        ListSource(
            [
                [
                    mention("stop replying to me", author="keyword_kim", via=FoundVia.KEYWORD),
                    mention("@AcmeCoffee stop replying to me", author="mention_mo"),
                    mention("stop replying to me", author="reply_rae", via=FoundVia.REPLY),
                    mention("@AcmeCoffee how do I unsubscribe?", author="question_quinn"),
                    mention("@AcmeCoffee bitte hört auf, mir zu antworten", author="german_gerd", lang="de"),
                    mention("@AcmeCoffee stop replying to me", author="AcmeCoffee"),  # our own account
                ]
            ]
        )
    )
    assert not _opted_out(any_engine, "keyword_kim")  # a keyword match is not talking to us
    assert _opted_out(any_engine, "mention_mo")
    assert _opted_out(any_engine, "reply_rae")
    assert _opted_out(any_engine, "german_gerd")
    assert not _opted_out(any_engine, "question_quinn")  # a question about unsubscribing is a question
    assert not _opted_out(any_engine, "AcmeCoffee")
    with Session(any_engine) as session:
        question = session.exec(select(Mention).where(Mention.text.contains("unsubscribe"))).one()  # type: ignore[attr-defined]
    assert "no more replies" not in (question.route_reason or "")
