package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT;
import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.calicoledger.model.net.Cidr;

/** A range of pod addresses, cut into blocks of {@code blockSize} that IPAM hands to hosts. */
public record IPPool(ObjectMeta metadata, Spec spec) implements Resource {
  public static final String ALL = "all()";

  public IPPool {
    spec = spec == null ? new Spec(null, null, null, false, false, false, 0, null, null, null, null) : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(
      @JsonInclude(JsonInclude.Include.ALWAYS) String cidr,
      String vxlanMode,
      String ipipMode,
      @JsonInclude(NON_DEFAULT) boolean natOutgoing,
      @JsonInclude(NON_DEFAULT) boolean disabled,
      @JsonInclude(NON_DEFAULT) boolean disableBGPExport,
      @JsonInclude(NON_DEFAULT) int blockSize,
      String nodeSelector,
      String namespaceSelector,
      List<String> allowedUses,
      String assignmentMode) {

    public Spec {
      allowedUses = allowedUses == null ? null : List.copyOf(allowedUses);
    }

    public static Spec of(String cidr) {
      return new Spec(cidr, null, null, false, false, false, 0, null, null, null, null);
    }

    public Spec withNatOutgoing(boolean v) {
      return new Spec(cidr, vxlanMode, ipipMode, v, disabled, disableBGPExport, blockSize, nodeSelector,
          namespaceSelector, allowedUses, assignmentMode);
    }

    public Spec withDisabled(boolean v) {
      return new Spec(cidr, vxlanMode, ipipMode, natOutgoing, v, disableBGPExport, blockSize, nodeSelector,
          namespaceSelector, allowedUses, assignmentMode);
    }

    public Spec withModes(String ipip, String vxlan) {
      return new Spec(cidr, vxlan, ipip, natOutgoing, disabled, disableBGPExport, blockSize, nodeSelector,
          namespaceSelector, allowedUses, assignmentMode);
    }

    public Spec withBlockSize(int v) {
      return new Spec(cidr, vxlanMode, ipipMode, natOutgoing, disabled, disableBGPExport, v, nodeSelector,
          namespaceSelector, allowedUses, assignmentMode);
    }

    public Spec withNodeSelector(String v) {
      return new Spec(cidr, vxlanMode, ipipMode, natOutgoing, disabled, disableBGPExport, blockSize, v,
          namespaceSelector, allowedUses, assignmentMode);
    }

    /** The pool's network; throws if {@code cidr} is not a CIDR (validation reports that first). */
    public Cidr network() {
      return Cidr.parse(cidr);
    }

    public EncapMode ipip() {
      return EncapMode.of(ipipMode);
    }

    public EncapMode vxlan() {
      return EncapMode.of(vxlanMode);
    }
  }

  public static IPPool of(String name, Spec spec) {
    return new IPPool(ObjectMeta.named(name), spec);
  }

  @Override
  public IPPool withMetadata(ObjectMeta m) {
    return new IPPool(m, spec);
  }

  public IPPool withSpec(Spec s) {
    return new IPPool(metadata, s);
  }

  /**
   * Calico's defaults: the CIDR in canonical masked form, {@code blockSize} 26 (IPv4) or 122 (IPv6), {@code ipipMode} and
   * {@code vxlanMode} {@code Never}, {@code nodeSelector all()}, {@code allowedUses [Workload, Tunnel]},
   * {@code assignmentMode Automatic}. A CIDR that does not parse is left as written, for validation to report.
   */
  @Override
  public IPPool withDefaults() {
    Spec s = spec;
    String cidr = s.cidr;
    int block = s.blockSize;
    try {
      Cidr c = Cidr.parse(s.cidr);
      if (!c.hasHostBits()) {
        cidr = c.toString(); // canonical text; host bits stay for validation to refuse
      }
      if (block == 0) {
        block = c.isIpv4() ? 26 : 122;
      }
    } catch (IllegalArgumentException unparsable) {
      // reported by validation, which sees the original text
    }
    return withSpec(new Spec(
        cidr,
        blankOr(s.vxlanMode, EncapMode.NEVER.wire()),
        blankOr(s.ipipMode, EncapMode.NEVER.wire()),
        s.natOutgoing, s.disabled, s.disableBGPExport, block,
        blankOr(s.nodeSelector, ALL),
        s.namespaceSelector,
        s.allowedUses == null || s.allowedUses.isEmpty() ? List.of("Workload", "Tunnel") : s.allowedUses,
        blankOr(s.assignmentMode, "Automatic")));
  }

  private static String blankOr(String v, String dflt) {
    return v == null || v.isEmpty() ? dflt : v;
  }

  /** How pod traffic to another host's block in this pool is carried. */
  public enum EncapMode {
    ALWAYS("Always"), CROSS_SUBNET("CrossSubnet"), NEVER("Never");

    private final String wire;

    EncapMode(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** Empty means {@code Never}, as in Calico. */
    public static EncapMode of(String wire) {
      if (wire == null || wire.isEmpty()) {
        return NEVER;
      }
      for (EncapMode m : values()) {
        if (m.wire.equals(wire)) {
          return m;
        }
      }
      throw new IllegalArgumentException("'" + wire + "' is not one of Always, CrossSubnet, Never");
    }

    public boolean enabled() {
      return this != NEVER;
    }
  }
}
