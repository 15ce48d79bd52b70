package org.calicoledger.model.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void prefixLengthIsPlainAsciiDigits() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/-0")).hasMessageContaining("prefix length must be a number 0-32");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/\u0668")).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/+8")).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("0-32");
    assertThat(Cidr.parse("10.0.0.0/8").prefixLength()).isEqualTo(8);
  }

  @Test
  void ipv4MappedIpv6StaysIpv6AsInGo() {
    Cidr mapped = Cidr.parse("::ffff:0:0/96");
    assertThat(mapped.isIpv4()).isFalse();
    assertThat(mapped.toString()).isEqualTo("::ffff:0:0/96");
    assertThat(Cidr.parse("::/64").addressAt(BigInteger.valueOf(0xffff00000000L)).getAddress()).hasSize(16);
    assertThat(Cidr.parse("::ffff:10.0.0.0/104").contains(Cidr.parse("::ffff:10.0.0.1/128"))).isTrue();
  }

  @Test
  void namesAreNeverResolved() {
    assertThatThrownBy(() -> Cidr.parse("localhost/8")).hasMessageContaining("not a valid IP network");
    assertThatThrownBy(() -> Cidr.parseAddress("010.0.0.1")).hasMessageContaining("not a valid IP address");
  }

  @Test
  void aCidrOrABareAddress() {
    assertThat(Cidr.parseCidrOrAddress("10.0.0.5")).isEqualTo(Cidr.parse("10.0.0.5/32"));
    assertThat(Cidr.parseCidrOrAddress("fd00::1")).isEqualTo(Cidr.parse("fd00::1/128"));
    assertThat(Cidr.parseCidrOrAddress("10.1.2.3/16").prefixLength()).isEqualTo(16);
    assertThatThrownBy(() -> Cidr.parseCidrOrAddress("10.0.0.0/33")).hasMessageContaining("0-32");
    assertThatThrownBy(() -> Cidr.parseCidrOrAddress("web")).hasMessageContaining("not a valid IP address");
  }
}
