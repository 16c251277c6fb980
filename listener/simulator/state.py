"""Everything the simulated platforms hold: users, posts, replies we received, faults to inject, rate windows.
One lock guards it; both servers and the Python API share one instance."""

from __future__ import annotations

import random
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from listener.simulator.corpus import Corpus
from listener.simulator.faults import Fault

MentionKind = Literal["mixed", "mention", "reply", "keyword"]

_FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chidi",
    "Dana",
    "Eli",
    "Fatima",
    "Goran",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Noor",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
]
_LANGS = ["en"] * 8 + ["es", "de"]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rem = divmod(number, 36)
        out = digits[rem] + out
        if number == 0:
            return out


@dataclass
class RateWindow:
    """A fixed window of `limit` requests; X reports its reset as an epoch, Reddit as seconds from now."""

    limit: int
    seconds: int
    used: int = 0
    started: float = field(default_factory=time.time)

    def hit(self) -> bool:
        """Count one request; False when the window is already spent."""
        now = time.time()
        if now - self.started >= self.seconds:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def reset_epoch(self) -> int:
        return int(self.started + self.seconds)

    @property
    def reset_seconds(self) -> int:
        return max(int(self.started + self.seconds - time.time()), 0)


@dataclass
class Reply:
    platform: str
    id: str
    in_reply_to: str
    text: str
    at: str

    def as_dict(self) -> dict[str, str]:
        return {
            "platform": self.platform,
            "id": self.id,
            "in_reply_to": self.in_reply_to,
            "text": self.text,
            "at": self.at,
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class SimState:
    def __init__(
        self,
        *,
        x_handles: list[str],
        reddit_handles: list[str],
        keywords: list[str],
        subreddits: list[str],
        subreddit_keywords: list[str] | None = None,
        seed: int = 0,
        x_rate_limit: int = 450,
        reddit_rate_limit: int = 1000,
    ) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.corpus = Corpus(self.rng)
        self.keywords = keywords or (x_handles[:1] + reddit_handles[:1]) or ["acme"]
        self.subreddits = subreddits or ["test"]
        # A comment is found only by listening to its subreddit (Reddit's search covers posts, not comments), so
        # a comment released as a mention names a brand that watches the subreddits, not any brand's keyword.
        self.subreddit_keywords = subreddit_keywords or self.keywords
        self.faults: list[Fault] = []
        self.replies: list[Reply] = []
        self.request_log: list[tuple[str, str, str]] = []  # (platform, method, path)
        # X
        self.x_users: dict[str, dict[str, Any]] = {}
        self.x_user_ids: dict[str, str] = {}  # lower-case username -> id
        self.tweets: list[dict[str, Any]] = []  # ascending id
        self.tweet_index: dict[str, dict[str, Any]] = {}
        self._next_user = 1_000_000
        self._next_tweet = 1_790_000_000_000_000_000
        self.x_windows: dict[str, RateWindow] = {}
        self.x_rate_limit = x_rate_limit
        self.brand_x_ids = [self._x_user(h, followers=50_000) for h in x_handles]
        self.x_me = self.brand_x_ids[0] if self.brand_x_ids else self._x_user("mentiondesk_bot")
        self.brand_tweets: list[str] = []
        for brand_id in self.brand_x_ids:
            self.brand_tweets.append(self._tweet(brand_id, "Our spring update is live. Tell us what you think!"))
        # Reddit
        self.reddit_account = reddit_handles[0] if reddit_handles else "mentiondesk_bot"
        self.reddit_handles = reddit_handles
        self.things: dict[str, dict[str, Any]] = {}
        self.submissions: list[str] = []  # fullnames, ascending
        self.comments: list[str] = []
        self.inbox: list[str] = []  # comments that mention the account
        self.tokens: set[str] = set()
        self.reddit_window = RateWindow(limit=reddit_rate_limit, seconds=600)
        self._next_t3 = 36**5
        self._next_t1 = 36**6
        self.anchor_posts = [
            self._submission(sub, "Weekly discussion thread", "Talk about anything.", "AutoModerator")
            for sub in self.subreddits
        ]

    # --- helpers --------------------------------------------------------------------------------------

    @staticmethod
    def now_iso() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{datetime.now(UTC).microsecond // 1000:03d}Z"

    def take_fault(self, platform: str, path: str, method: str = "") -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(platform, path, method):
                    fault.times -= 1
                    return fault
            return None

    def x_window(self, endpoint: str) -> RateWindow:
        with self.lock:
            if endpoint not in self.x_windows:
                self.x_windows[endpoint] = RateWindow(limit=self.x_rate_limit, seconds=900)
            return self.x_windows[endpoint]

    def _author_name(self) -> tuple[str, str]:
        first = self.rng.choice(_FIRST_NAMES)
        return f"{first.lower()}_{self.rng.randint(1, 9999)}", f"{first} {self.rng.choice('ABCDEFGHKLMNPRSTW')}."

    def _ensure_keyword(self, text: str, keywords: list[str] | None = None) -> str:
        keyword = self.rng.choice(keywords or self.keywords)
        if re.search(r"(?<!\w)" + re.escape(keyword) + r"(?!\w)", text, re.IGNORECASE):
            return text
        return f"{text} #{keyword}" if " " not in keyword else f"{text} ({keyword})"

    # --- X --------------------------------------------------------------------------------------------

    def _x_user(self, username: str, followers: int | None = None) -> str:
        with self.lock:
            existing = self.x_user_ids.get(username.lower())
            if existing:
                return existing
            self._next_user += self.rng.randint(1, 997)
            user_id = str(self._next_user)
            self.x_users[user_id] = {
                "id": user_id,
                "username": username,
                "name": username.replace("_", " ").title(),
                "public_metrics": {
                    "followers_count": followers if followers is not None else int(self.rng.paretovariate(1.2) * 40),
                    "following_count": self.rng.randint(0, 900),
                    "tweet_count": self.rng.randint(1, 40_000),
                    "listed_count": self.rng.randint(0, 30),
                    "like_count": self.rng.randint(0, 9000),
                    "media_count": self.rng.randint(0, 300),
                },
            }
            self.x_user_ids[username.lower()] = user_id
            return user_id

    def _tweet(
        self,
        author_id: str,
        text: str,
        *,
        reply_to: str | None = None,
        lang: str = "en",
    ) -> str:
        with self.lock:
            self._next_tweet += self.rng.randint(1, 4_000_000) << 22
            tweet_id = str(self._next_tweet)
            tweet: dict[str, Any] = {
                "id": tweet_id,
                "text": text,
                "edit_history_tweet_ids": [tweet_id],
                "author_id": author_id,
                "created_at": self.now_iso(),
                "lang": lang,
                "conversation_id": tweet_id,
                "possibly_sensitive": False,
                "reply_settings": "everyone",
            }
            mentioned = re.findall(r"(?<![\w@])@(\w{1,15})", text)
            if mentioned:
                tweet["entities"] = {"mentions": []}
                for name in mentioned:
                    start = text.find("@" + name)
                    user_id = self.x_user_ids.get(name.lower())
                    entry: dict[str, Any] = {"start": start, "end": start + len(name) + 1, "username": name}
                    if user_id:
                        entry["id"] = user_id
                    tweet["entities"]["mentions"].append(entry)
            if reply_to and reply_to in self.tweet_index:
                parent = self.tweet_index[reply_to]
                tweet["in_reply_to_user_id"] = parent["author_id"]
                tweet["conversation_id"] = parent["conversation_id"]
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
            self.tweets.append(tweet)
            self.tweet_index[tweet_id] = tweet
            return tweet_id

    def add_x_mentions(self, n: int, kind: MentionKind = "mixed") -> list[str]:
        ids: list[str] = []
        with self.lock:
            for _ in range(n):
                chosen = kind
                if kind == "mixed":
                    roll = self.rng.random()
                    chosen = "mention" if roll < 0.6 else "reply" if roll < 0.75 else "keyword"
                if chosen != "keyword" and not self.brand_x_ids:
                    chosen = "keyword"
                username, _ = self._author_name()
                author = self._x_user(username)
                product = self.keywords[0]
                body = self.corpus.text(product)
                lang = self.rng.choice(_LANGS)
                if chosen == "keyword":
                    ids.append(self._tweet(author, self._ensure_keyword(body), lang=lang))
                    continue
                brand_index = self.rng.randrange(len(self.brand_x_ids))
                handle = self.x_users[self.brand_x_ids[brand_index]]["username"]
                reply_to = self.brand_tweets[brand_index] if chosen == "reply" else None
                ids.append(self._tweet(author, f"@{handle} {body}", reply_to=reply_to, lang=lang))
        return ids

    def post_tweet(
        self,
        text: str,
        *,
        username: str,
        name: str = "",
        followers: int | None = None,
        lang: str = "en",
        reply_to_brand: bool = False,
        created_at: datetime | None = None,
    ) -> str:
        """A given tweet by a given person (the demo's scripted mentions); returns its id."""
        with self.lock:
            author = self._x_user(username, followers)
            if name:
                self.x_users[author]["name"] = name
            reply_to = self.brand_tweets[0] if reply_to_brand and self.brand_tweets else None
            tweet_id = self._tweet(author, text, reply_to=reply_to, lang=lang)
            if created_at is not None:
                self.tweet_index[tweet_id]["created_at"] = _iso(created_at)
            return tweet_id

    def post_reddit(
        self,
        text: str,
        *,
        author: str,
        as_comment: bool = False,
        mention_account: bool = False,
        created_at: datetime | None = None,
    ) -> str:
        """A given submission (or comment, when mentioning the account or asked to) in a watched subreddit."""
        with self.lock:
            sub = self.subreddits[len(self.submissions) % len(self.subreddits)]
            if mention_account or as_comment:
                posts = [p for p in self.submissions if self.things[p]["data"]["subreddit"] == sub]
                body = f"u/{self.reddit_account} {text}" if mention_account else text
                name = self._comment(posts[0], body, author)
            else:
                title = text.split("\n")[0][:120]
                name = self._submission(sub, title, text if len(text) > 120 else "", author)
            if created_at is not None:
                stamp = float(int(created_at.timestamp()))
                self.things[name]["data"]["created_utc"] = self.things[name]["data"]["created"] = stamp
            return name

    def add_x_reply(self, in_reply_to: str, text: str) -> tuple[str | None, str]:
        """Our bot's reply; returns (tweet id, "") or (None, reason)."""
        with self.lock:
            if in_reply_to not in self.tweet_index:
                return None, "You attempted to reply to a Tweet that is deleted or not visible to you."
            for reply in self.replies:
                if reply.platform == "x" and reply.in_reply_to == in_reply_to and reply.text == text:
                    return None, "You are not allowed to create a Tweet with duplicate content."
            parent_author = self.x_users[self.tweet_index[in_reply_to]["author_id"]]["username"]
            full = text if text.startswith("@") else f"@{parent_author} {text}"
            tweet_id = self._tweet(self.x_me, full, reply_to=in_reply_to)
            self.replies.append(Reply("x", tweet_id, in_reply_to, text, self.now_iso()))
            return tweet_id, ""

    # --- Reddit ---------------------------------------------------------------------------------------

    def _permalink(self, sub: str, post_id: str, title: str, comment_id: str | None = None) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50] or "post"
        return f"/r/{sub}/comments/{post_id}/{slug}/" + (f"{comment_id}/" if comment_id else "")

    def _submission(self, sub: str, title: str, body: str, author: str | None) -> str:
        with self.lock:
            self._next_t3 += self.rng.randint(1, 40)
            post_id = _base36(self._next_t3)
            now = time.time()
            data: dict[str, Any] = {
                "id": post_id,
                "name": f"t3_{post_id}",
                "title": title,
                "selftext": body,
                "author": author,
                "author_fullname": f"t2_{_base36(zlib.crc32(author.encode()) % 36**7)}" if author else None,
                "subreddit": sub,
                "subreddit_name_prefixed": f"r/{sub}",
                "subreddit_id": f"t5_{_base36(zlib.crc32(sub.encode()) % 36**6)}",
                "created_utc": float(int(now)),
                "created": float(int(now)),
                "permalink": self._permalink(sub, post_id, title),
                "url": "",
                "num_comments": 0,
                "score": 1,
                "ups": 1,
                "over_18": False,
                "is_self": True,
                "locked": False,
                "removed_by_category": None,
            }
            data["url"] = f"https://www.reddit.com{data['permalink']}"
            self.things[data["name"]] = {"kind": "t3", "data": data}
            self.submissions.append(data["name"])
            return str(data["name"])

    def _comment(self, parent: str, body: str, author: str | None) -> str:
        with self.lock:
            parent_thing = self.things[parent]["data"]
            link = parent if parent.startswith("t3_") else parent_thing["link_id"]
            post = self.things[link]["data"]
            self._next_t1 += self.rng.randint(1, 40)
            comment_id = _base36(self._next_t1)
            now = time.time()
            data: dict[str, Any] = {
                "id": comment_id,
                "name": f"t1_{comment_id}",
                "body": body,
                "body_html": "",
                "author": author,
                "author_fullname": f"t2_{_base36(zlib.crc32(author.encode()) % 36**7)}" if author else None,
                "link_id": link,
                "parent_id": parent,
                "link_title": post["title"],
                "subreddit": post["subreddit"],
                "subreddit_name_prefixed": f"r/{post['subreddit']}",
                "subreddit_id": post["subreddit_id"],
                "created_utc": float(int(now)),
                "created": float(int(now)),
                "permalink": self._permalink(post["subreddit"], post["id"], post["title"], comment_id),
                "score": 1,
                "ups": 1,
                "distinguished": None,
                "stickied": False,
                "is_submitter": False,
            }
            self.things[data["name"]] = {"kind": "t1", "data": data}
            self.comments.append(data["name"])
            post["num_comments"] += 1
            if re.search(r"(?<![\w/])/?u/" + re.escape(self.reddit_account) + r"(?!\w)", body, re.IGNORECASE):
                self.inbox.append(data["name"])
            return str(data["name"])

    def add_reddit_mentions(self, n: int, kind: MentionKind = "mixed") -> list[str]:
        """Posts and comments in the watched subreddits: keyword posts, keyword comments, u/account mentions."""
        names: list[str] = []
        with self.lock:
            for _ in range(n):
                chosen = kind
                if kind == "mixed":
                    roll = self.rng.random()
                    chosen = "keyword" if roll < 0.7 else "mention"
                author, _ = self._author_name()
                sub = self.rng.choice(self.subreddits)
                body = self.corpus.text(self.keywords[0], "reddit")
                if chosen == "mention" and self.reddit_handles:
                    parent = self.rng.choice(self.submissions)
                    names.append(self._comment(parent, f"u/{self.reddit_account} {body}", author))
                elif self.rng.random() < 0.4:
                    title = self._ensure_keyword(body[:120].split("\n")[0])
                    names.append(self._submission(sub, title, body if len(body) > 120 else "", author))
                else:
                    posts = [p for p in self.submissions if self.things[p]["data"]["subreddit"] == sub]
                    comment = self._ensure_keyword(body, self.subreddit_keywords)
                    names.append(self._comment(self.rng.choice(posts), comment, author))
        return names

    def delete_reddit(self, fullname: str, *, removed: bool = False) -> None:
        """Deleted by its author (author null, body "[deleted]") or removed by a moderator ("[removed]")."""
        with self.lock:
            data = self.things[fullname]["data"]
            marker = "[removed]" if removed else "[deleted]"
            if not removed:
                data["author"] = None if fullname.startswith("t3_") else "[deleted]"
                data["author_fullname"] = None
            key = "body" if fullname.startswith("t1_") else "selftext"
            data[key] = marker
            if fullname.startswith("t3_") and removed:
                data["removed_by_category"] = "moderator"

    def add_reddit_reply(self, thing_id: str, text: str) -> tuple[dict[str, Any] | None, str]:
        with self.lock:
            data = self.things[thing_id]["data"] if thing_id in self.things else None
            if data is None or data.get("body", data.get("selftext")) in ("[deleted]", "[removed]"):
                return None, "that comment is deleted"
            name = self._comment(thing_id, text, self.reddit_account)
            self.replies.append(Reply("reddit", name, thing_id, text, self.now_iso()))
            return self.things[name], ""

    # --- fault campaigns (benchmarks/faults.py) ---------------------------------------------------------

    def post_to_brand(self, platform: str, *, author: str, text: str, in_reply_to: str = "") -> str:
        """`author` says `text` to the brand (X: "@handle text"; Reddit: "u/account text"), in the thread of
        `in_reply_to` when that post exists; returns the new post's id."""
        with self.lock:
            if platform == "x":
                handle = self.x_users[self.brand_x_ids[0]]["username"] if self.brand_x_ids else "mentiondesk_bot"
                parent = in_reply_to if in_reply_to in self.tweet_index else None
                if parent is None and self.brand_tweets:
                    parent = self.brand_tweets[0]
                return self._tweet(self._x_user(author), f"@{handle} {text}", reply_to=parent)
            parent = in_reply_to if in_reply_to in self.things else self.submissions[0]
            return self._comment(parent, f"u/{self.reddit_account} {text}", author)

    def delete_x_post(self, tweet_id: str) -> bool:
        """The author deletes a tweet: it leaves every timeline and X refuses replies to it."""
        with self.lock:
            tweet = self.tweet_index.pop(tweet_id, None)
            if tweet is None:
                return False
            del self.tweets[next(i for i, t in enumerate(self.tweets) if t is tweet)]
            return True

    def set_rate_limits(self, *, x: int | None = None, reddit: int | None = None) -> None:
        """Requests per window: X per endpoint (existing windows too), Reddit per client."""
        with self.lock:
            if x is not None:
                self.x_rate_limit = x
                for window in self.x_windows.values():
                    window.limit = x
            if reddit is not None:
                self.reddit_window.limit = reddit
