from . import test_daily_run_jobs
from . import test_parallel_workers
from . import test_queued_run_jobs
