# The pipeline on the official Apache Airflow image (3.3, Python 3.11).
FROM apache/airflow:3.3.2-python3.11

# Pinned dependencies first (cached layer), then the project itself.
COPY --chown=airflow:root requirements.txt constraints.txt /opt/defence-news/
RUN pip install --no-cache-dir -r /opt/defence-news/requirements.txt -c /opt/defence-news/constraints.txt

COPY --chown=airflow:root pyproject.toml README.md /opt/defence-news/
COPY --chown=airflow:root include /opt/defence-news/include
RUN pip install --no-cache-dir --no-deps /opt/defence-news

COPY --chown=airflow:root dags /opt/airflow/dags
COPY --chown=airflow:root plugins /opt/airflow/plugins
COPY --chown=airflow:root seeds /opt/defence-news/seeds

ENV DEFENCE_NEWS_SEED_SITE=/opt/defence-news/seeds/site
