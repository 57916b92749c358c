# The read-only API with its SQLite database built in: `docker build -t zhuzhou-facts .`,
# then `docker run --rm -p 8000:8000 zhuzhou-facts`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# The app finds seed/ and migrations/ beside its package (app/config.py: PROJECT_ROOT), so the
# project stays together in /app and is installed in place.
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
RUN pip install --no-cache-dir -e .

# Build the database now, as root: the image ships it and the server only reads it.
ENV DATABASE_URL=sqlite:////app/var/zhuzhou-facts.sqlite3 \
    AUTO_SEED=false
RUN zhuzhou-facts seed \
    && chmod 0755 /app/var \
    && chmod 0444 /app/var/zhuzhou-facts.sqlite3 \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app

# Not root, and unable to write anything under /app (the database included).
USER 10001:10001

EXPOSE 8000

# No curl in the slim image: Python asks /livez itself.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=2).status != 200)"]

# On SIGTERM uvicorn stops accepting, finishes the responses in flight for at most
# TIMEOUT_GRACEFUL_SHUTDOWN (5 s, under docker stop's 10 s), and runs the lifespan shutdown.
STOPSIGNAL SIGTERM

# The README's run command, so the image enforces the same server limits (app/config.py: head
# size and time, keep-alive, graceful shutdown, concurrency, backlog; README "Settings"). Inside a
# container, binding every interface is right: the published port is the boundary. Behind a
# proxy in another container, set FORWARDED_ALLOW_IPS to its address.
ENV HOST=0.0.0.0 \
    PORT=8000
CMD ["zhuzhou-facts", "serve"]
