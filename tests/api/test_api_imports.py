"""Background imports: queued with a job id, progress in the database, resumed after a restart."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import update

from citycarbon.services.import_jobs import claim_next_job
from citycarbon.services.import_worker import run_pending_jobs
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import ImportJob

City = Any


def upload(city: City, who: str, rows: str) -> Any:
    data = ("uscc,period,category,item,quantity,unit\n" + rows).encode()
    return city.client.post(
        "/api/v1/imports", files={"file": ("a.csv", data, "text/csv")}, headers=city.headers(who)
    )


def test_enterprise_upload_becomes_a_job_that_the_worker_completes(city: City) -> None:
    queued = upload(city, "enterprise_a", f"{city.uscc_a},2024-05,fuel,原煤,5,t\n")
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert job["state"] == "pending" and job["progress_percent"] == 0
    assert run_pending_jobs(city.url, stale_seconds=60) == 1
    done = city.client.get(f"/api/v1/imports/{job['job_id']}", headers=city.headers("enterprise_a")).json()
    assert (done["state"], done["progress_percent"], done["written_count"]) == ("succeeded", 100, 1)
    assert (
        city.client.get(f"/api/v1/imports/{job['job_id']}", headers=city.headers("enterprise_b")).status_code
        == 404
    )


def test_upload_with_another_organisations_rows_is_refused(city: City) -> None:
    refused = upload(city, "enterprise_a", f"{city.uscc_b},2024-05,fuel,原煤,5,t\n")
    assert refused.status_code == 403 and city.uscc_b in refused.json()["detail"]


def test_invalid_rows_fail_the_job_with_every_problem(city: City) -> None:
    job = upload(city, "enterprise_a", f"{city.uscc_a},2024-13,fuel,原煤,-5,t\n").json()
    run_pending_jobs(city.url, stale_seconds=60)
    failed = city.client.get(f"/api/v1/imports/{job['job_id']}", headers=city.headers("enterprise_a")).json()
    assert failed["state"] == "failed" and len(failed["problems"]) >= 2


def test_interrupted_job_is_picked_up_again_after_a_restart(city: City) -> None:
    job = upload(city, "enterprise_a", f"{city.uscc_a},2024-06,fuel,原煤,5,t\n").json()
    assert claim_next_job(city.url, stale_seconds=60) == job["job_id"]
    assert claim_next_job(city.url, stale_seconds=60) is None  # running with a fresh heartbeat
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with unit_of_work(city.url) as session:  # the server died: the heartbeat stopped
        session.execute(update(ImportJob).where(ImportJob.id == job["job_id"]).values(heartbeat_at=long_ago))
    assert run_pending_jobs(city.url, stale_seconds=60) == 1
    done = city.client.get(f"/api/v1/imports/{job['job_id']}", headers=city.headers("enterprise_a")).json()
    assert done["state"] == "succeeded"


def test_worker_in_the_application_lifespan_runs_jobs(city: City, client_with: Any) -> None:
    job = upload(city, "enterprise_a", f"{city.uscc_a},2024-07,fuel,原煤,5,t\n").json()
    with client_with(import_worker_enabled=True) as client:
        for _ in range(100):
            state = client.get(
                f"/api/v1/imports/{job['job_id']}", headers=city.headers("enterprise_a")
            ).json()
            if state["state"] == "succeeded":
                break
            time.sleep(0.1)
    assert state["state"] == "succeeded"


def test_job_problems_are_in_the_readers_language(city: City) -> None:
    job = upload(city, "enterprise_a", f"{city.uscc_a},2024-05,fuel,原煤,-5,t\n").json()
    run_pending_jobs(city.url, stale_seconds=60)
    path = f"/api/v1/imports/{job['job_id']}"
    zh = city.client.get(path, headers={**city.headers("enterprise_a"), "Accept-Language": "zh-CN"}).json()
    en = city.client.get(path, headers={**city.headers("enterprise_a"), "Accept-Language": "en"}).json()
    assert zh["problems"][0]["message"] == "数量不能为负数（当前值 -5）"
    assert en["problems"][0]["message"] == "Quantity must not be negative (got -5)"
    assert (zh["problems"][0]["row"], zh["problems"][0]["column"]) == (2, "quantity")
