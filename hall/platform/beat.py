"""Beat's scheduler: celery-redbeat's, made to outlive a Redis outage.

Beat's loop calls `tick()` forever, and redbeat lets any Redis error out of it, which ends beat:
on a private stack in production settings beat exited after each of two Redis outages and every
sweep stopped until someone restarted it (issue 25). Here a tick that meets Redis down logs it,
waits with back-off (1, 2, 4 … 30 s) and tries again; when Redis answers again:

- the lock: the active beat's lock (`HALL_BEAT_LOCK_SECONDS`) may have expired meanwhile, or a
  standby may have taken it. A beat whose lock is gone tries to take it again without waiting;
  while another beat holds it, this one ticks as a standby (publishes nothing) until it can. So
  there is still never a second active beat.
- the schedule: this project's Redis keeps nothing on disk, so a restarted Redis has no schedule
  at all and redbeat would run nothing. Each tick checks that the schedule's key exists and
  writes the static entries again when it does not (they are then due at once).

What fell due during the outage is acted on by the first run of each sweep afterwards, exactly
once: the sweeps select what is due by the database's clock and change it with conditional
updates (README "How it runs"), however late and however often they run.
"""

from __future__ import annotations

import logging

import redis
from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, RedBeatScheduler, get_redis

logger = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 30.0
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class HallRedBeatScheduler(RedBeatScheduler):
    failed_ticks = 0

    def tick(self, *args, **kwargs):
        try:
            if self.lock_key and not self._lock_held():
                return self.max_interval  # a standby: another beat is active
            self._schedule_present()
            interval = super().tick(*args, **kwargs)
        except REDIS_DOWN as error:
            self.failed_ticks += 1
            wait = min(BACKOFF_CAP_SECONDS, 2.0 ** (self.failed_ticks - 1))
            logger.warning(
                "beat: Redis unreachable (%s, %d ticks); trying again in %.0f s",
                type(error).__name__,
                self.failed_ticks,
                wait,
            )
            return wait
        except redis.exceptions.LockError:
            # The lock expired while Redis was away (or a standby took it): take it again.
            logger.warning("beat: lost the beat lock; taking it again before publishing")
            self.lock = None
            return 0.5
        if self.failed_ticks:
            logger.warning("beat: Redis answers again after %d failed ticks", self.failed_ticks)
            self.failed_ticks = 0
        return interval

    def _lock_held(self) -> bool:
        """Hold the beat lock, taking it without waiting if this beat has none (after an outage,
        or when the start-up attempt failed); False while another beat holds it."""
        if self.lock is not None:
            return True
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)
        if not lock.acquire(blocking=False):
            return False
        logger.warning("beat: acquired the beat lock")
        self.lock = lock
        return True

    def _schedule_present(self) -> None:
        statics = self.app.redbeat_conf.statics_key
        if self.app.redbeat_conf.schedule and not get_redis(self.app).exists(statics):
            logger.warning("beat: the schedule is gone from Redis (restarted empty); writing it")
            self.setup_schedule()
