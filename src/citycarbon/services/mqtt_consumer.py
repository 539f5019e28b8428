"""Consume live readings over MQTT (QoS 1) and store them in small batches, at least once.

Each message is one JSON reading (:class:`~citycarbon.domain.supervision.monitoring.ReadingMessage`).
A malformed message, or one naming an outlet that is not registered, is logged with its reason
and dropped; nothing a sender does can stop the consumer. Valid readings are buffered and
committed in batches; a message is acknowledged to the broker only after its batch is committed
(paho's manual acknowledgement), so a crash between receipt and commit means redelivery, never
loss, and the store's duplicate rule makes redelivery harmless. Late and out-of-order readings
are stored like any other: the key is the observation time, not the arrival time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
import polars as pl
from paho.mqtt.enums import CallbackAPIVersion
from pydantic import ValidationError

from citycarbon.domain.errors import Problem
from citycarbon.domain.supervision.monitoring import ReadingMessage
from citycarbon.services.monitoring import prepare_readings, store_reading_frame
from citycarbon.store.db import unit_of_work

log = logging.getLogger("citycarbon.monitoring.mqtt")

DEFAULT_TOPIC = "citycarbon/monitoring/readings/#"
QOS = 1


@dataclass
class ConsumerStats:
    """Counts since the consumer started."""

    received: int = 0
    stored: int = 0
    revised: int = 0
    duplicates: int = 0
    malformed: int = 0
    unknown: int = 0
    failed_batches: int = 0
    batches: int = 0
    reasons: list[str] = field(default_factory=list)


def parse_message(payload: bytes | bytearray) -> ReadingMessage | str:
    """Return the reading in ``payload``, or the reason it cannot be one (never raises)."""
    try:
        return ReadingMessage.model_validate_json(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        return f"{where}: {first['msg']}"
    except Exception as error:  # a payload can be anything; its fault must not be ours
        return f"unreadable payload: {type(error).__name__}"


def _frame(messages: list[ReadingMessage]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (index, m.uscc, m.site_code, m.outlet_code, m.pollutant, m.observed_at, m.value, m.unit)
            for index, m in enumerate(messages)
        ],
        schema={
            "row_number": pl.Int64,
            "uscc": pl.String,
            "site_code": pl.String,
            "outlet_code": pl.String,
            "pollutant": pl.String,
            "observed_at": pl.Datetime("us", "UTC"),
            "value": pl.Float64,
            "unit": pl.String,
        },
        orient="row",
    )


class MonitoringConsumer:
    """An MQTT subscriber that writes readings to the store in small committed batches.

    Parameters
    ----------
    url
        Database URL.
    host, port
        Broker address (the local Mosquitto by default).
    topic
        Subscription (QoS 1).
    client_id
        Stable id: with a persistent session, the broker keeps QoS 1 messages while away.
    batch_size
        Commit after this many readings …
    flush_seconds
        … or after this many seconds, whichever comes first.

    """

    def __init__(
        self,
        url: str,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        topic: str = DEFAULT_TOPIC,
        client_id: str = "citycarbon-monitoring",
        batch_size: int = 200,
        flush_seconds: float = 1.0,
    ) -> None:
        self.url, self.host, self.port, self.topic = url, host, port, topic
        self.batch_size, self.flush_seconds = batch_size, flush_seconds
        self.stats = ConsumerStats()
        self._lock = threading.Lock()
        # In arrival order, malformed messages (None) included: MQTT wants PUBACKs in that order.
        self._buffer: list[tuple[int, ReadingMessage | None]] = []
        self._subscribed = threading.Event()
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, manual_ack=True
        )
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connection refused: %s", reason)
            return
        client.subscribe(self.topic, qos=QOS)

    def _on_subscribe(self, *_args: Any) -> None:
        self._subscribed.set()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            parsed = parse_message(message.payload)
            with self._lock:
                self.stats.received += 1
                if isinstance(parsed, str):
                    self.stats.malformed += 1
                    self.stats.reasons.append(parsed)
                    del self.stats.reasons[:-100]
                    self._buffer.append((message.mid, None))
                    log.warning("dropped malformed message on %s: %s", message.topic, parsed)
                else:
                    self._buffer.append((message.mid, parsed))
        except Exception:  # the network thread must survive anything
            log.exception("unexpected error handling a message; dropped")

    def flush(self) -> bool:
        """Commit up to ``batch_size`` buffered readings, then acknowledge their messages.

        Returns ``False`` when the store failed (the batch stays buffered, unacknowledged).
        """
        with self._lock:
            batch, self._buffer = self._buffer[: self.batch_size], self._buffer[self.batch_size :]
        readings = [message for _, message in batch if message is not None]
        counts = {"inserted": 0, "revised": 0, "ignored": 0}
        problems: list[Problem] = []
        try:
            if readings:
                with unit_of_work(self.url) as session:
                    ready, problems = prepare_readings(session, _frame(readings))
                    counts = store_reading_frame(session, ready, source="mqtt")
        except Exception:
            # Not acknowledged: the broker redelivers after reconnecting; keep them to retry now.
            log.exception("could not store a batch of %d readings; will retry", len(readings))
            with self._lock:
                self.stats.failed_batches += 1
                self._buffer = batch + self._buffer
            return False
        for problem in problems:
            log.warning("dropped reading: %s", problem.render())
        with self._lock:
            self.stats.batches += 1
            self.stats.unknown += len(problems)
            self.stats.stored += counts["inserted"]
            self.stats.revised += counts["revised"]
            self.stats.duplicates += counts["ignored"]
        for mid, _ in batch:  # malformed ones too: they will not get better by redelivery
            self._client.ack(mid, QOS)
        return True

    def start(self, timeout: float = 10.0) -> None:
        """Connect and subscribe (network loop in a background thread)."""
        self._client.connect(self.host, self.port, keepalive=30)
        self._client.loop_start()
        if not self._subscribed.wait(timeout):
            raise TimeoutError(
                f"no subscription to {self.topic} on {self.host}:{self.port} within {timeout} s"
            )

    def stop(self) -> None:
        """Store what is buffered and disconnect."""
        while self._pending() and self.flush():
            pass
        self._client.disconnect()
        self._client.loop_stop()

    def run(
        self,
        *,
        stop: threading.Event | None = None,
        seconds: float | None = None,
        on_batch: Callable[[ConsumerStats], None] = lambda _stats: None,
    ) -> ConsumerStats:
        """Consume until ``stop`` is set or ``seconds`` have passed (forever when neither is given)."""
        stop = stop or threading.Event()
        deadline = None if seconds is None else time.monotonic() + seconds
        self.start()
        try:
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                stop.wait(self.flush_seconds)
                while self._pending() and self.flush():
                    on_batch(self.stats)
        finally:
            self.stop()
        return self.stats

    def _pending(self) -> int:
        with self._lock:
            return len(self._buffer)


def reading_payload(
    uscc: str,
    site_code: str,
    outlet_code: str,
    pollutant: str,
    observed_at: dt.datetime,
    value: float,
    unit: str,
) -> bytes:
    """The JSON a monitoring station sends for one reading (used by tests, the demo and docs)."""
    return json.dumps(
        {
            "uscc": uscc,
            "site_code": site_code,
            "outlet_code": outlet_code,
            "pollutant": pollutant,
            "observed_at": observed_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "value": value,
            "unit": unit,
        }
    ).encode("utf-8")
