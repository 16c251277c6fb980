"""Default reply wording, per language (ISO 639-1), each with the same categories. Complaints: apologise, own
it, one concrete next step, no promises of refunds or dates (only a brand's own templates may make those).
"safe" is what a mention gets when the classifier is unsure (responders/drafting.py: `reply_category`),
"safe_praise" when such a mention reads as praise and "safe_question" when it reads as a question: all three
acknowledge and offer help, and never thank, celebrate, apologise or promise. "other" never thanks.
Several variants each, so replies don't read canned. German and French address the customer formally (Sie,
vous), Spanish, Italian and Portuguese informally (tú, tu, você), as brands on social media usually do."""

from __future__ import annotations

ENGLISH: dict[str, list[str]] = {
    "complaint": [
        "Hi {{ name }}, we're sorry, that's not good enough and it's on us to put it right. "
        "Could you DM us your order or account details so we can look into it now?",
        "{{ name }}, we're really sorry about this. We own it, and we want to fix it: "
        "please send us a DM with the details and our team will pick it up straight away.",
        "So sorry, {{ name }}. That shouldn't have happened. "
        "Can you DM us what went wrong and your order number? We'll dig in right away.",
    ],
    "escalation": [
        "{{ name }}, we're very sorry and we're treating this as a priority. "
        "Please DM us your contact details so a senior member of our team can follow up with you directly.",
        "We're so sorry, {{ name }}. This needs our full attention: "
        "please DM us your details and a senior team member will get in touch with you personally.",
    ],
    # Sent automatically where the gate allows, so each fits any praise: "so glad you enjoyed it" answered
    # "thank you for the job! First shift went great".
    "praise": [
        "Thank you, {{ name }}! That made our day. 💛",
        "{{ name }}, thanks so much for the kind words! We'll pass them on to the team.",
        "Thanks a lot, {{ name }}! So glad to hear it.",
    ],
    "question": [
        "Hi {{ name }}, thanks for asking! Let us check and get back to you here shortly. "
        "You can also find answers on our help pages.",
        "Good question, {{ name }}! We're looking into it and will reply here soon.",
        "Thanks for reaching out, {{ name }}. We'll find out and come back to you shortly.",
    ],
    # A mention that is neither complaint, praise nor question: acknowledge and offer help, never thank (an
    # "other" may still be a grievance the model missed: "at @brand Riverside again, my office now").
    "other": [
        "Hi {{ name }}, we saw your post. If there's anything we can help with, just let us know.",
        "Hi {{ name }}, we're here if you need anything from us: just send us a message.",
    ],
    # The classifier is unsure, or sees a possible complaint behind other words: acknowledge and offer help.
    # Never thank, celebrate, apologise for something we cannot see, or promise anything (tests check this).
    "safe": [
        "Hi {{ name }}, we've seen your message. If something isn't right, please DM us the details "
        "so our team can look into it.",
        "Hi {{ name }}, we read this. If there's anything we can help with, please send us a DM with the details.",
        "{{ name }}, we hear you. If you'd like our help, a DM with the details is the quickest way to reach our team.",
    ],
    # The same, when the unsure mention reads as praise (it may be sincere or sarcastic): "if something isn't
    # right" answers a compliment oddly, and the manager would rewrite it every time.
    "safe_praise": [
        "Hi {{ name }}, we read your post and shared it with the team. If there's anything we can do for you, "
        "just send us a DM.",
        "{{ name }}, your message has reached our team. If you'd like anything from us, a DM is the quickest way "
        "to reach us.",
    ],
    # And when it reads as a question: "is the almond milk sweetened?" under review was answered "If something
    # isn't right". It must still suit a complaint phrased as a question, so it promises no answer either.
    "safe_question": [
        "Hi {{ name }}, we've seen your question and passed it to our team. If it's easier, send us a DM with the "
        "details.",
        "{{ name }}, your question has reached our team. For anything about your own order or account, a DM is the "
        "quickest way to reach us.",
    ],
}

