package org.calicoledger.hooks;

import java.time.Duration;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.store.Store;

/**
 * What every worker of one runner shares: the store, the ledger over it and its status writer, Kafka, the change feed,
 * the dead-letter producer, how often a status is persisted and how long Kafka may take to answer. All thread-safe.
 */
record HookContext(Store store, HookLedger ledger, StatusWriter statuses, KafkaSettings kafka, ChangeFeed feed,
    DeadLetters deadLetters, Duration statusInterval, Duration kafkaTimeout) {}
