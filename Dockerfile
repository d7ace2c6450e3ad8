# The tillsync worker (and CLI) image for the production-shaped stack in docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY starter starter
COPY connectors connectors
COPY store store
COPY worker.py ./
RUN pip install --no-cache-dir .
USER nobody
CMD ["python", "-m", "worker"]
