package org.calicoledger.lab;

import java.nio.file.Path;

/**
 * What the nodes of a {@link Cluster} connect to: etcd and the change log (Kafka), with the journal publishing one
 * into the other, all running inside the cluster's infra namespace ({@code <prefix>infra}, eth0 10.10.0.1/24, default
 * route via the fabric). {@link SingleInfra} is one etcd and one journal with its embedded broker; the
 * high-availability variant ({@code --ha}: several etcd members, brokers and journals) plugs in through
 * {@link Factory}, the hook {@link Cluster.Options#infra} takes.
 *
 * <p>Processes an implementation starts should be started through the given {@link Host}, so that the cluster's
 * cleanup kills them even when {@link #close} is never reached.
 */
public interface Infra extends AutoCloseable {
  /** etcd endpoints as the nodes reach them (comma-separated URLs), e.g. {@code http://10.10.0.1:2379}. */
  String etcdEndpoints();

  /** Kafka bootstrap servers as the nodes reach them, e.g. {@code 10.10.0.1:9092}. */
  String kafkaBootstrap();

  /** Stops what this infra started (the cluster's Host removes anything left). */
  @Override
  void close();

  /** Starts an infra in namespace {@code ns} (already created and wired), with {@code dir} for its data and logs. */
  @FunctionalInterface
  interface Factory {
    Infra start(Host host, String ns, Path dir) throws Exception;
  }
}