GERMAN: dict[str, list[str]] = {
    "complaint": [
        "Hallo {{ name }}, das tut uns wirklich leid. So sollte es nicht sein, und es liegt an uns, das in Ordnung "
        "zu bringen. Können Sie uns Ihre Bestell- oder Kundennummer per DM schicken, damit wir uns das ansehen?",
        "{{ name }}, das tut uns sehr leid. Der Fehler liegt bei uns, und wir möchten ihn beheben: Schreiben Sie "
        "uns bitte eine DM mit den Details, dann kümmert sich unser Team darum.",
        "Entschuldigung, {{ name }}, das hätte nicht passieren dürfen. Schreiben Sie uns bitte per DM, was "
        "schiefgelaufen ist, und Ihre Bestellnummer. Wir sehen uns das an.",
    ],
    "escalation": [
        "{{ name }}, das tut uns sehr leid, und wir behandeln es vorrangig. Bitte schicken Sie uns Ihre "
        "Kontaktdaten per DM, damit sich eine verantwortliche Person aus unserem Team direkt bei Ihnen meldet.",
        "Es tut uns sehr leid, {{ name }}. Das verdient unsere volle Aufmerksamkeit: Bitte schicken Sie uns Ihre "
        "Daten per DM, dann meldet sich jemand aus der Teamleitung persönlich bei Ihnen.",
    ],
    "praise": [
        "Vielen Dank, {{ name }}! Das freut uns riesig. 💛",
        "{{ name }}, herzlichen Dank für die netten Worte! Wir geben sie gern an das Team weiter.",
        "Danke schön, {{ name }}! Das hören wir sehr gern.",
    ],
    "question": [
        "Hallo {{ name }}, danke für Ihre Frage! Wir klären das und melden uns hier bei Ihnen. "
        "Viele Antworten finden Sie auch auf unseren Hilfeseiten.",
        "Gute Frage, {{ name }}! Wir sehen nach und antworten Ihnen hier.",
        "Danke, dass Sie sich melden, {{ name }}. Wir finden es heraus und kommen hier auf Sie zurück.",
    ],
    "other": [
        "Hallo {{ name }}, wir haben Ihren Beitrag gesehen. Wenn wir Ihnen bei etwas helfen können, "
        "sagen Sie uns einfach Bescheid.",
        "Hallo {{ name }}, wir sind da, falls Sie etwas von uns brauchen: Schreiben Sie uns einfach eine Nachricht.",
    ],
    "safe": [
        "Hallo {{ name }}, wir haben Ihre Nachricht gesehen. Falls etwas nicht stimmt, schicken Sie uns bitte "
        "die Details per DM, damit unser Team sich das ansehen kann.",
        "Hallo {{ name }}, wir haben das gelesen. Wenn wir Ihnen helfen können, schreiben Sie uns bitte eine DM "
        "mit den Details.",
        "{{ name }}, wir haben Ihr Anliegen gesehen. Wenn Sie Unterstützung möchten, erreichen Sie unser Team am "
        "schnellsten per DM mit den Details.",
    ],
    "safe_praise": [
        "Hallo {{ name }}, wir haben Ihren Beitrag gelesen und an das Team weitergegeben. Wenn wir etwas für Sie "
        "tun können, schreiben Sie uns einfach eine DM.",
        "{{ name }}, Ihre Nachricht ist bei unserem Team angekommen. Wenn Sie etwas von uns brauchen, erreichen Sie "
        "uns am schnellsten per DM.",
    ],
    "safe_question": [
        "Hallo {{ name }}, wir haben Ihre Frage gesehen und an unser Team weitergegeben. Wenn es für Sie einfacher "
        "ist, schreiben Sie uns eine DM mit den Details.",
        "{{ name }}, Ihre Frage ist bei unserem Team angekommen. Für alles zu Ihrer Bestellung oder Ihrem Konto "
        "erreichen Sie uns am schnellsten per DM.",
    ],
}

