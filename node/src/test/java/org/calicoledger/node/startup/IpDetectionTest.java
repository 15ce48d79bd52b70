package org.calicoledger.node.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.node.startup.IpDetection.Iface;
import org.junit.jupiter.api.Test;

class IpDetectionTest {
  static Iface iface(String name, int index, String... cidrs) {
    return new Iface(name, index, java.util.Arrays.stream(cidrs).map(Cidr::parse).toList());
  }

  static final List<Iface> HOST = List.of(
      iface("eth1", 5, "192.168.50.7/24"),
      iface("lo", 1, "127.0.0.1/8"),
      iface("docker0", 2, "172.17.0.1/16"),
      iface("cali1234567890a", 3, "169.254.1.1/32"),
      iface("eth0", 4, "169.254.10.1/16", "10.0.0.5/24"),
      iface("vxlan.calico", 6, "10.244.0.1/32"));

  static Optional<String> detect(String method) {
    return IpDetection.detect(method, HOST).map(Cidr::toString);
  }

  @Test
  void firstFoundTakesTheLowestIndexedInterfaceCalicoDoesNotExclude() {
    // lo, docker0 and cali* are excluded; eth0's link-local address is skipped; its next address keeps its prefix
    assertThat(detect("first-found")).contains("10.0.0.5/24");
    assertThat(detect("")).contains("10.0.0.5/24");
  }

  @Test
  void interfaceAndSkipInterfaceUseRegexesAnywhereInTheName() {
    assertThat(detect("interface=eth1")).contains("192.168.50.7/24");
    assertThat(detect("interface=nope.*, th1")).contains("192.168.50.7/24");
    assertThat(detect("interface=docker.*")).contains("172.17.0.1/16");
    assertThat(detect("skip-interface=eth0")).contains("192.168.50.7/24");
    assertThat(detect("interface=wlan.*")).isEmpty();
  }

  @Test
  void cidrPicksTheAddressInsideOne() {
    assertThat(detect("cidr=192.168.0.0/16")).contains("192.168.50.7/24");
    assertThat(detect("cidr=10.9.0.0/16,10.0.0.0/8")).contains("10.0.0.5/24");
    assertThat(detect("cidr=11.0.0.0/8")).isEmpty();
  }

  @Test
  void unknownMethodsAndBadPatternsAreNamed() {
    assertThatThrownBy(() -> detect("kubernetes-internal-ip")).hasMessageContaining(
        "IP_AUTODETECTION_METHOD='kubernetes-internal-ip' is not one of first-found");
    assertThatThrownBy(() -> detect("interface=[")).hasMessageContaining("'[' is not a regular expression");
    assertThatThrownBy(() -> detect("cidr=10.0.0.0")).hasMessageContaining("missing /PREFIX");
    assertThatThrownBy(() -> detect("interface=")).hasMessageContaining("names nothing after 'interface='");
  }

  @Test
  void anExplicitAddressTakesItsInterfacesPrefix() {
    assertThat(IpDetection.withPrefix("10.0.0.5", HOST).toString()).isEqualTo("10.0.0.5/24");
    assertThat(IpDetection.withPrefix("10.1.1.1", HOST).toString()).isEqualTo("10.1.1.1/32");
    assertThat(IpDetection.withPrefix("10.1.1.1/20", HOST).toString()).isEqualTo("10.1.1.1/20");
  }
}
