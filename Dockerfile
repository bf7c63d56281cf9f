# Storyline: CPU-only image. Build: docker build -t storyline .   Run: docker run -p 8000:8000 -v storyline-data:/data storyline
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    STORYLINE_DATA_DIR=/data \
    STORYLINE_SEEDS_DIR=/app/seeds

WORKDIR /app
# CPU PyTorch first, so sentence-transformers does not pull CUDA builds.
RUN pip install torch==2.13.0 --index-url "${TORCH_INDEX_URL}"
COPY pyproject.toml README.md ./
COPY service ./service
RUN pip install .
COPY seeds ./seeds
COPY models ./models

RUN useradd --create-home --uid 10001 storyline && mkdir -p /data && chown storyline:storyline /data
USER storyline
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"
CMD ["uvicorn", "--factory", "service.app:create_app", "--host", "0.0.0.0", "--port", "8000"]
