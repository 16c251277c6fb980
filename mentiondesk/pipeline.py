"""A mention's life, top to bottom: fetch, store, classify, route, draft and gate, queue.

`Pipeline.poll` is the whole story for one source: the poller (listener/poller.py) fetches each batch, finds
which mentions are new and opens the transaction that will save them with the source's cursor;
`Pipeline.process` then classifies, routes, drafts and queues them in that same transaction, so a batch is
either wholly processed or not stored at all. What happens next, a person approving or rejecting a draft,
is in responders/queue.py; sending it, through the reply-once ledger, in responders/sending.py.

Rows are written in bulk, one statement per table and batch: on SQLite that is the difference between
hundreds and thousands of mentions a second."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from listener.base import Source
from listener.poller import Backoff, Meter, Poller, PollOutcome
from mentiondesk.core.brands import Brand, BrandConfig
from responders.drafting import draft_reply, reply_category, review_reason
from responders.policy import check
from responders.states import transition_many
from responders.team import tag_new_mentions
from rules.classifier import Classification as Verdict
from rules.classifier import Classifier, has_grievance, thank_you_eligible, urgency_score
from rules.language import is_supported
from rules.optout import is_opt_out
from rules.routing import MentionFacts, decide
from storage.db import insert_rows
from storage.models import (
    AuditEvent,
    Author,
    Classification,
    Draft,
    DraftState,
    FoundVia,
    Route,
    utcnow,
)
from storage.queries import (
    AuthorRef,
    CaseRef,
    NewMention,
    insert_mentions,
    open_cases,
    open_cases_of,
    reply_texts_to_authors,
    set_first_mentions,
    touch_cases,
)

# Replies to one author within this window never repeat word for word (platforms refuse duplicate posts).
REPEAT_WINDOW = timedelta(days=30)


@dataclass
class PipelineStats:
    stored: int = 0
    by_route: dict[str, int] = field(default_factory=dict)
    by_label: dict[str, int] = field(default_factory=dict)
    drafts: int = 0
    auto_approved: int = 0


@dataclass
class _Planned:
    """A reply to write for a mention: its text, the gate's verdict, and whether it goes out on its own."""

    mention: NewMention
    values: dict[str, Any]
    automated: bool
    confidence: float


