# Genesis: the common commands. `make help` lists them.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

COMPOSE_DIR := infra/compose
COMPOSE_PROJECT_NAME ?= genesis
export COMPOSE_PROJECT_NAME
VARIANT ?= dev

.PHONY: help install deps test lint format provision plan verify compose-up compose-down compose-config base-image

help: ## List the commands
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

deps: ## Install the system packages the tests need (Debian 12 / Ubuntu 24.04)
	bash scripts/setup/install-dependencies.sh

# `npm ci` installs exactly package-lock.json (which lists every platform's optional binaries) and
# never rewrites it, so the checkout stays clean.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json ## Install the npm workspaces

test: deps install ## Run the whole test suite (lint, typecheck, unit, build, integration)
	bash scripts/ci/prepare-docker.sh
	npm test

lint: install ## Lint every project
	npx nx run-many -t lint

format: install ## Format the workspace with Prettier
	npx nx format:write

plan: install ## Show what provisioning would change (embedded simulator without PVE_HOST)
	npx nx run infra:plan

provision: install ## Converge the Proxmox host to infra/genesis.yaml (embedded simulator without PVE_HOST)
	npx nx run infra:provision

verify: install ## Check the acceptance criteria on the host
	npx nx run infra:verify

compose-config: install ## Validate every compose variant (base + dev, mock, prod)
	npx nx run compose:config

compose-up: install ## Start the stack: make compose-up VARIANT=dev|mock|prod
	@test -f $(COMPOSE_DIR)/.env || { echo "$(COMPOSE_DIR)/.env is missing: cp $(COMPOSE_DIR)/.env.example $(COMPOSE_DIR)/.env, then set its secrets"; exit 1; }
	npx nx run-many -t build --projects=tag:type:app
	docker-compose --project-directory $(COMPOSE_DIR) -f $(COMPOSE_DIR)/docker-compose.yml -f $(COMPOSE_DIR)/docker-compose.$(VARIANT).yml up -d --build

compose-down: ## Stop the stack: make compose-down VARIANT=dev|mock|prod
	docker-compose --project-directory $(COMPOSE_DIR) -f $(COMPOSE_DIR)/docker-compose.yml -f $(COMPOSE_DIR)/docker-compose.$(VARIANT).yml down

base-image: ## Build the local Debian base image (no registry needed)
	bash scripts/ci/build-base-image.sh
