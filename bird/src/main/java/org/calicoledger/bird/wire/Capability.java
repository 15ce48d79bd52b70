package org.calicoledger.bird.wire;

import java.util.Arrays;
import java.util.List;

/** OPEN capabilities (RFC 5492) this speaker understands; anything else is kept as {@link Unknown}. */
public sealed interface Capability {
  int MULTIPROTOCOL = 1;
  int ROUTE_REFRESH = 2;
  int GRACEFUL_RESTART = 64;
  int FOUR_OCTET_AS = 65;
  int ADD_PATH = 69;

  int code();

  /** RFC 4760. */
  record Multiprotocol(int afi, int safi) implements Capability {
    public static Multiprotocol of(Family f) {
      return new Multiprotocol(f.afi(), f.safi());
    }

    @Override
    public int code() {
      return MULTIPROTOCOL;
    }
  }

  /** RFC 2918. */
  record RouteRefresh() implements Capability {
    @Override
    public int code() {
      return ROUTE_REFRESH;
    }
  }

  /** RFC 6793. */
  record FourOctetAs(long asNumber) implements Capability {
    @Override
    public int code() {
      return FOUR_OCTET_AS;
    }
  }

  /**
   * RFC 4724.
   *
   * @param restarting the R bit: the sender has restarted
   * @param restartTime seconds (12 bits)
   */
  record GracefulRestart(boolean restarting, int restartTime, List<GrFamily> families) implements Capability {
    public GracefulRestart {
      if (restartTime < 0 || restartTime > 4095) {
        throw new IllegalArgumentException("graceful restart time " + restartTime + " is outside 0..4095");
      }
      families = List.copyOf(families);
    }

    @Override
    public int code() {
      return GRACEFUL_RESTART;
    }

    /** @param forwardingPreserved the F bit for this family */
    public record GrFamily(int afi, int safi, boolean forwardingPreserved) {}
  }

  /** RFC 7911; {@code mode} 1 receive, 2 send, 3 both. */
  record AddPath(List<AddPathFamily> families) implements Capability {
    public static final int RECEIVE = 1;
    public static final int SEND = 2;

    public AddPath {
      families = List.copyOf(families);
    }

    @Override
    public int code() {
      return ADD_PATH;
    }

    public record AddPathFamily(int afi, int safi, int mode) {
      public boolean receives() {
        return (mode & RECEIVE) != 0;
      }

      public boolean sends() {
        return (mode & SEND) != 0;
      }
    }

    /** Whether this capability lists {@code f} with a mode that has {@code bit} ({@link #RECEIVE}, {@link #SEND}). */
    public boolean has(Family f, int bit) {
      for (AddPathFamily a : families) {
        if (a.afi() == f.afi() && a.safi() == f.safi() && (a.mode() & bit) != 0) {
          return true;
        }
      }
      return false;
    }
  }

  record Unknown(int code, byte[] value) implements Capability {
    public Unknown {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Unknown u && u.code == code && Arrays.equals(u.value, value);
    }

    @Override
    public int hashCode() {
      return code * 31 + Arrays.hashCode(value);
    }
  }
}
