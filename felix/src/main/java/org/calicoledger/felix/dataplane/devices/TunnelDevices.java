package org.calicoledger.felix.dataplane.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.SequencedPart;
import org.calicoledger.felix.calc.CalcGraph;
import org.calicoledger.felix.calc.IpipDevice;
import org.calicoledger.felix.calc.VxlanDevice;
import org.calicoledger.felix.kernel.IpTool;

/**
 * The {@code devices} part: {@code vxlan.calico} and {@code tunl0} with their addresses.
 *
 * <p>Desired state: {@link VxlanDevice} and {@link IpipDevice} from the {@link CalcGraph}. {@code vxlan.calico} is
 * created with VNI, port, local address and learning off, and recreated when one of these differs (they cannot be
 * changed in place); MAC and MTU are set in place; its only IPv4 address is the VTEP address ({@code /32}). Not
 * desired: it is deleted (after the routes through it, by the sequencer's reverse removal pass). {@code tunl0} is
 * created where the kernel has ipip; on a kernel without it the part says so once (WARNING) and does not count it as
 * an error: IPIP routes then wait for the device. When IPIP is not desired, {@code tunl0} (the kernel's fallback
 * device, which cannot be deleted) loses its addresses and is set down.
 *
 * <p>Reads ({@code ip -json -d addr show dev ...}, one process per device) happen on a full pass or when the desired
 * device changed; otherwise nothing runs. The VTEP MAC, until the Node publishes one, comes from
 * {@link VxlanMacPublisher}, which this part asks to publish it once the device exists.
 */
public final class TunnelDevices implements SequencedPart {
  private static final System.Logger LOG = System.getLogger("felix.devices");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CalcGraph graph;
  private final IpTool ip;
  private final VxlanMacPublisher macs;
  private VxlanDevice wantVxlan;
  private IpipDevice wantIpip;
  private boolean vxlanMacFromNode;
  private VxlanDevice doneVxlan;
  private IpipDevice doneIpip;
  private boolean doneAny;
  private Boolean ipipSupported;
  private boolean macPublished;

  public TunnelDevices(FelixContext ctx, CalcGraph graph, IpTool ip) {
    this.graph = graph;
    this.ip = ip;
    this.macs = new VxlanMacPublisher(ctx.nodename(), ctx.runDir(), ctx.store(), ctx.actor());
  }

  @Override
  public String name() {
    return "devices";
  }

  @Override
  public void onImage(ClusterImage image) {
    var d = graph.update(image);
    vxlanMacFromNode = d.vxlan() != null && d.vxlan().mac() != null;
    wantVxlan = d.vxlan() == null || d.vxlan().mac() != null ? d.vxlan() : d.vxlan().withMac(macs.localMac());
    wantIpip = d.ipip();
  }

  /** Whether {@code tunl0} could be created here (null until tried). */
  public Boolean ipipSupported() {
    return ipipSupported;
  }

  @Override
  public boolean applyRemovals(boolean full) throws IOException {
    boolean changed = false;
    if (wantVxlan == null && (full || doneVxlan != null || !doneAny) && ip.linkExists(VxlanDevice.NAME)) {
      fail(ip.ipBatch(List.of("link del " + VxlanDevice.NAME)));
      changed = true;
    }
    if (wantVxlan == null) {
      doneVxlan = null;
    }
    if (wantIpip == null && (full || doneIpip != null || !doneAny) && ip.linkExists(IpipDevice.NAME)) {
      JsonNode link = read(IpipDevice.NAME);
      if (link != null && (!addresses(link).isEmpty() || isUp(link))) {
        fail(ip.ipBatch(List.of("addr flush dev " + IpipDevice.NAME, "link set " + IpipDevice.NAME + " down")));
        changed = true;
      }
    }
    if (wantIpip == null) {
      doneIpip = null;
    }
    return changed;
  }

  @Override
  public boolean apply(boolean full) throws IOException {
    boolean changed = false;
    if (wantVxlan != null && (full || !wantVxlan.equals(doneVxlan))) {
      changed |= programVxlan(wantVxlan);
      doneVxlan = wantVxlan;
    }
    if (wantIpip != null && (full || !wantIpip.equals(doneIpip)) && !Boolean.FALSE.equals(ipipSupported)) {
      changed |= programIpip(wantIpip);
      doneIpip = wantIpip;
    }
    doneAny = true;
    if (wantVxlan != null && !vxlanMacFromNode && !macPublished) {
      macPublished = macs.publish(wantVxlan.mac()) || macPublished;
    }
    return changed;
  }

