from . import test_daily_run_jobs
from . import test_queued_run_jobs
