"""Translation and interpreter requests: queue by language, claim, check, deliver, metrics."""
