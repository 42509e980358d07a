"""Share drivers of the manila-placement test bed: Manila's dummy driver with one behaviour
changed each, for what a real cloud does and the dummy driver never does.

Both class names contain "Dummy": the dummy driver's share_server_migration_check_compatibility
calls a destination compatible only when its share_driver path contains that word.

- FailingContinueDummyDriver (backend `faulty`): phase 1 fails asynchronously. Its
  share_server_migration_continue raises, as a driver whose data copy breaks would. Manila's
  manager (share_server_migration_driver_continue) then sets the destination to
  error/migration_error (left behind, still pointing at the source), the source back to
  active/migration_error, and the shares back to available with their access rules restored.

- ReadOnlyDummyDriver (backend `readonly`): migration_check answers writable: false, as many
  real drivers do. Manila's manager (_share_server_migration_start_driver) then casts the
  access rules of every share on the server to read-only for the whole of phase 1, and
  restores them after complete, cancel or failure.

- PacedDummyDriver (backends alpha, beta, gamma): the dummy driver, unless the file
  `phase1-seconds` beside this module holds a number N. Then share_server_migration_continue
  answers "not yet" until N seconds after Manila first asked about that migration, as a real
  driver does while its data copy runs (hours in production, 15 s with the dummy driver). The
  benchmarks write the file for a run and remove it after; `testbed.sh start` removes it too.
"""
import os
import time

from manila import exception
from manila.tests.share.drivers import dummy

PHASE1_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "phase1-seconds")


def _phase1_seconds():
    try:
        with open(PHASE1_FILE) as f:
            return float(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0.0


class PacedDummyDriver(dummy.DummyDriver):
    """Phase 1 lasts at least phase1-seconds (when that file exists)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # destination server id -> when Manila first asked whether its phase 1 is done
        self._first_asked = {}

    def share_server_migration_continue(self, context, src_share_server, dest_share_server,
                                        *args, **kwargs):
        wanted = _phase1_seconds()
        if wanted > 0:
            first = self._first_asked.setdefault(dest_share_server["id"], time.monotonic())
            if time.monotonic() - first < wanted:
                return False
        # The dummy driver itself answers done on its second call (progress 50, then 100).
        done = super().share_server_migration_continue(
            context, src_share_server, dest_share_server, *args, **kwargs)
        if done:
            self._first_asked.pop(dest_share_server["id"], None)
        return done


class FailingContinueDummyDriver(dummy.DummyDriver):
    """Phase 1 fails: the driver raises when Manila asks whether it is done."""

    def share_server_migration_continue(self, context, src_share_server,
                                        dest_share_server, shares, snapshots):
        raise exception.ShareBackendException(
            msg="mp-testbed: the data copy to %s failed (FailingContinueDummyDriver "
                "fails phase 1 on purpose)" % dest_share_server.get("host"))


class ReadOnlyDummyDriver(dummy.DummyDriver):
    """Shares cannot stay writable during phase 1."""

    def share_server_migration_check_compatibility(
            self, context, share_server, dest_host, old_share_network,
            new_share_network, shares_request_spec):
        result = super().share_server_migration_check_compatibility(
            context, share_server, dest_host, old_share_network, new_share_network,
            shares_request_spec)
        result["writable"] = False
        return result
