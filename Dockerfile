# Image for web, worker and beat (docker-compose.yml). Models are installed into /data at run time
# with `tagengo models install`, never downloaded by the image.
FROM python:3.11-slim
# Pango: WeasyPrint shapes the report PDFs with it (fonts come from web/static/vendor).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
# espeak-ng speaks announcements offline (README: "Spoken announcements and the e-mail list").
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY workers ./workers
COPY translations ./translations
COPY manuals ./manuals
COPY web ./web
RUN pip install --no-cache-dir . && useradd --create-home tagengo && mkdir /data && chown tagengo /data
USER tagengo
ENV TAGENGO_DATA_DIR=/data
EXPOSE 8080
CMD ["tagengo", "web"]