SPANISH: dict[str, list[str]] = {
    "complaint": [
        "Hola, {{ name }}. Lo sentimos mucho: esto no debería haber pasado y nos toca a nosotros solucionarlo. "
        "¿Nos envías por DM tu número de pedido o los datos de tu cuenta para revisarlo?",
        "{{ name }}, sentimos mucho lo ocurrido. Es responsabilidad nuestra y queremos arreglarlo: escríbenos por "
        "DM con los detalles y nuestro equipo se encargará.",
        "Disculpa, {{ name }}, no debería haber pasado. ¿Nos cuentas por DM qué ha ocurrido y tu número de pedido? "
        "Lo revisamos.",
    ],
    "escalation": [
        "{{ name }}, lo sentimos muchísimo y lo estamos tratando como una prioridad. Envíanos por DM tus datos de "
        "contacto para que una persona responsable de nuestro equipo hable contigo directamente.",
        "Lo sentimos mucho, {{ name }}. Esto merece toda nuestra atención: envíanos tus datos por DM y una persona "
        "responsable del equipo se pondrá en contacto contigo personalmente.",
    ],
    "praise": [
        "¡Gracias, {{ name }}! Nos has alegrado el día. 💛",
        "{{ name }}, ¡muchas gracias por tus palabras! Se las haremos llegar al equipo.",
        "¡Mil gracias, {{ name }}! Nos alegra mucho leerlo.",
    ],
    "question": [
        "Hola, {{ name }}, ¡gracias por preguntar! Lo consultamos y te respondemos por aquí. "
        "También puedes encontrar respuestas en nuestras páginas de ayuda.",
        "¡Buena pregunta, {{ name }}! Lo estamos mirando y te contestamos por aquí.",
        "Gracias por escribirnos, {{ name }}. Lo averiguamos y te respondemos por aquí.",
    ],
    "other": [
        "Hola, {{ name }}, hemos visto tu publicación. Si necesitas ayuda con algo, solo tienes que decírnoslo.",
        "Hola, {{ name }}, aquí estamos si necesitas algo de nosotros: escríbenos un mensaje.",
    ],
    "safe": [
        "Hola, {{ name }}, hemos visto tu mensaje. Si algo no va bien, envíanos los detalles por DM para que "
        "nuestro equipo pueda revisarlo.",
        "Hola, {{ name }}, hemos leído tu mensaje. Si podemos ayudarte en algo, escríbenos un DM con los detalles.",
        "{{ name }}, te leemos. Si quieres nuestra ayuda, la forma más rápida de llegar a nuestro equipo es un DM "
        "con los detalles.",
    ],
    "safe_praise": [
        "Hola, {{ name }}, hemos leído tu mensaje y se lo hemos pasado al equipo. Si podemos hacer algo por ti, "
        "escríbenos un DM.",
        "{{ name }}, tu mensaje ha llegado a nuestro equipo. Si necesitas algo de nosotros, un DM es la forma más "
        "rápida de contactarnos.",
    ],
    "safe_question": [
        "Hola, {{ name }}, hemos visto tu pregunta y se la hemos pasado a nuestro equipo. Si te resulta más "
        "cómodo, escríbenos un DM con los detalles.",
        "{{ name }}, tu pregunta ha llegado a nuestro equipo. Para algo de tu pedido o tu cuenta, un DM es la "
        "forma más rápida de contactarnos.",
    ],
}

FRENCH: dict[str, list[str]] = {
    "complaint": [
        "Bonjour {{ name }}, nous sommes désolés : ce n'est pas acceptable et c'est à nous d'y remédier. "
        "Pouvez-vous nous envoyer en DM votre numéro de commande ou de compte pour que nous regardions cela ?",
        "{{ name }}, nous sommes vraiment désolés. C'est de notre fait et nous voulons arranger les choses : "
        "envoyez-nous un DM avec les détails et notre équipe s'en occupe.",
        "Toutes nos excuses, {{ name }}. Cela n'aurait pas dû arriver. Pouvez-vous nous expliquer en DM ce qui "
        "s'est passé et nous donner votre numéro de commande ? Nous regardons cela.",
    ],
    "escalation": [
        "{{ name }}, nous sommes sincèrement désolés et nous traitons cela en priorité. Pouvez-vous nous envoyer "
        "vos coordonnées en DM afin qu'un responsable de notre équipe vous recontacte directement ?",
        "Nous sommes vraiment désolés, {{ name }}. Cela mérite toute notre attention : envoyez-nous vos "
        "coordonnées en DM et un responsable de notre équipe vous contactera personnellement.",
    ],
    "praise": [
        "Merci, {{ name }} ! Ça nous fait vraiment plaisir. 💛",
        "{{ name }}, merci beaucoup pour ce gentil message ! Nous le transmettons à l'équipe.",
        "Un grand merci, {{ name }} ! Nous sommes ravis de vous lire.",
    ],
    "question": [
        "Bonjour {{ name }}, merci pour votre question ! Nous vérifions et revenons vers vous ici. "
        "Vous trouverez aussi des réponses sur nos pages d'aide.",
        "Bonne question, {{ name }} ! Nous nous renseignons et vous répondons ici.",
        "Merci de nous avoir écrit, {{ name }}. Nous nous renseignons et revenons vers vous ici.",
    ],
    "other": [
        "Bonjour {{ name }}, nous avons vu votre message. Si nous pouvons vous aider, n'hésitez pas à nous le dire.",
        "Bonjour {{ name }}, nous sommes là si vous avez besoin de quoi que ce soit : écrivez-nous simplement.",
    ],
    "safe": [
        "Bonjour {{ name }}, nous avons bien vu votre message. Si quelque chose ne va pas, envoyez-nous les "
        "détails en DM pour que notre équipe puisse regarder.",
        "Bonjour {{ name }}, nous avons lu votre message. Si nous pouvons vous aider, écrivez-nous en DM avec "
        "les détails.",
        "{{ name }}, nous vous lisons. Si vous souhaitez de l'aide, le plus simple pour joindre notre équipe est "
        "un DM avec les détails.",
    ],
    "safe_praise": [
        "Bonjour {{ name }}, nous avons lu votre message et l'avons transmis à l'équipe. Si nous pouvons faire "
        "quelque chose pour vous, envoyez-nous simplement un DM.",
        "{{ name }}, votre message est bien parvenu à notre équipe. Si vous avez besoin de quoi que ce soit, un DM "
        "est le moyen le plus simple de nous joindre.",
    ],
    "safe_question": [
        "Bonjour {{ name }}, nous avons vu votre question et l'avons transmise à notre équipe. Si c'est plus "
        "simple pour vous, envoyez-nous un DM avec les détails.",
        "{{ name }}, votre question est bien parvenue à notre équipe. Pour tout ce qui concerne votre commande ou "
        "votre compte, un DM est le moyen le plus simple de nous joindre.",
    ],
}

