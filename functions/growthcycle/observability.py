"""Logger, Tracer and Metrics: created once, here. Log structured fields, never personal data."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="growthcycle")
tracer = Tracer(service="growthcycle")
metrics = Metrics(namespace="GrowthCycle", service="growthcycle")
