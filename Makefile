# The README's commands are these targets. Each makes the virtual environment itself.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck check bench bench-coldstart bench-calls bench-trust bench-load chromium clean security bandit audit checkov

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## make demo: install and run the whole system locally on 127.0.0.1:8000 (no AWS account)
demo: $(STAMP)
	$(BIN)/growthcycle demo

## make test: install everything (including Debian's chromium) and run every test
test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadgroup

chromium:
	@sh scripts/ensure-chromium.sh

lint: $(STAMP)
	$(BIN)/ruff check functions tests benchmarks
	$(BIN)/ruff format --check functions tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP) chromium
	$(BIN)/python -m benchmarks

## make bench-coldstart: only the cold-start comparison (rewrites its section of docs/performance.md)
bench-coldstart: $(STAMP)
	$(BIN)/python -m benchmarks coldstart

## make bench-calls: only the AWS calls per route at 20 and 400 staff (rewrites its section)
bench-calls: $(STAMP)
	$(BIN)/python -m benchmarks calls

## make bench-trust: only a big trust's daily check and CPD digest, 40 schools of 200 staff
bench-trust: $(STAMP)
	$(BIN)/python -m benchmarks trust

## make bench-load: only the load test, 200 staff for two minutes against the local stack
bench-load: $(STAMP)
	$(BIN)/python -m benchmarks load

## make security: bandit over the code, pip-audit over the runtime requirements (docs/security.md)
security: bandit audit

bandit: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r functions -q

# pip-audit lives in its own venv and audits what `sam build` installs (functions/requirements.txt and requirements-api.txt).
# It fails on any known vulnerability. A package it could not look up (no route to the
# vulnerability service) is reported loudly as NOT audited; AUDIT_STRICT=1 makes that fail too.
.venv-audit/bin/pip-audit:
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/pip install --quiet pip-audit

audit: .venv-audit/bin/pip-audit
	@out=$$(.venv-audit/bin/pip-audit -r functions/requirements.txt -r functions/requirements-api.txt --progress-spinner off \
	  $(if $(AUDIT_STRICT),--strict,) 2>&1); rc=$$?; echo "$$out"; \
	n=$$(echo "$$out" | grep -c "could not be audited"); \
	[ "$$n" -eq 0 ] || echo "pip-audit: WARNING: $$n packages were NOT audited (no route to the vulnerability service); this is not a clean result"; \
	exit $$rc

## make checkov: checkov on template.yaml in its own venv, with the skips explained in docs/security.md
CHECKOV_SKIPS := CKV_AWS_115,CKV_AWS_116,CKV_AWS_117,CKV_AWS_173,CKV_AWS_158,CKV_AWS_149,CKV_AWS_26,CKV_AWS_27
.venv-checkov/bin/checkov:
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet checkov

checkov: .venv-checkov/bin/checkov
	.venv-checkov/bin/checkov -f template.yaml --framework cloudformation --skip-download --quiet --compact \
	  --skip-check $(CHECKOV_SKIPS)

clean:
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache
