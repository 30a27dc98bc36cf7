import psycopg2

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import RetryableJobError

RECONNECT_DELAY = 10  # seconds before a batch job cut from the database is tried again


def connection_lost(error):
    """Whether ``error`` says the database went away (restarted, connections cut), not what the job did.

    psycopg2 gives no SQLSTATE for a connection closed under it; PostgreSQL says 08xxx (connection
    exception) or 57P01-57P03 (shutdown, crash, not accepting connections yet) when it does.
    """
    if isinstance(error, psycopg2.InterfaceError):
        return True
    code = getattr(error, "pgcode", None)
    return code is None or code.startswith(("08", "57P"))


class KreanciaRunJobController(RunJobController):
    """A dunning batch job cut from the database is tried again, not failed.

    queue_job postpones a job that fails to serialize, but fails one whose
    connection was lost (PostgreSQL restarted, connections cut): the error
    then surfaces when queue_job rolls its savepoint back, outside the job.
    A batch does nothing twice when performed again (it re-reads and locks
    its invoices), so it is postponed like a serialization failure, within
    the job's retry limit. Other jobs are left as queue_job handles them.
    """

    @classmethod
    def _try_perform_job(cls, env, job):
        try:
            return super()._try_perform_job(env, job)
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            batch = job.model_name == "kreancia.escalation" and job.method_name == "_job_perform_batch"
            within_limit = not job.max_retries or job.retry < job.max_retries
            if not (batch and within_limit and connection_lost(error)):
                raise
            # kept untranslated on the job, as queue_job keeps PostgreSQL's own messages: translating needs
            # the database, and this cursor's connection is gone
            message = f"Database connection lost, tried again in {RECONNECT_DELAY} s: {str(error).strip()}"
            raise RetryableJobError(message, seconds=RECONNECT_DELAY) from error
