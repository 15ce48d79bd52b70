package org.calicoledger.ipam;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;
import org.calicoledger.model.net.Cidr;

/**
 * The order in which a host tries a pool's blocks when it claims one: a permutation of the pool's blocks seeded by
 * the host name, so that many hosts starting at once begin at different blocks and walk apart (Calico seeds its
 * walk with the FNV hash of the host name for the same reason). The permutation is {@code i -> start + i * step mod
 * n}: the block count {@code n} is a power of two and {@code step} is odd, so every block comes exactly once.
 */
final class BlockOrder implements Iterator<Cidr> {
  private final PoolView pool;
  private final BigInteger n;
  private final BigInteger start;
  private final BigInteger step;
  private BigInteger i = BigInteger.ZERO;

  BlockOrder(PoolView pool, String host) {
    this.pool = pool;
    this.n = pool.blockCount();
    Random r = new Random(fnv1a(host + "|" + pool.cidr()));
    BigInteger s = new BigInteger(Math.max(1, n.bitLength()), r).mod(n);
    this.start = s;
    this.step = new BigInteger(Math.max(1, n.bitLength()), r).mod(n).setBit(0).mod(n.max(BigInteger.TWO));
  }

  static long fnv1a(String s) {
    long h = 0x811c9dc5L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h = (h * 0x01000193L) & 0xffffffffL;
    }
    return h;
  }

  @Override
  public boolean hasNext() {
    return i.compareTo(n) < 0;
  }

  @Override
  public Cidr next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    BigInteger index = start.add(i.multiply(step)).mod(n);
    i = i.add(BigInteger.ONE);
    return pool.blockAt(index);
  }
}
