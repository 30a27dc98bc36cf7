{
    "name": "Kreancia Collect - Job Queue",
    "summary": "The daily dunning run split into queue jobs that workers of several servers perform in parallel",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "Kreancia",
    "website": "https://github.com/kreancia/kreancia_collect",
    "maintainers": ["kreancia"],
    "depends": ["kreancia_collect", "queue_job"],
    "data": [
        # data
        "data/queue_job_data.xml",
    ],
    "auto_install": True,
}
