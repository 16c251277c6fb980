"""Default reply wording. Complaints: apologise, own it, one concrete next step, no promises of refunds or
dates (only a brand's own templates may make those). Several variants each, so replies don't read canned."""

from __future__ import annotations

DEFAULTS: dict[str, list[str]] = {
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
    "praise": [
        "Thank you, {{ name }}! That made our day. 💛",
        "{{ name }}, thanks so much for the kind words! We'll pass them on to the team.",
        "Thanks a lot, {{ name }}! So glad you enjoyed it.",
    ],
    "question": [
        "Hi {{ name }}, thanks for asking! Let us check and get back to you here shortly. "
        "You can also find answers on our help pages.",
        "Good question, {{ name }}! We're looking into it and will reply here soon.",
        "Thanks for reaching out, {{ name }}. We'll find out and come back to you shortly.",
    ],
    "other": [
        "Thanks for the mention, {{ name }}!",
        "Hi {{ name }}, thanks for thinking of us!",
    ],
}
