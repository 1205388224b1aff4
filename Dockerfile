FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir . \
 && useradd --system --home /var/lib/bcrm bcrm \
 && mkdir -p /var/lib/bcrm && chown bcrm /var/lib/bcrm
ENV BCRM_DATA_DIR=/var/lib/bcrm
USER bcrm
CMD ["bcrm", "--help"]
