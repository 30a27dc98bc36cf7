.PHONY: run test lint bench setup

setup:
	python3 -m pip install -r requirements.txt

run:
	scripts/run.sh

test:
	scripts/test.sh

lint:
	scripts/lint.sh

bench:
	python3 benchmarks/bench_escalation.py
