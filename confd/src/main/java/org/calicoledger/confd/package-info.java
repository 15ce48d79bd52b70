/** confd: BIRD 2 configuration rendered from the cluster image for one node, written atomically, BIRD reloaded. */
package org.calicoledger.confd;