class Pipeline:
    def __init__(
        self, *, engine: Engine, brands: BrandConfig, classifier: Classifier, meter: Meter | None = None
    ) -> None:
        self.engine = engine
        self.brands = brands
        self.classifier = classifier
        self.meter = meter  # prices reads against the brands' monthly spend caps
        self.stats = PipelineStats()

    def poll(self, source: Source, *, backoff: Backoff | None = None, max_pages: int = 100) -> PollOutcome:
        """Fetch every new batch of `source` and process each in the transaction that saves its cursor."""
        outcome = PollOutcome(source=source.name)
        for arrival in Poller(self.engine, backoff=backoff, meter=self.meter).arrivals(
            source, outcome, max_pages=max_pages
        ):
            self.process(arrival.session, arrival.mentions)
        return outcome

    def process(self, session: Session, mentions: list[NewMention]) -> None:
        """The new mentions of one batch: classify, route, draft and gate, then store them with their
        classifications, cases and drafts (the queue)."""
        if not mentions:
            return
        now = utcnow()
        verdicts = self.classifier.classify([m.text for m in mentions])
        authors = _authors_of(mentions, session=session)
        self._record_opt_outs(mentions, authors=authors, session=session, now=now)
        routes = [self._route(m, v) for m, v in zip(mentions, verdicts, strict=True)]
        new_cases = self._attach_cases(mentions, verdicts, routes, session=session, now=now)
        planned = self._plan_drafts(mentions, verdicts, routes, authors=authors, session=session, now=now)
        insert_mentions(mentions, session=session)
        set_first_mentions([(case_id, m.id) for case_id, m in new_cases if m.id is not None], session=session)
        insert_rows(
            Classification,
            [_classification_row(m, v, now) for m, v in zip(mentions, verdicts, strict=True)],
            session=session,
        )
        self._write_drafts(planned, session=session, now=now)
        tag_new_mentions(mentions, self.brands.brands, session=session)
        self.stats.stored += len(mentions)

    def _record_opt_outs(
        self,
        mentions: Sequence[NewMention],
        *,
        authors: dict[int | None, AuthorRef],
        session: Session,
        now: datetime,
    ) -> None:
        """An author who asks us, in a post addressed to us, to stop: no reply to them from now on."""
        for mention in mentions:
            brand = self.brands.brands.get(mention.brand)
            author = authors.get(mention.author_id)
            if brand and author and author.opted_out_at is None and _asks_us_to_stop(mention, brand):
                author.opted_out_at = now
                session.execute(update(Author), [{"id": author.id, "opted_out_at": now}])

    def _route(self, mention: NewMention, verdict: Verdict) -> Route:
        """Copy the verdict onto the row and decide its route (rules/routing.py: pure, no I/O)."""
        mention.label = verdict.label
        mention.sentiment = verdict.sentiment
        mention.confidence = verdict.confidence
        mention.review_reason = review_reason(verdict, self.brands.brands.get(mention.brand)) or None
        mention.needs_review = mention.review_reason is not None
        mention.urgency = urgency_score(verdict, followers=mention.author_followers)
        mention.urgency_reason = verdict.urgency_reason or None
        mention.needs_reply = round(verdict.needs_reply, 4)
        self.stats.by_label[verdict.label] = self.stats.by_label.get(verdict.label, 0) + 1
        brand = self.brands.brands.get(mention.brand)
        if brand is None:
            mention.route, mention.route_reason = Route.INSIGHT, f"unknown brand {mention.brand!r}"
            return Route.INSIGHT
        decision = decide(
            MentionFacts(
                platform=mention.platform,
                text=mention.text,
                author_handle=mention.author_handle,
                found_via=mention.found_via,
                language=mention.language,
                label=verdict.label,
                urgency=mention.urgency,
                spam_cue="spam" in verdict.cues,
                needs_reply=mention.needs_reply,
                needs_review=mention.needs_review,
                negative=verdict.sentiment == "negative" or has_grievance(verdict.cues) or "contrast" in verdict.cues,
            ),
            brand,
        )
        mention.route, mention.route_reason, mention.is_own = decision.route, decision.reason, decision.is_own
        self.stats.by_route[decision.route] = self.stats.by_route.get(decision.route, 0) + 1
        return decision.route

    def _attach_cases(
        self,
        mentions: Sequence[NewMention],
        verdicts: Sequence[Verdict],
        routes: Sequence[Route],
        *,
        session: Session,
        now: datetime,
    ) -> list[tuple[int, NewMention]]:
        """A complaint opens a case for its author; anything its author says next joins that case while it is open
        ("any news on the double charge?" is a follow-up, whatever its label). A "[deleted]" author shares no
        case. Returns (case id, mention) of each case opened, for its first mention."""
        cases = open_cases_of({m.author_id for m in mentions if m.author_id is not None}, session=session)
        joined: list[tuple[NewMention, CaseRef | int]] = []  # an open case, or the index of one opened below
        opening: list[NewMention] = []
        opened_here: dict[tuple[str, int], int] = {}
        for mention, verdict, route in zip(mentions, verdicts, routes, strict=True):
            if route == Route.IGNORE or mention.brand not in self.brands.brands:
                continue
            key = (mention.brand, mention.author_id) if mention.author_id is not None else None
            if key is not None and key in cases:
                joined.append((mention, cases[key]))
            elif key is not None and key in opened_here:
                joined.append((mention, opened_here[key]))
            elif verdict.label == "complaint":
                if key is not None:
                    opened_here[key] = len(opening)
                joined.append((mention, len(opening)))
                opening.append(mention)
        new_ids = open_cases(
            [
                {
                    "brand": m.brand,
                    "platform": m.platform,
                    "author_id": m.author_id,
                    "opened_at": now,
                    "last_activity_at": now,
                }
                for m in opening
            ],
            session=session,
        )
        for mention, case in joined:
            if isinstance(case, CaseRef):
                mention.case_id, mention.assigned_to = case.id, case.assigned_to  # stays with its owner
            else:
                mention.case_id = new_ids[case]
        touch_cases({case.id for _, case in joined if isinstance(case, CaseRef)}, now=now, session=session)
        return list(zip(new_ids, opening, strict=True))

    def _plan_drafts(
        self,
        mentions: Sequence[NewMention],
        verdicts: Sequence[Verdict],
        routes: Sequence[Route],
        *,
        authors: dict[int | None, AuthorRef],
        session: Session,
        now: datetime,
    ) -> list[_Planned]:
        planned: list[_Planned] = []
        automated: list[tuple[str, int | None]] = []
        drafted = [m for m, r in zip(mentions, routes, strict=True) if r in (Route.DRAFT, Route.ESCALATE)]
        said = reply_texts_to_authors({m.author_id for m in drafted}, since=now - REPEAT_WINDOW, session=session)
        for mention, verdict, route in zip(mentions, verdicts, routes, strict=True):
            if route not in (Route.DRAFT, Route.ESCALATE):
                continue
            avoid = said.setdefault(mention.author_id, set()) if mention.author_id is not None else set()
            plan = self._plan(
                mention,
                verdict,
                brand=self.brands.get(mention.brand),
                author=authors.get(mention.author_id),
                escalated=route == Route.ESCALATE,
                unsaved_automated=automated,
                avoid=avoid,
                session=session,
                now=now,
            )
            if plan is None:
                continue
            avoid.add(str(plan.values["text"]))
            planned.append(plan)
            if plan.automated:
                automated.append((mention.brand, mention.author_id))
        return planned

    def _write_drafts(self, planned: Sequence[_Planned], *, session: Session, now: datetime) -> None:
        if not planned:
            return
        for plan in planned:
            plan.values["mention_id"] = plan.values["open_mention_id"] = plan.mention.id
        insert_rows(Draft, [p.values for p in planned], session=session)
        automated = {plan.mention.id: plan for plan in planned if plan.automated}
        audits = []
        if automated:
            # A new mention has exactly one draft: the one just written. The thank-you is held for the brand's
            # window in the desk's "Going out" lane (responders/holding.py), then approved for a sender.
            rows = list(session.execute(select(Draft.id, Draft.mention_id).where(col(Draft.mention_id).in_(automated))))
            transition_many(
                [draft_id for draft_id, _ in rows],
                DraftState.HELD,
                from_state=DraftState.DRAFTED,
                session=session,
                approved_by="auto-thank",
                approved_at=now,
            )
            audits = [
                {
                    "actor": "auto-thank",
                    "action": "auto_approve",
                    "draft_id": draft_id,
                    "mention_id": mention_id,
                    "detail": {"confidence": automated[mention_id].confidence},
                    "at": now,
                }
                for draft_id, mention_id in rows
            ]
        if audits:
            insert_rows(AuditEvent, audits, session=session)
        self.stats.drafts += len(planned)
        self.stats.auto_approved += len(audits)

    def _plan(
        self,
        mention: NewMention,
        verdict: Verdict,
        *,
        brand: Brand,
        author: AuthorRef | None,
        escalated: bool,
        unsaved_automated: list[tuple[str, int | None]],
        avoid: set[str],
        session: Session,
        now: datetime,
    ) -> _Planned | None:
        threshold = brand.reply_policy.thank_threshold
        eligible = thank_you_eligible(verdict, threshold=threshold) if threshold else thank_you_eligible(verdict)
        automated = eligible and brand.reply_policy.auto_thank
        category = reply_category(
            verdict.label,
            needs_review=mention.needs_review,
            escalated=escalated,
            language_known=is_supported(verdict.language),
            reason=mention.review_reason or "",
        )
        seed = f"{mention.platform}:{mention.external_id}"

        def text_for(auto: bool) -> tuple[str, str]:
            made = draft_reply(
                brand=brand,
                category=category,
                platform=mention.platform,
                author_name=mention.author_name,
                author_handle=mention.author_handle,
                seed=seed,
                automated=auto,
                avoid=avoid,
                language=verdict.language if verdict.language != "und" else mention.language,
            )
            return made.text, made.template_key

        text, template_key = text_for(automated)
        gate = check(
            session=session,
            brand=brand,
            mention=mention,
            author=author,
            text=text,
            automated=automated,
            thank_eligible=eligible,
            now=now,
            fresh=True,
            unsaved_automated=unsaved_automated,
        )
        if not gate.may_send:
            mention.route, mention.route_reason = Route.INSIGHT, "no reply allowed: " + "; ".join(gate.blocked)
            return None
        if automated and not gate.may_auto_send:
            automated = False  # a person sees it, without the automation disclosure
            text, template_key = text_for(False)
        values = {
            "brand": brand.key,
            "platform": mention.platform,
            "state": DraftState.DRAFTED,
            "category": verdict.label,
            "urgency": mention.urgency,
            "escalated": escalated,
            "automated": automated,
            "text": text,
            "original_text": text,
            "template_key": template_key,
            "policy_ok": True,
            "policy_reasons": gate.reasons(),
            "created_at": now,
            "updated_at": now,
            "attempts": 0,
            "version": 1,
        }
        return _Planned(mention=mention, values=values, automated=automated, confidence=verdict.confidence)


def _classification_row(mention: NewMention, verdict: Verdict, now: datetime) -> dict[str, object]:
    return {
        "mention_id": mention.id,
        "label": verdict.label,
        "sentiment": verdict.sentiment,
        "confidence": verdict.confidence,
        "scores": dict(verdict.scores),
        "cues": list(verdict.cues),
        "model_version": verdict.model_version,
        "origin": "model",
        "created_at": now,
    }


def _asks_us_to_stop(mention: NewMention, brand: Brand) -> bool:
    """An opt-out counts only in a post addressed to us (a mention or a reply, not a keyword match), never
    from our own handles. Every language is tried: the language detected on a short post is often wrong."""
    return (
        mention.found_via in (FoundVia.MENTION, FoundVia.REPLY)
        and is_opt_out(mention.text)
        and mention.author_handle.lstrip("@").lower() not in brand.own_handles(mention.platform)
    )


def _authors_of(mentions: Sequence[NewMention], *, session: Session) -> dict[int | None, AuthorRef]:
    ids = {m.author_id for m in mentions if m.author_id is not None}
    rows = session.execute(select(Author.id, Author.opted_out_at).where(col(Author.id).in_(ids)))
    return {author_id: AuthorRef(author_id, opted) for author_id, opted in rows}
