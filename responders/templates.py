"""Default reply wording. Complaints: apologise, own it, one concrete next step, no promises of refunds or
dates (only a brand's own templates may make those). "safe" is what a mention gets when the classifier is unsure
(responders/drafting.py: `reply_category`). Several variants each, so replies don't read canned."""

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
}