ITALIAN: dict[str, list[str]] = {
    "complaint": [
        "Ciao {{ name }}, ci dispiace davvero: non va bene e tocca a noi rimediare. Puoi scriverci in DM il "
        "numero d'ordine o i dati del tuo account, così verifichiamo?",
        "{{ name }}, ci dispiace molto. La responsabilità è nostra e vogliamo sistemare le cose: scrivici in DM "
        "con i dettagli e il nostro team se ne occuperà.",
        "Scusaci, {{ name }}, non sarebbe dovuto succedere. Puoi raccontarci in DM cosa è andato storto e il tuo "
        "numero d'ordine? Lo verifichiamo.",
    ],
    "escalation": [
        "{{ name }}, ci dispiace moltissimo e stiamo trattando la cosa con priorità. Inviaci in DM i tuoi "
        "recapiti, così una persona responsabile del nostro team ti contatterà direttamente.",
        "Ci dispiace tanto, {{ name }}. Questo merita tutta la nostra attenzione: mandaci i tuoi dati in DM e un "
        "responsabile del nostro team ti contatterà personalmente.",
    ],
    "praise": [
        "Grazie di cuore, {{ name }}! Ci hai strappato un sorriso. 💛",
        "{{ name }}, grazie per le belle parole! Le riferiremo al team.",
        "Grazie mille, {{ name }}! Siamo felici di leggerlo.",
    ],
    "question": [
        "Ciao {{ name }}, grazie per la domanda! Verifichiamo e ti rispondiamo qui. "
        "Trovi risposte anche nelle nostre pagine di assistenza.",
        "Bella domanda, {{ name }}! Ci informiamo e ti rispondiamo qui.",
        "Grazie per averci scritto, {{ name }}. Ci informiamo e ti facciamo sapere qui.",
    ],
    "other": [
        "Ciao {{ name }}, abbiamo visto il tuo post. Se possiamo aiutarti in qualcosa, faccelo sapere.",
        "Ciao {{ name }}, siamo qui se hai bisogno di qualcosa: scrivici pure un messaggio.",
    ],
    "safe": [
        "Ciao {{ name }}, abbiamo visto il tuo messaggio. Se qualcosa non va, mandaci i dettagli in DM così il "
        "nostro team può verificare.",
        "Ciao {{ name }}, abbiamo letto il tuo messaggio. Se possiamo aiutarti, scrivici un DM con i dettagli.",
        "{{ name }}, ti leggiamo. Se vuoi il nostro aiuto, il modo più rapido per raggiungere il team è un DM "
        "con i dettagli.",
    ],
    "safe_praise": [
        "Ciao {{ name }}, abbiamo letto il tuo messaggio e l'abbiamo girato al team. Se possiamo fare qualcosa per "
        "te, scrivici un DM.",
        "{{ name }}, il tuo messaggio è arrivato al nostro team. Se hai bisogno di qualcosa, un DM è il modo più "
        "rapido per raggiungerci.",
    ],
    "safe_question": [
        "Ciao {{ name }}, abbiamo visto la tua domanda e l'abbiamo girata al nostro team. Se ti è più comodo, "
        "scrivici un DM con i dettagli.",
        "{{ name }}, la tua domanda è arrivata al nostro team. Per qualcosa sul tuo ordine o sul tuo account, un "
        "DM è il modo più rapido per raggiungerci.",
    ],
}

