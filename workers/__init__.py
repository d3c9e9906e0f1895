"""Celery workers: thin tasks that take ids and call plain functions."""
