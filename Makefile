.PHONY: run test test-upgrade lint bench faults scale-out setup sample-letter sample-case

setup:
	python3 -m pip install -r requirements.txt

run:
	scripts/run.sh

test:
	scripts/test.sh

test-upgrade:
	scripts/test_upgrade.sh

lint:
	scripts/lint.sh

sample-letter:
	scripts/sample.sh letter

sample-case:
	scripts/sample.sh case

bench:
	python3 benchmarks/bench_escalation.py

faults:
	python3 benchmarks/faults.py

scale-out:
	python3 benchmarks/scale_out.py --invoices 10000 --workers 1 2
