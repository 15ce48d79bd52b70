/** A BGP-4 speaker: {@code wire} codec, {@code fsm}, {@code rib}; only {@code io} touches Vert.x/Netty. */
package org.calicoledger.bird;