PORTUGUESE: dict[str, list[str]] = {
    "complaint": [
        "Olá, {{ name }}, sentimos muito: isso não está certo e cabe a nós resolver. Pode nos enviar por DM o "
        "número do pedido ou os dados da sua conta para verificarmos?",
        "{{ name }}, lamentamos muito pelo ocorrido. A responsabilidade é nossa e queremos resolver: mande uma DM "
        "com os detalhes e a nossa equipe vai cuidar disso.",
        "Desculpe, {{ name }}, isso não deveria ter acontecido. Pode nos contar por DM o que houve e o número do "
        "pedido? Vamos verificar.",
    ],
    "escalation": [
        "{{ name }}, sentimos muitíssimo e estamos tratando isso como prioridade. Envie os seus dados de contato "
        "por DM para que uma pessoa responsável da nossa equipe fale diretamente com você.",
        "Lamentamos muito, {{ name }}. Isso merece toda a nossa atenção: envie os seus dados por DM e uma pessoa "
        "responsável da equipe vai entrar em contato com você pessoalmente.",
    ],
    "praise": [
        "Obrigado, {{ name }}! Você fez o nosso dia. 💛",
        "{{ name }}, muito obrigado pelas palavras gentis! Vamos passar para a equipe.",
        "Muito obrigado, {{ name }}! Que bom saber disso.",
    ],
    "question": [
        "Olá, {{ name }}, obrigado pela pergunta! Vamos verificar e respondemos aqui. "
        "Você também encontra respostas nas nossas páginas de ajuda.",
        "Boa pergunta, {{ name }}! Estamos verificando e respondemos aqui.",
        "Obrigado por falar com a gente, {{ name }}. Vamos descobrir e voltamos aqui com a resposta.",
    ],
    "other": [
        "Olá, {{ name }}, vimos a sua publicação. Se pudermos ajudar com algo, é só avisar.",
        "Olá, {{ name }}, estamos por aqui se você precisar de algo: é só nos mandar uma mensagem.",
    ],
    "safe": [
        "Olá, {{ name }}, vimos a sua mensagem. Se algo não estiver certo, envie os detalhes por DM para que a "
        "nossa equipe possa verificar.",
        "Olá, {{ name }}, lemos a sua mensagem. Se pudermos ajudar em algo, mande uma DM com os detalhes.",
        "{{ name }}, estamos te ouvindo. Se quiser a nossa ajuda, o jeito mais rápido de falar com a equipe é uma "
        "DM com os detalhes.",
    ],
    "safe_praise": [
        "Olá, {{ name }}, lemos a sua mensagem e passamos para a equipe. Se pudermos fazer algo por você, é só "
        "mandar uma DM.",
        "{{ name }}, a sua mensagem chegou à nossa equipe. Se precisar de algo, uma DM é o jeito mais rápido de "
        "falar com a gente.",
    ],
    "safe_question": [
        "Olá, {{ name }}, vimos a sua pergunta e passamos para a nossa equipe. Se for mais fácil, mande uma DM "
        "com os detalhes.",
        "{{ name }}, a sua pergunta chegou à nossa equipe. Para algo do seu pedido ou da sua conta, uma DM é o "
        "jeito mais rápido de falar com a gente.",
    ],
}

BY_LANGUAGE: dict[str, dict[str, list[str]]] = {
    "en": ENGLISH,
    "de": GERMAN,
    "es": SPANISH,
    "fr": FRENCH,
    "it": ITALIAN,
    "pt": PORTUGUESE,
}
# The shipped automation disclosure (ReplyPolicy.disclosure's default) in each language; a brand's own
# disclosure is appended as written.
DISCLOSURES: dict[str, str] = {
    "en": "(automated reply)",
    "de": "(automatische Antwort)",
    "es": "(respuesta automática)",
    "fr": "(réponse automatique)",
    "it": "(risposta automatica)",
    "pt": "(resposta automática)",
}
# The English set, as before languages: what a brand's default language falls back to when it has no defaults.
DEFAULTS = ENGLISH
