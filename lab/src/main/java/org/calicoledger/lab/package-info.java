/**
 * The local multi-node cluster in network namespaces: the topology {@code bin/demo} brings up and walks through, and
 * the end-to-end tests assert on. It drives the project only through its launchers in {@code bin/}.
 */
package org.calicoledger.lab;
