"""The pipeline, top to bottom: fetch, store, classify, route, draft, queue.

Fetching and storing (with dedup and the cursor) are the poller's; `Pipeline.handle_new` does the rest
inside the same transaction, so a batch is either wholly processed or not stored at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.base import Source
from listener.poller import Backoff, Poller, PollOutcome
from mentiondesk.brands import Brand, BrandConfig
from responders.drafting import draft_reply
from responders.policy import check
from rules.classifier import Classification as Verdict
from rules.classifier import Classifier, thank_you_eligible, urgency_score
from rules.routing import MentionFacts, decide, is_opt_out
from storage.models import (
    Author,
    Case,
    Classification,
    Draft,
    DraftState,
    Mention,
    Route,
    utcnow,
)
from storage.queries import open_case_for, record_audit


@dataclass
class BatchStats:
    stored: int = 0
    by_route: dict[str, int] = field(default_factory=dict)
    by_label: dict[str, int] = field(default_factory=dict)
    drafts: int = 0
    auto_approved: int = 0


class Pipeline:
    def __init__(self, *, engine: Engine, brands: BrandConfig, classifier: Classifier) -> None:
        self.engine = engine
        self.brands = brands
        self.classifier = classifier
        self.stats = BatchStats()

    def poller(self, *, backoff: Backoff | None = None) -> Poller:
        return Poller(self.engine, self.handle_new, backoff=backoff)

    def poll(self, source: Source, *, max_pages: int = 100) -> PollOutcome:
        return self.poller().poll(source, max_pages=max_pages)

    def handle_new(self, session: Session, mentions: list[Mention]) -> None:
        """Classify, route, draft and queue mentions just stored (in the caller's transaction)."""
        if not mentions:
            return
        verdicts = self.classifier.classify([m.text for m in mentions])
        authors = _authors_of(mentions, session=session)
        now = utcnow()
        for mention, verdict in zip(mentions, verdicts, strict=True):
            brand = self.brands.brands.get(mention.brand)
            author = authors.get(mention.author_id or -1)
            self._process(mention, verdict, brand=brand, author=author, session=session, now=now)
        self.stats.stored += len(mentions)

    def _process(
        self,
        mention: Mention,
        verdict: Verdict,
        *,
        brand: Brand | None,
        author: Author | None,
        session: Session,
        now: datetime,
    ) -> None:
        urgency = urgency_score(verdict, followers=mention.author_followers)
        mention.label = verdict.label
        mention.sentiment = verdict.sentiment
        mention.confidence = verdict.confidence
        mention.needs_review = verdict.needs_review
        mention.urgency = urgency
        session.add(
            Classification(
                mention_id=mention.id or 0,
                label=verdict.label,
                sentiment=verdict.sentiment,
                confidence=verdict.confidence,
                scores=dict(verdict.scores),
                cues=list(verdict.cues),
                model_version=verdict.model_version,
            )
        )
        self.stats.by_label[verdict.label] = self.stats.by_label.get(verdict.label, 0) + 1
        if brand is None:
            mention.route, mention.route_reason = Route.INSIGHT, f"unknown brand {mention.brand!r}"
            return
        if author is not None and is_opt_out(mention.text) and author.opted_out_at is None:
            author.opted_out_at = now
            session.add(author)
        decision = decide(
            MentionFacts(
                platform=mention.platform,
                text=mention.text,
                author_handle=mention.author_handle,
                found_via=mention.found_via,
                language=mention.language,
                label=verdict.label,
                urgency=urgency,
                spam_cue="spam" in verdict.cues,
            ),
            brand,
        )
        mention.route, mention.route_reason = decision.route, decision.reason
        self.stats.by_route[decision.route] = self.stats.by_route.get(decision.route, 0) + 1
        mention.is_own = decision.reason == "our own post"
        if verdict.label == "complaint" and decision.route in (Route.DRAFT, Route.ESCALATE, Route.INSIGHT):
            _attach_case(mention, brand=brand, session=session, now=now)
        if decision.route in (Route.DRAFT, Route.ESCALATE):
            self._draft(mention, verdict, brand=brand, author=author, session=session, now=now,
                        escalated=decision.route == Route.ESCALATE)

    def _draft(
        self,
        mention: Mention,
        verdict: Verdict,
        *,
        brand: Brand,
        author: Author | None,
        session: Session,
        now: datetime,
        escalated: bool,
    ) -> None:
        threshold = brand.reply_policy.thank_threshold
        eligible = thank_you_eligible(verdict, threshold=threshold) if threshold else thank_you_eligible(verdict)
        automated = eligible and brand.reply_policy.auto_thank
        category = "escalation" if escalated else verdict.label
        text = draft_reply(
            brand=brand,
            category=category,
            platform=mention.platform,
            author_name=mention.author_name,
            author_handle=mention.author_handle,
            seed=f"{mention.platform}:{mention.external_id}",
            automated=automated,
        )
        gate = check(session=session, brand=brand, mention=mention, author=author, text=text.text,
                     automated=automated, thank_eligible=eligible, now=now)
        if not gate.may_send:
            mention.route, mention.route_reason = Route.INSIGHT, "no reply allowed: " + "; ".join(gate.blocked)
            return
        if automated and not gate.may_auto_send:
            # Not safe to send on its own: a person sees it, without the automation disclosure.
            automated = False
            text = draft_reply(brand=brand, category=category, platform=mention.platform,
                               author_name=mention.author_name, author_handle=mention.author_handle,
                               seed=f"{mention.platform}:{mention.external_id}")
        draft = Draft(
            mention_id=mention.id or 0,
            open_mention_id=mention.id,
            brand=brand.key,
            platform=mention.platform,
            state=DraftState.APPROVED if automated else DraftState.DRAFTED,
            category=verdict.label,
            urgency=mention.urgency,
            escalated=escalated,
            automated=automated,
            text=text.text,
            original_text=text.text,
            template_key=text.template_key,
            policy_ok=gate.may_send,
            policy_reasons=gate.reasons(),
            created_at=now,
            updated_at=now,
            approved_by="auto-thank" if automated else None,
            approved_at=now if automated else None,
        )
        session.add(draft)
        self.stats.drafts += 1
        if automated:
            session.flush()
            record_audit(session=session, actor="auto-thank", action="auto_approve", draft_id=draft.id,
                         mention_id=mention.id, detail={"confidence": verdict.confidence})
            self.stats.auto_approved += 1


def _authors_of(mentions: Sequence[Mention], *, session: Session) -> dict[int, Author]:
    ids = {m.author_id for m in mentions if m.author_id is not None}
    if not ids:
        return {}
    return {a.id: a for a in session.exec(select(Author).where(col(Author.id).in_(ids))) if a.id is not None}


def _attach_case(mention: Mention, *, brand: Brand, session: Session, now: datetime) -> None:
    """A complaint opens a case for its author, or joins the one already open."""
    if mention.author_id is None:
        return
    case = open_case_for(brand.key, mention.author_id, session=session)
    if case is None:
        case = Case(brand=brand.key, platform=mention.platform, author_id=mention.author_id,
                    first_mention_id=mention.id, opened_at=now, last_activity_at=now)
        session.add(case)
        session.flush()
    else:
        case.last_activity_at = now
        session.add(case)
    mention.case_id = case.id
