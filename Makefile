# Two commands for a new user: `make run` and `make test`. Everything else is what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CATALOGUES := $(wildcard survey_app/translations/*/LC_MESSAGES/messages.po)

.PHONY: run test setup db translations extract lint bench clean

run: setup db
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	@# Plain HTTP on this machine: a Secure session cookie would not come back. The jobs'
	@# worker (posters, imports, exports) runs as a thread of this server, on a SQLite queue
	@# file in instance/ (production runs `flask jobs worker` as a service: docs/DEPLOY.md).
	SURVEY_HTTPS=false SURVEY_JOB_WORKER_IN_PROCESS=true $(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	@# TEST_DATABASE_URL picks the backend (default: SQLite).
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed translations

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

translations: $(CATALOGUES:.po=.mo)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

# Migrate the SQLite database in instance/ and load the demo province (both are idempotent).
db: setup
	$(FLASK) db upgrade
	$(FLASK) demo load

# Refresh the catalogues from the code; then fill in every empty msgstr.
extract: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o survey_app/translations/messages.pot .
	$(BIN)/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations --no-fuzzy-matching

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/submit.py
	$(BIN)/python bench/posters.py

clean:
	rm -rf $(VENV) instance/survey.db*