  private boolean programVxlan(VxlanDevice d) throws IOException {
    String n = VxlanDevice.NAME;
    JsonNode link = read(n);
    List<String> cmds = new ArrayList<>();
    JsonNode info = link == null ? null : link.path("linkinfo");
    JsonNode data = info == null ? null : info.path("info_data");
    boolean recreate = link != null && (!"vxlan".equals(info.path("info_kind").asText())
        || data.path("id").asInt() != d.vni() || data.path("port").asInt() != d.port()
        || !d.localIp().equals(data.path("local").asText()) || data.path("learning").asBoolean(true));
    if (recreate) {
      cmds.add("link del " + n);
    }
    if (link == null || recreate) {
      cmds.add("link add " + n + " type vxlan id " + d.vni() + " local " + d.localIp() + " dstport " + d.port()
          + " nolearning");
      cmds.add("link set " + n + " address " + d.mac() + (d.mtu() > 0 ? " mtu " + d.mtu() : "") + " up");
      cmds.add("addr replace " + d.address() + "/32 dev " + n);
    } else {
      if (!d.mac().equalsIgnoreCase(link.path("address").asText())) {
        cmds.add("link set " + n + " address " + d.mac());
      }
      if (d.mtu() > 0 && link.path("mtu").asInt() != d.mtu()) {
        cmds.add("link set " + n + " mtu " + d.mtu());
      }
      if (!isUp(link)) {
        cmds.add("link set " + n + " up");
      }
      List<String> have = addresses(link);
      for (String a : have) {
        if (!a.equals(d.address() + "/32")) {
          cmds.add("addr del " + a + " dev " + n);
        }
      }
      if (!have.contains(d.address() + "/32")) {
        cmds.add("addr replace " + d.address() + "/32 dev " + n);
      }
    }
    if (cmds.isEmpty()) {
      return false;
    }
    fail(ip.ipBatch(cmds));
    LOG.log(System.Logger.Level.INFO, n + ": " + String.join("; ", cmds));
    return true;
  }

  private boolean programIpip(IpipDevice d) throws IOException {
    String n = IpipDevice.NAME;
    JsonNode link = read(n);
    if (link == null) {
      List<IpTool.Failure> f = ip.ipBatch(List.of("link add " + n + " type ipip"));
      if (!f.isEmpty()) {
        if (f.get(0).message().contains("Unknown device type") || f.get(0).message().contains("not supported")) {
          ipipSupported = false;
          LOG.log(System.Logger.Level.WARNING, "this kernel has no ipip support (" + f.get(0).message()
              + "): tunl0 and the IPIP routes through it are not programmed");
          return false;
        }
        fail(f);
      }
      link = read(n);
    }
    ipipSupported = true;
    List<String> cmds = new ArrayList<>();
    if (d.mtu() > 0 && (link == null || link.path("mtu").asInt() != d.mtu())) {
      cmds.add("link set " + n + " mtu " + d.mtu());
    }
    if (link == null || !isUp(link)) {
      cmds.add("link set " + n + " up");
    }
    List<String> have = link == null ? List.of() : addresses(link);
    for (String a : have) {
      if (!a.equals(d.address() + "/32")) {
        cmds.add("addr del " + a + " dev " + n);
      }
    }
    if (!have.contains(d.address() + "/32")) {
      cmds.add("addr replace " + d.address() + "/32 dev " + n);
    }
    if (cmds.isEmpty()) {
      return false;
    }
    fail(ip.ipBatch(cmds));
    return true;
  }

  /** The device's {@code ip -json -d addr show} entry, or null when it does not exist. */
  private JsonNode read(String dev) throws IOException {
    if (!ip.linkExists(dev)) {
      return null;
    }
    JsonNode arr = JSON.readTree(ip.ipJson("-d", "addr", "show", "dev", dev));
    return arr.isArray() && arr.size() > 0 ? arr.get(0) : null;
  }

  private static List<String> addresses(JsonNode link) {
    List<String> out = new ArrayList<>();
    for (JsonNode a : link.path("addr_info")) {
      if ("inet".equals(a.path("family").asText())) {
        out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
      }
    }
    return out;
  }

  private static boolean isUp(JsonNode link) {
    for (JsonNode f : link.path("flags")) {
      if ("UP".equals(f.asText())) {
        return true;
      }
    }
    return false;
  }

  private static void fail(List<IpTool.Failure> failures) {
    if (!failures.isEmpty()) {
      IpTool.Failure f = failures.get(0);
      throw new IllegalStateException(failures.size() + " device change(s) failed; first: " + f.command() + ": "
          + f.message());
    }
  }

  @Override
  public String toString() {
    return "devices{vxlan=" + wantVxlan + ", ipip=" + wantIpip + ", ipipSupported=" + Objects.toString(ipipSupported)
        + "}";
  }
}
