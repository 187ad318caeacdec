# dataops: the front door. `make demo` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# One interpreter for the project venv and for MiniStack's venv (which plays the Lambda runtime, python3.12).
PYENV_PY312 := $(shell pyenv root 2>/dev/null)/versions/3.12.1/bin/python
PYTHON ?= $(shell (test -x $(PYENV_PY312) && echo $(PYENV_PY312)) || command -v python3.12 2>/dev/null || command -v python3)
export LAMBDA_PYTHON ?= $(PYTHON)

PROFILE ?= agent_system
# The scenario `make demo` seeds; empty: the profile's default (tattoo_directory's is the full 10,000 artists).
SCENARIO ?=
STAGE ?= dev
# A profile of your own: its package folder goes into the layer and onto PYTHONPATH, e.g.
# `make deploy PROFILE=acme_data.acme PROFILE_PACKAGE=../acme_data`.
PROFILE_PACKAGE ?=
VENV := .venv
BIN := $(VENV)/bin
NODE_BIN := node_modules/.bin

PROFILE_PYTHONPATH := $(if $(PROFILE_PACKAGE),PYTHONPATH=$(abspath $(PROFILE_PACKAGE)/..))
# cdklocal needs both endpoints (its default hostname does not resolve here) and test keys.
LOCAL_AWS := AWS_ENDPOINT_URL=http://localhost:4566 AWS_ENDPOINT_URL_S3=http://127.0.0.1:4566 \
	AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
	PATH=$(CURDIR)/$(BIN):$$PATH $(PROFILE_PYTHONPATH)
# Extra CDK context for deploy/destroy, e.g. CONTEXT="-c backup_schedule_minutes=1".
CONTEXT ?=
CDK_CONTEXT := -c target=local -c profile=$(PROFILE) -c stage=$(STAGE) $(CONTEXT)

.PHONY: help install up down status layer layer-aws bootstrap deploy destroy demo invoke lint format test \
	test-unit test-infra test-integration test-e2e bench clean docs

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-17s %s\n", $$1, $$2}'

install: $(VENV)/.installed node_modules/.installed ## Install Python and Node dependencies (idempotent)

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -r requirements-dev.txt
	$(BIN)/python -m pip install -qq --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

up: install ## Start MiniStack (4566), PostgreSQL and osmem-server (9200); idempotent
	$(BIN)/dataops local up

down: ## Stop only what `make up` started
	test ! -x $(BIN)/dataops || $(BIN)/dataops local down

status: ## Show the local services
	$(BIN)/dataops local status

layer: up ## Build the Lambda layer for the interpreter that runs MiniStack
	ministack_python="$$($(BIN)/dataops local python)" && \
		$(BIN)/python layers/build_layer.py --target local --python "$$ministack_python" \
		$(if $(PROFILE_PACKAGE),--package $(PROFILE_PACKAGE))

layer-aws: install ## Build the Lambda layer for AWS (python3.12 manylinux wheels)
	$(BIN)/python layers/build_layer.py --target aws $(if $(PROFILE_PACKAGE),--package $(PROFILE_PACKAGE))

bootstrap: layer
	$(LOCAL_AWS) $(NODE_BIN)/cdklocal bootstrap aws://000000000000/us-east-1 --quiet

deploy: bootstrap ## Deploy PROFILE (default agent_system) at STAGE (default dev) to the local target
	$(LOCAL_AWS) $(NODE_BIN)/cdklocal deploy --all --require-approval never --progress events $(CDK_CONTEXT)

destroy: ## Remove the local deployment of PROFILE at STAGE
	$(LOCAL_AWS) $(NODE_BIN)/cdklocal destroy --all --force $(CDK_CONTEXT)

invoke: ## Invoke the deployed health and status functions and print their reports
	$(PROFILE_PYTHONPATH) $(BIN)/dataops health --remote --profile $(PROFILE) --stage $(STAGE)
	$(PROFILE_PYTHONPATH) $(BIN)/dataops status --remote --profile $(PROFILE) --stage $(STAGE)

demo: deploy ## Install, start the local stack, deploy PROFILE, run its init workflow, print its health
	$(LOCAL_AWS) $(BIN)/dataops init --remote --profile $(PROFILE) --stage $(STAGE) $(if $(SCENARIO),--scenario $(SCENARIO))
	$(LOCAL_AWS) $(BIN)/dataops health --remote --profile $(PROFILE) --stage $(STAGE)
	@echo ""
	@echo "Where to look next:"
	@echo "  $(BIN)/dataops status --remote -p $(PROFILE) -s $(STAGE)     records per entity in each store"
	@echo "  $(BIN)/dataops workflow list -p $(PROFILE) -s $(STAGE)       the workflows and their last runs"
	@echo "  $(BIN)/dataops audit -p $(PROFILE) -s $(STAGE)               who changed what, and when"
	@echo "  $(BIN)/dataops --help                                     every command (README: the command map)"
	@echo "  make demo PROFILE=tattoo_directory SCENARIO=minimal     the other built-in profile, quickly"

lint: install ## ruff, ruff format --check and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy layers/dataops functions infra app.py tests benchmarks docs

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: install ## Regenerate docs/operations.md from the request and result models
	$(BIN)/python -m docs.reference

test-unit: install
	$(BIN)/pytest tests/unit -q

test-infra: install
	$(BIN)/pytest tests/infra -q

test-integration: up
	$(BIN)/pytest tests/integration -q

test-e2e: layer
	$(LOCAL_AWS) $(BIN)/pytest tests/e2e -q

test: lint layer ## Lint, then every test suite (unit, infra, integration, e2e) against the local target
	$(LOCAL_AWS) $(BIN)/pytest tests/unit tests/infra tests/integration tests/e2e -q

bench: up ## Benchmarks at quick sizes (BENCH_ARGS="--only validation --records 1000000" for one at full size)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean: ## Remove build output (keeps the venv and the local stack)
	rm -rf build cdk.out
