package org.calicoledger.ipam;

import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.StoreConfig;

/**
 * A real allocator process for {@link CrashRecoveryIT}: assigns one address and, right after the block write (before
 * the handle write), says so on stdout and waits to be killed. Args: etcd endpoint, host, handle.
 */
public final class CrashingAllocatorMain {
  private CrashingAllocatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    EtcdStore store = EtcdStore.connect(StoreConfig.local(args[0]));
    Ipam ipam = Ipam.builder(store).actor("doomed").faultHook((point, detail) -> {
      if (point == FaultHook.Point.BLOCK_WRITTEN) {
        System.out.println("crash-point " + point + " " + detail);
        System.out.flush();
        while (true) {
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            // keep waiting for SIGKILL
          }
        }
      }
    }).build();
    ipam.autoAssign(AssignRequest.of(args[2], args[1]));
    System.out.println("finished without reaching the crash point");
  }
}
