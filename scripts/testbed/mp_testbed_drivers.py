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
"""
from manila import exception
from manila.tests.share.drivers import dummy


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
