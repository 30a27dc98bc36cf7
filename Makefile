.PHONY: run test lint bench setup sample-letter sample-case

setup:
	python3 -m pip install -r requirements.txt

run:
	scripts/run.sh

test:
	scripts/test.sh

lint:
	scripts/lint.sh

sample-letter:
	scripts/sample_letter.sh

sample-case:
	scripts/sample_case.sh

bench:
	python3 benchmarks/bench_escalation.py
