# The image compose.yaml builds for `mentiondesk run` and `mentiondesk serve`.
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY mentiondesk mentiondesk
COPY listener listener
COPY responders responders
COPY rules rules
COPY storage storage
RUN pip install --no-cache-dir . && useradd --create-home desk && mkdir -p /data/outbox && chown desk /data/outbox
USER desk
WORKDIR /home/desk
CMD ["mentiondesk", "--help"]
